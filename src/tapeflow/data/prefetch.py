"""``Dataset.prefetch``: a daemon thread produces elements ahead of the consumer.

The thread stops when the consumer's generator is closed (iteration stopped early
or the iterator was dropped) and, being a daemon, never holds up interpreter exit.
"""
import queue
import threading

from tapeflow.data.dataset import Dataset

_DONE = object()
_AUTOTUNE_DEPTH = 2


class _Raised:
    __slots__ = ("exc",)

    def __init__(self, exc):
        self.exc = exc


class _PrefetchDataset(Dataset):
    def __init__(self, input_ds, buffer_size):
        buffer_size = int(buffer_size)
        if buffer_size < -1:
            raise ValueError(f"buffer_size must be -1 (AUTOTUNE) or >= 0. "
                             f"Received: {buffer_size}")
        self._input = input_ds
        self._depth = _AUTOTUNE_DEPTH if buffer_size == -1 else buffer_size
        super().__init__(input_ds._template, input_ds._specs, input_ds._card)

    def _gen(self):
        if self._depth == 0:
            yield from self._input._gen()
            return
        q = queue.Queue(maxsize=self._depth)
        stop = threading.Event()
        source = self._input._gen()

        def put(item):
            while not stop.is_set():
                try:
                    q.put(item, timeout=0.05)
                    return True
                except queue.Full:
                    continue
            return False

        def produce():
            try:
                for item in source:
                    if not put(item):
                        break
                else:
                    put(_DONE)
            except BaseException as e:  # handed to the consumer, raised there
                put(_Raised(e))
            finally:
                source.close()

        worker = threading.Thread(target=produce, name="tapeflow-prefetch", daemon=True)
        worker.start()
        try:
            while True:
                item = q.get()
                if item is _DONE:
                    return
                if type(item) is _Raised:
                    raise item.exc
                yield item
        finally:
            stop.set()
            worker.join(timeout=1.0)
