"""prefetch: runs ahead in a thread, preserves order, stops cleanly, never hangs exit."""
import subprocess
import sys
import threading

import pytest

import tapeflow as tf

Dataset = tf.data.Dataset


def _prefetch_threads():
    return [t for t in threading.enumerate() if t.name == "tapeflow-prefetch" and t.is_alive()]


def test_prefetch_preserves_elements_and_order():
    ds = Dataset.range(100).map(lambda x: x * 2).batch(7).prefetch(tf.data.AUTOTUNE)
    out = [b.tolist() for b in ds.as_numpy_iterator()]
    assert sum(out, []) == list(range(0, 200, 2))
    assert len(ds) == 15
    assert ds.element_spec == tf.TensorSpec((None,), tf.int64)
    assert repr(ds).startswith("<_PrefetchDataset element_spec=")
    assert [v for v in Dataset.range(3).prefetch(0).as_numpy_iterator()] == [0, 1, 2]


def test_prefetch_produces_ahead_of_the_consumer():
    produced = []
    enough = threading.Event()

    def gen():
        for i in range(100):
            produced.append(i)
            if len(produced) >= 4:
                enough.set()
            yield i
    ds = Dataset.from_generator(gen, output_signature=tf.TensorSpec((), tf.int64)).prefetch(3)
    it = iter(ds)
    assert next(it).numpy() == 0
    # While the consumer holds element 0, the thread fills the buffer of 3 more.
    assert enough.wait(timeout=30)
    assert len(produced) <= 1 + 3 + 1
    del it


def test_prefetch_thread_stops_when_iteration_stops_early():
    before = set(_prefetch_threads())
    it = Dataset.range(10**9).prefetch(2).as_numpy_iterator()
    assert next(it) == 0
    started = [t for t in _prefetch_threads() if t not in before]
    assert len(started) == 1 and started[0].daemon
    it.close()
    started[0].join(timeout=10)
    assert not started[0].is_alive()

    before = set(_prefetch_threads())
    for x in Dataset.range(10**9).prefetch(4):  # break out of a for loop
        if x.numpy() == 5:
            started = [t for t in _prefetch_threads() if t not in before]
            break
    import gc
    gc.collect()
    started[0].join(timeout=10)
    assert not started[0].is_alive()


def test_prefetch_forwards_errors_from_the_producer():
    def gen():
        yield 1
        raise RuntimeError("broken source")
    ds = Dataset.from_generator(gen, output_signature=tf.TensorSpec((), tf.int32)).prefetch(2)
    it = iter(ds)
    assert next(it).numpy() == 1
    with pytest.raises(RuntimeError, match="broken source"):
        next(it)


def test_unfinished_prefetch_does_not_hang_interpreter_exit():
    code = ("import tapeflow as tf\n"
            "it = iter(tf.data.Dataset.range(10**12).repeat().prefetch(8))\n"
            "print(int(next(it)))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "0"
