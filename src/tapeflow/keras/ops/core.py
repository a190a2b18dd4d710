"""``keras.ops.core``: control flow, scatter/slice updates, conversion and dtype helpers.

Control flow runs eagerly in Python (``cond`` calls one branch, ``while_loop`` loops), so the
ops inside record on the tape as usual: gradients flow through the branch taken and every
iteration, as TensorFlow's eager execution does.
"""
import functools

import numpy as np

import tapeflow as tf
from tapeflow.keras import tree as nest
from tapeflow.framework.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.keras_tensor import KerasTensor
from tapeflow.keras.ops.operation import keras_op
from tapeflow.keras.ops.promotion import to_tensor


def cond(pred, true_fn, false_fn):
    """Returns ``true_fn()`` if ``pred`` holds, else ``false_fn()`` (``tf.cond``: eagerly it
    calls one branch; inside ``tf.function`` it builds a conditional)."""
    return tf.cond(pred, true_fn, false_fn)


def switch(index, branches, *operands):
    """Returns ``branches[index](*operands)``, ``index`` clamped to the valid range."""
    if isinstance(index, (int, np.integer)):
        i = max(0, min(int(index), len(branches) - 1))
        return branches[i](*operands)
    i = tf.clip_by_value(tf.cast(to_tensor(index), "int32"), 0, len(branches) - 1)
    return tf.switch_case(i, [functools.partial(b, *operands) for b in branches])


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Returns ``loop_vars`` after applying ``body`` while ``cond`` holds (at most
    ``maximum_iterations`` times); a tuple/list of loop variables is passed unpacked
    (``tf.while_loop``)."""
    packed = isinstance(loop_vars, (tuple, list))
    state = tuple(loop_vars) if packed else (loop_vars,)

    def step(*vs):
        out = body(*vs)
        return tuple(out) if isinstance(out, (tuple, list)) else (out,)
    out = tf.while_loop(cond, step, state, maximum_iterations=maximum_iterations)
    return tuple(out) if packed else out[0]


def fori_loop(lower, upper, body_fun, init_val):
    """Returns ``init_val`` after ``val = body_fun(i, val)`` for i in [lower, upper)."""
    if all(isinstance(v, (int, np.integer)) for v in (lower, upper)):
        val = init_val
        for i in range(int(lower), int(upper)):
            val = body_fun(i, val)
        return val
    return tf.while_loop(lambda i, v: i < upper, lambda i, v: (i + 1, body_fun(i, v)),
                         (to_tensor(lower), init_val))[1]


def _index(tree, i):
    return nest.map_structure(lambda t: to_tensor(t)[i], tree)


def _length(tree):
    return to_tensor(nest.flatten(tree)[0]).shape[0]


def _stack(results):
    return nest.map_structure(lambda *xs: tf.stack([to_tensor(x) for x in xs]), *results)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Returns ``(final carry, stacked outputs)`` of ``carry, y = f(carry, x)`` over the
    leading axis of ``xs`` (``length`` steps with ``x = None`` when ``xs`` is None)."""
    n = length if xs is None else _length(xs)
    steps = range(n - 1, -1, -1) if reverse else range(n)
    carry, ys = init, []
    for i in steps:
        carry, y = f(carry, None if xs is None else _index(xs, i))
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys or ys[0] is None:
        return carry, None
    return carry, _stack(ys)


def associative_scan(f, elems, reverse=False, axis=0):
    """Returns the inclusive scan of ``elems`` along ``axis`` with the associative ``f``."""
    flat = [to_tensor(e) for e in nest.flatten(elems)]
    n = flat[0].shape[axis]
    order = range(n - 1, -1, -1) if reverse else range(n)
    acc, outs = None, []
    for i in order:
        cur = nest.pack_sequence_as(elems, [tf.gather(e, i, axis=axis) for e in flat])
        acc = cur if acc is None else f(acc, cur)
        outs.append(acc)
    if reverse:
        outs.reverse()
    parts = [nest.flatten(o) for o in outs]
    stacked = [tf.stack([p[k] for p in parts], axis=axis) for k in range(len(flat))]
    return nest.pack_sequence_as(elems, stacked)


def map(f, xs):  # noqa: A001 (Keras's name)
    """Returns ``f`` applied to each slice of ``xs`` along the leading axis, stacked."""
    return _stack([f(_index(xs, i)) for i in range(_length(xs))])


def vectorized_map(function, elements):
    """Returns ``function`` applied to each slice of ``elements`` along axis 0, stacked."""
    return map(function, elements)


@keras_op
def slice(inputs, start_indices, shape):  # noqa: A001 (Keras's name)
    """Returns the block of ``inputs`` starting at ``start_indices`` of size ``shape``."""
    x = to_tensor(inputs)
    return tf.slice(x, [int(v) for v in np.asarray(_np(start_indices)).reshape(-1)],
                    [int(v) for v in np.asarray(_np(shape)).reshape(-1)])


def _np(v):
    return v.numpy() if isinstance(v, Tensor) else v


@keras_op
def slice_update(inputs, start_indices, updates):
    """Returns ``inputs`` with the block at ``start_indices`` replaced by ``updates``."""
    x = to_tensor(inputs)
    u = to_tensor(updates, x.dtype.name)
    start = [int(v) for v in np.asarray(_np(start_indices)).reshape(-1)]
    grids = np.indices(tuple(u.shape)).reshape(len(start), -1).T + np.asarray(start)
    flat_u = tf.reshape(u, [-1])
    return tf.tensor_scatter_nd_update(x, grids.astype(np.int32), flat_u)


@keras_op
def scatter(indices, values, shape):
    """Returns a zeros tensor of ``shape`` with ``values`` added at ``indices``."""
    v = to_tensor(values)
    return tf.scatter_nd(to_tensor(indices, "int32") if not isinstance(indices, Tensor)
                         else indices, v, [int(s) for s in shape])


@keras_op
def scatter_update(inputs, indices, updates):
    """Returns ``inputs`` with the entries at ``indices`` replaced by ``updates``."""
    x = to_tensor(inputs)
    return tf.tensor_scatter_nd_update(x, to_tensor(indices), to_tensor(updates, x.dtype.name))


@keras_op
def stop_gradient(variable):
    """Returns ``variable`` as a value no gradient flows through."""
    return tf.stop_gradient(to_tensor(variable))


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """Returns ``x`` as a Tensor (of ``dtype`` when given; Python floats as ``floatx()``)."""
    if type(x) is KerasTensor:
        return x
    return to_tensor(x, None if dtype is None else backend.standardize_dtype(dtype))


def convert_to_numpy(x):
    """Returns ``x`` as a NumPy array."""
    if isinstance(x, Tensor):
        return x.numpy()
    if hasattr(type(x), "__tf_tensor__"):
        return to_tensor(x).numpy()
    return np.asarray(x)


@keras_op
def cast(x, dtype):
    """Returns ``x`` converted to ``dtype`` (differentiable between floats)."""
    d = backend.standardize_dtype(dtype)
    x = to_tensor(x)
    return x if x.dtype.name == d else tf.cast(x, d)


@keras_op
def saturate_cast(x, dtype):
    """Returns ``x`` cast to ``dtype``, clipped to its range first."""
    d = backend.standardize_dtype(dtype)
    x = to_tensor(x)
    if np.dtype(d).kind in "iu":
        info = np.iinfo(d)
        if x.dtype.is_floating:
            x = tf.clip_by_value(x, x.dtype.as_numpy_dtype(max(info.min, x.dtype.min)),
                                 x.dtype.as_numpy_dtype(min(info.max, x.dtype.max)))
        else:
            return Tensor(np.clip(x.numpy(), info.min, info.max).astype(d))
    elif np.dtype(d).kind == "f" and x.dtype.is_floating:
        info = np.finfo(d)
        x = tf.clip_by_value(x, x.dtype.as_numpy_dtype(max(info.min, x.dtype.min)),
                             x.dtype.as_numpy_dtype(min(info.max, x.dtype.max)))
    return tf.cast(x, d)


def shape(x):
    """Returns the shape of ``x`` as a tuple (None for unknown sizes of a KerasTensor)."""
    if type(x) is KerasTensor:
        return tuple(x.shape)
    return tuple(to_tensor(x).shape)


def dtype(x):
    """Returns the dtype name of ``x``."""
    if type(x) is KerasTensor:
        return x.dtype
    return to_tensor(x).dtype.name


def is_tensor(x):
    """Returns True for a backend tensor (a tapeflow Tensor or Variable)."""
    return isinstance(x, Tensor) or hasattr(type(x), "__tf_tensor__")


def custom_gradient(f):
    """Decorates ``f`` returning ``(y, grad_fn)`` so that ``grad_fn(*dys)`` gives the input
    gradients (Keras's TensorFlow-backend signature, ``upstream`` as the argument)."""
    return tf.custom_gradient(f)


@keras_op
def unstack(x, num=None, axis=0):
    """Returns the slices of ``x`` along ``axis`` as a list."""
    return list(tf.unstack(to_tensor(x), axis=axis))


__all__ = ["associative_scan", "cast", "cond", "convert_to_numpy", "convert_to_tensor",
           "custom_gradient", "dtype", "fori_loop", "is_tensor", "map", "saturate_cast", "scan",
           "scatter", "scatter_update", "shape", "slice", "slice_update", "stop_gradient",
           "switch", "unstack", "vectorized_map", "while_loop"]
