"""``tf.summary``: scalars, histograms, images and text into TensorBoard event files.

An event file is a TFRecord file of ``tensorflow.Event`` messages; each summary is
a ``Summary.Value`` holding a TensorProto and TensorBoard's plugin name
(``scalars``, ``histograms``, ``images``, ``text``), as TensorFlow 2 writes them.
The messages are encoded with ``tapeflow.io``'s wire and TFRecord code (shared
with ``keras.callbacks.TensorBoard``).

    writer = tf.summary.create_file_writer("logs")
    with writer.as_default():
        tf.summary.scalar("loss", 0.5, step=1)
"""
import contextlib
import os
import socket
import struct
import threading
import time

import numpy as np

from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.io import wire
from tapeflow.io.tfrecord import frame

__all__ = ["SummaryWriter", "create_file_writer", "create_noop_writer", "experimental",
           "flush", "histogram", "image", "record_if", "scalar", "text", "write",
           "should_record_summaries"]

_state = threading.local()


def _stack():
    if not hasattr(_state, "writers"):
        _state.writers = []
        _state.step = None
    return _state.writers


# -- encoding -----------------------------------------------------------------------

def encode_event(wall_time, step=0, file_version=None, scalars=None, values=()):
    """Returns the bytes of a ``tensorflow.Event``: ``wall_time`` (field 1), ``step`` (2),
    ``file_version`` (3) and a Summary (5) of ``scalars`` (``tag -> float`` as
    ``simple_value``) and already encoded ``Summary.Value`` messages ``values``."""
    out = b"\x09" + struct.pack("<d", wall_time)
    if step:
        out += wire.tag(2, 0) + wire.varint(int(step))
    if file_version is not None:
        out += wire.length_delimited(3, file_version.encode())
    parts = list(values)
    for tag, value in (scalars or {}).items():
        parts.append(wire.length_delimited(1, tag.encode()) + b"\x15" + struct.pack("<f", value))
    if parts:
        out += wire.length_delimited(5, b"".join(wire.length_delimited(1, p) for p in parts))
    return out


def _value(tag, tensor, plugin, description=None):
    """Returns a ``Summary.Value``: tag (1), metadata (9) with the plugin name, tensor (8)."""
    from tapeflow.io.tensor_proto import serialize_tensor
    plugin_data = wire.length_delimited(1, plugin.encode())
    meta = wire.length_delimited(1, plugin_data)
    if description:
        meta += wire.length_delimited(3, description.encode())
    return (wire.length_delimited(1, tag.encode()) + wire.length_delimited(9, meta)
            + wire.length_delimited(8, serialize_tensor(tensor).numpy()))


class EventFileWriter:
    """Appends framed ``Event`` records to ``events.out.tfevents.<time>.<host>.<pid>...``."""

    def __init__(self, folder, filename_suffix=""):
        os.makedirs(folder, exist_ok=True)
        name = (f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}."
                f"{os.getpid()}.{id(self) % 100000}.v2{filename_suffix or ''}")
        self.path = os.path.join(folder, name)
        self._f = open(self.path, "wb")
        self._lock = threading.Lock()
        self.write_event(encode_event(time.time(), file_version="brain.Event:2"))

    def write_event(self, event_bytes):
        """Appends one encoded Event and flushes it (TensorBoard reads files as they grow)."""
        with self._lock:
            if self._f is None:
                raise ValueError("Event file writer is closed")
            self._f.write(frame(event_bytes))
            self._f.flush()

    def scalars(self, step, values):
        """Writes ``tag -> float`` scalars at ``step`` as ``simple_value``s."""
        self.write_event(encode_event(time.time(), step, scalars=values))

    def flush(self):
        """Flushes the file."""
        with self._lock:
            if self._f is not None:
                self._f.flush()

    def close(self):
        """Closes the file."""
        with self._lock:
            if self._f is not None:
                self._f.close()
                self._f = None


# -- writers ------------------------------------------------------------------------

class SummaryWriter:
    """Writes summaries to one event file; ``as_default()`` makes it the target of
    ``tf.summary.scalar`` etc. in a ``with`` block."""

    def __init__(self, logdir, filename_suffix=None, noop=False):
        self._logdir = None if logdir is None else os.fspath(logdir)
        self._suffix = filename_suffix
        self._noop = noop
        self._file = None

    def _events(self):
        if self._file is None:
            self._file = EventFileWriter(self._logdir, self._suffix)
        return self._file

    def init(self):
        """Creates the event file now."""
        if not self._noop:
            self._events()

    @contextlib.contextmanager
    def as_default(self, step=None):
        """Returns a context in which this writer (and ``step``, if given) is the default."""
        stack = _stack()
        stack.append(self)
        old = _state.step
        if step is not None:
            _state.step = int(getattr(step, "numpy", lambda: step)())
        try:
            yield self
        finally:
            stack.pop()
            _state.step = old
            self.flush()

    def set_as_default(self, step=None):
        """Makes this writer the default until another is set."""
        stack = _stack()
        stack.clear()
        stack.append(self)
        if step is not None:
            _state.step = int(step)

    def write_value(self, value, step):
        """(internal) Writes one encoded ``Summary.Value`` at ``step``."""
        if not self._noop:
            self._events().write_event(encode_event(time.time(), step, values=[value]))

    def flush(self):
        """Flushes pending events."""
        if self._file is not None:
            self._file.flush()

    def close(self):
        """Closes the event file."""
        if self._file is not None:
            self._file.close()


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None,
                       name=None, experimental_trackable=False, experimental_mesh=None):
    """Returns a SummaryWriter that writes event files under folder ``logdir``."""
    return SummaryWriter(logdir, filename_suffix)


def create_noop_writer():
    """Returns a SummaryWriter that writes nothing."""
    return SummaryWriter(None, noop=True)


def _target(step):
    stack = _stack()
    if not stack:
        return None, None
    if step is None:
        step = _state.step
        if step is None:
            raise ValueError("No step set. Please specify one either through the `step` "
                             "argument or through tf.summary.experimental.set_step()")
    return stack[-1], int(getattr(step, "numpy", lambda: step)())


def should_record_summaries():
    """Returns True if a default writer is set."""
    return bool(_stack())


def flush(writer=None, name=None):
    """Flushes ``writer`` (the default writer when None)."""
    w = writer or (_stack()[-1] if _stack() else None)
    if w is not None:
        w.flush()


@contextlib.contextmanager
def record_if(condition):
    """Accepted for compatibility; summaries are recorded whenever a writer is set."""
    yield


def write(tag, tensor, step=None, metadata=None, name=None):
    """Writes ``tensor`` under ``tag`` with no plugin; returns True if a writer took it."""
    w, step = _target(step)
    if w is None:
        return False
    w.write_value(_value(tag, convert_to_tensor(tensor), ""), step)
    return True


def scalar(name, data, step=None, description=None):
    """Writes the scalar ``data`` (as float32) at ``step``; returns True if written,
    False when no default writer is set.

    Raises:
      ValueError: if there is a writer but no step.
    """
    w, step = _target(step)
    if w is None:
        return False
    value = np.asarray(data, dtype=np.float32)
    if value.ndim:
        raise ValueError(f"data must be a scalar, got shape {value.shape}")
    w.write_value(_value(name, Tensor(value), "scalars", description), step)
    return True


def histogram(name, data, step=None, buckets=None, description=None):
    """Writes a histogram of ``data`` (``buckets`` equal-width buckets, 30 by default) as
    TensorBoard's ``[k, 3]`` float64 tensor of (left edge, right edge, count)."""
    w, step = _target(step)
    if w is None:
        return False
    x = np.asarray(data, dtype=np.float64).reshape(-1)
    k = 30 if buckets is None else int(buckets)
    if x.size == 0 or k == 0:
        out = np.zeros((0, 3))
    else:
        lo, hi = float(x.min()), float(x.max())
        if lo == hi:  # one value: unit-width buckets around it, all counts in the first
            edges = np.linspace(lo - 0.5, hi + 0.5, k + 1)
            counts = np.zeros(k)
            counts[0] = x.size
        else:
            edges = np.linspace(lo, hi, k + 1)
            idx = np.clip(((x - lo) / ((hi - lo) / k)).astype(np.int64), 0, k - 1)
            counts = np.bincount(idx, minlength=k).astype(np.float64)
        out = np.stack([edges[:-1], edges[1:], counts], axis=1)
    w.write_value(_value(name, Tensor(out), "histograms", description), step)
    return True


def image(name, data, step=None, max_outputs=3, description=None):
    """Writes up to ``max_outputs`` images of a ``[k, h, w, c]`` batch (floats in [0, 1] or
    uint8) as PNGs."""
    from tapeflow.io.image_codecs import encode_png
    w, step = _target(step)
    if w is None:
        return False
    x = np.asarray(data)
    if x.ndim != 4:
        raise ValueError(f"image data must be 4-D [k, h, w, c], got shape {x.shape}")
    if x.dtype != np.uint8:
        x = np.clip(np.floor(x.astype(np.float64) * 255.999), 0, 255).astype(np.uint8)
    pngs = [encode_png(Tensor(img)).numpy() for img in x[:int(max_outputs)]]
    out = np.empty(2 + len(pngs), object)
    out[:] = [str(x.shape[2]).encode(), str(x.shape[1]).encode()] + pngs
    w.write_value(_value(name, Tensor(out), "images", description), step)
    return True


def text(name, data, step=None, description=None):
    """Writes the string tensor ``data`` for TensorBoard's text dashboard."""
    from tapeflow.framework import dtypes
    w, step = _target(step)
    if w is None:
        return False
    t = convert_to_tensor(data, dtype=dtypes.string)
    w.write_value(_value(name, t, "text", description), step)
    return True


class _Experimental:
    """``tf.summary.experimental``: the default step."""

    @staticmethod
    def set_step(step):
        """Sets the default step for summaries written without ``step=``."""
        _stack()
        _state.step = None if step is None else int(getattr(step, "numpy", lambda: step)())

    @staticmethod
    def get_step():
        """Returns the default step, or None."""
        _stack()
        return _state.step


experimental = _Experimental()

from tapeflow.summary_more import (  # noqa: E402
    audio, graph, summary_scope, trace_export, trace_off, trace_on, write_raw_pb)

_Experimental.summary_scope = staticmethod(summary_scope)
_Experimental.write_raw_pb = staticmethod(write_raw_pb)
del summary_scope, write_raw_pb
__all__ += ["audio", "graph", "trace_export", "trace_off", "trace_on"]
