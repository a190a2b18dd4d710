"""``tf.print``: prints tensors the way TensorFlow's PrintV2 kernel does.

Tensors print as their values only (``[0 1 2 ... 7 8 9]``), with at most
``summarize`` elements kept at each end of every dimension; numbers use the
shortest of 6 (float32) or 15 (float64) significant digits that reads back
exactly, else 9 or 17. Python values and structures holding tensors print as
Python would print them, with each tensor replaced by its text.
"""
import builtins
import sys

import numpy as np

from tapeflow.framework import primitive as _prim
from tapeflow.framework.tensor import Tensor


def print(*inputs, output_stream=sys.stderr, sep=" ", end="\n", summarize=3,  # noqa: A001
          name=None):
    """Prints ``inputs`` (tensors, Python values, nests holding tensors).

    Args:
      *inputs: what to print, separated by ``sep``.
      output_stream: ``sys.stderr`` (the default), ``sys.stdout``, a file-like
        object, or a ``"file://<path>"`` string (appended to).
      sep: the separator between inputs.
      end: written after the last input.
      summarize: elements kept at each end of each dimension (-1 or None: all).

    Returns:
      None (TensorFlow returns no value in eager mode either).

    >>> import tapeflow as tf
    >>> print(tf.range(10), output_stream=sys.stdout)
    [0 1 2 ... 7 8 9]
    """
    if _prim._tapes:   # inside a tf.function trace: a node that prints on every call
        from tapeflow.framework.graph import func_graph
        if func_graph.record_call(print, inputs, dict(output_stream=output_stream, sep=sep,
                                                      end=end, summarize=summarize), False)[0]:
            return None
    if summarize is None or summarize < 0:
        summarize = -1
    text = sep.join(_format(x, summarize) for x in inputs) + end
    _write(text, output_stream)


def _write(text, stream):
    if isinstance(stream, str):
        if stream.startswith("file://"):
            with open(stream[len("file://"):], "a") as f:
                f.write(text)
            return
        if stream in ("stdout", "stderr"):
            stream = getattr(sys, stream)
        else:
            raise ValueError(f"Unsupported output stream, logging level, or file.{stream}. "
                             f"Supported streams are sys.stdout, sys.stderr, tf.logging.info, "
                             f"tf.logging.warning, tf.logging.error. File needs to be in the "
                             f"form of 'file://<filepath>'.")
    # The default is bound at import time; follow a replaced sys.stderr/stdout (e.g. pytest).
    if stream is sys.__stderr__ or stream is _DEFAULT_ERR:
        stream = sys.stderr
    elif stream is sys.__stdout__ or stream is _DEFAULT_OUT:
        stream = sys.stdout
    if callable(stream) and not hasattr(stream, "write"):
        stream(text.rstrip("\n"))  # a logging function such as logging.info
        return
    stream.write(text)
    flush = getattr(stream, "flush", None)
    if flush is not None:
        flush()


_DEFAULT_ERR = sys.stderr
_DEFAULT_OUT = sys.stdout


def _format(x, summarize):
    """The text of one input: a tensor's values, a string as is, a nest as Python shows it."""
    if isinstance(x, Tensor) or getattr(x, "_is_variable", False):
        return format_tensor(np.asarray(x._value if isinstance(x, Tensor) else x.numpy()),
                             summarize)
    if isinstance(x, str):
        return x
    if isinstance(x, (list, tuple, dict)) and _holds_tensor(x):
        return _format_nest(x, summarize)
    return str(x)


def _holds_tensor(x):
    items = x.values() if isinstance(x, dict) else x
    for v in items:
        if isinstance(v, Tensor) or getattr(v, "_is_variable", False):
            return True
        if isinstance(v, (list, tuple, dict)) and _holds_tensor(v):
            return True
    return False


def _format_nest(x, summarize):
    if isinstance(x, Tensor) or getattr(x, "_is_variable", False):
        return _format(x, summarize)
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {_format_nest(v, summarize)}"
                               for k, v in x.items()) + "}"
    if isinstance(x, list):
        return "[" + ", ".join(_format_nest(v, summarize) for v in x) + "]"
    if isinstance(x, tuple):
        inner = ", ".join(_format_nest(v, summarize) for v in x)
        return "(" + inner + ("," if len(x) == 1 else "") + ")"
    return repr(x)


def format_tensor(arr, summarize=3):
    """Returns the text ``tf.print`` shows for the array ``arr``.

    >>> format_tensor(np.arange(10))
    '[0 1 2 ... 7 8 9]'
    """
    fmt = _element_formatter(arr.dtype)
    if arr.ndim == 0:
        return fmt(arr[()])
    if arr.size == 0:
        return "[]"
    return _format_dim(arr, fmt, summarize, 0)


def _format_dim(arr, fmt, summarize, depth):
    n = arr.shape[0]
    elide = 0 <= summarize and 2 * summarize < n
    idx = list(range(summarize)) + [None] + list(range(n - summarize, n)) if elide \
        else list(range(n))
    if arr.ndim == 1:
        return "[" + " ".join("..." if i is None else fmt(arr[i]) for i in idx) + "]"
    sep = "\n" * (arr.ndim - 1) + " " * (depth + 1)
    parts = ["..." if i is None else _format_dim(arr[i], fmt, summarize, depth + 1)
             for i in idx]
    return "[" + sep.join(parts) + "]"


def _element_formatter(dtype):
    kind = dtype.kind
    if kind == "f":
        short, full = (15, 17) if dtype.itemsize >= 8 else (6, 9)
        cast = dtype.type

        def fmt(v):
            s = "%.*g" % (short, v)
            if cast(s) != v and not np.isnan(v):
                s = "%.*g" % (full, v)
            return s
        return fmt
    if kind == "b":
        return lambda v: "1" if v else "0"
    if kind == "O":
        return lambda v: v.decode() if isinstance(v, bytes) else builtins.str(v)
    if kind == "c":
        return lambda v: "(%g,%g)" % (v.real, v.imag)
    return lambda v: builtins.str(int(v))
