"""More of ``tf.summary``: ``audio`` (16-bit PCM WAV, TensorBoard's audio plugin),
``graph`` (a GraphDef's bytes into the event file), ``trace_on``/``trace_off``/
``trace_export`` and ``experimental.summary_scope``/``write_raw_pb``.

tapeflow records no graphs or profiles while tracing: ``trace_export`` writes nothing.
"""
import contextlib
import struct
import time

import numpy as np

from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.io import wire

__all__ = ["audio", "graph", "trace_on", "trace_off", "trace_export"]

_TRACE = {"on": False}


def _summary():
    from tapeflow import summary
    return summary


def encode_wav(audio, sample_rate):
    """Returns WAV bytes (16-bit PCM) of float samples ``[frames, channels]`` in [-1, 1],
    scaled by 32768 and clipped, as ``tf.audio.encode_wav``."""
    x = np.asarray(audio, np.float64)
    frames, channels = x.shape
    pcm = np.clip(np.round(x * 32768.0), -32768, 32767).astype("<i2").tobytes()
    rate = int(sample_rate)
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * 2, channels * 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + \
        struct.pack("<I", len(pcm)) + pcm
    return b"RIFF" + struct.pack("<I", len(body)) + body


def audio(name, data, sample_rate, step=None, max_outputs=3, encoding=None,
          description=None):
    """Writes up to ``max_outputs`` clips of a ``[k, frames, channels]`` float batch in
    [-1, 1] as WAV for TensorBoard's audio dashboard; returns True if written, False when
    no default writer is set.

    Raises:
      ValueError: for data that is not 3-D, or an encoding other than 'wav'.
    """
    if encoding not in (None, "wav"):
        raise ValueError(f"Unknown encoding: {encoding!r}")
    s = _summary()
    w, step = s._target(step)
    if w is None:
        return False
    x = np.asarray(convert_to_tensor(data), np.float32)
    if x.ndim != 3:
        raise ValueError(f"audio data must be 3-D [k, frames, channels], got shape {x.shape}")
    rate = float(np.asarray(sample_rate))
    clips = [encode_wav(c, rate) for c in x[:int(max_outputs)]]
    out = np.empty((len(clips), 2), object)
    for i, clip in enumerate(clips):
        out[i] = [clip, b""]
    w.write_value(_plugin_value(name, Tensor(out), b"audio", b"\x10\x0b", description), step)
    return True


def _plugin_value(tag, tensor, plugin, content, description):
    """A ``Summary.Value`` whose plugin data carries ``content`` (AudioPluginData: WAV)."""
    from tapeflow.io.tensor_proto import serialize_tensor
    plugin_data = wire.length_delimited(1, plugin) + wire.length_delimited(2, content)
    meta = wire.length_delimited(1, plugin_data)
    if description:
        meta += wire.length_delimited(3, description.encode())
    return (wire.length_delimited(1, tag.encode()) + wire.length_delimited(9, meta)
            + wire.length_delimited(8, serialize_tensor(tensor).numpy()))


def _write_event_field(field, payload, step):
    s = _summary()
    w, step = s._target(step if step is not None else 0)
    if w is None or w._noop:
        return Tensor(np.bool_(w is not None))
    event = b"\x09" + struct.pack("<d", time.time())
    if step:
        event += wire.tag(2, 0) + wire.varint(int(step))
    w._events().write_event(event + wire.length_delimited(field, payload))
    return Tensor(np.bool_(True))


def graph(graph_data):
    """Writes a GraphDef (an object with ``SerializeToString`` or ``as_graph_def``, or its
    bytes) to the default writer's event file; returns a bool Tensor (False: no writer)."""
    if hasattr(graph_data, "as_graph_def"):
        graph_data = graph_data.as_graph_def()
    raw = graph_data.SerializeToString() if hasattr(graph_data, "SerializeToString") \
        else bytes(graph_data)
    return _write_event_field(4, raw, None)


def write_raw_pb(tensor, step=None, name=None):
    """Writes serialized ``Summary`` protocol buffers (a string tensor) as events at
    ``step``; returns a bool Tensor (False when no writer is set)."""
    t = np.asarray(convert_to_tensor(tensor)).reshape(-1)
    out = Tensor(np.bool_(_summary().should_record_summaries()))
    for raw in t:
        out = _write_event_field(5, bytes(raw), step)
    return out


def trace_on(graph=True, profiler=False, profiler_outdir=None):  # noqa: A002
    """Starts a trace; tapeflow records no graph or profile, so nothing is collected."""
    _TRACE["on"] = True


def trace_off():
    """Stops the trace and discards it."""
    _TRACE["on"] = False


def trace_export(name, step=None, profiler_outdir=None):
    """Ends the trace; tapeflow has no graph or run metadata to write, so nothing is."""
    _TRACE["on"] = False


@contextlib.contextmanager
def summary_scope(name, default_name="summary", values=None):
    """Yields ``(tag, scope)`` for a summary op: the name (or ``default_name``) inside the
    current name scope, and the same with a trailing '/'."""
    from tapeflow.framework.name_scope import current_prefix
    tag = current_prefix() + (name or default_name)
    yield tag, tag + "/"
