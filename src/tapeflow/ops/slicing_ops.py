"""``tensor[key]``, ``tf.slice``, ``tf.strided_slice`` and ``tf.boolean_mask``.

All of them run one op, ``StridedSlice`` (declared with ``defop``), whose attribute is a NumPy
index (ints, slices, None, Ellipsis, or integer arrays for masks). Its gradient
scatters ``dy`` into zeros of the input's shape; array indices accumulate with
``np.add.at`` so that repeated positions sum, as TensorFlow does.
"""
import re

from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework import primitive as _prim
from tapeflow.framework.op_def import ANY, defop
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.graph import func_graph as _func_graph
from tapeflow.ops.creation_ops import _t

_slice = slice  # the builtin; ``slice`` is redefined below as tf.slice
_tapes = _prim.ACTIVE
_record = _prim.record
_PLAIN = (int, _slice, type(None), type(Ellipsis))


def _slice_np(x, key):
    try:
        out = x[key]
    except IndexError as e:
        raise _index_error(x.shape, e) from None
    except ValueError as e:  # slice step cannot be zero
        raise InvalidArgumentError(None, "StridedSlice", f"{e} (input shape {list(x.shape)}). "
                                   f"[Op:StridedSlice]") from None
    if type(out) is not np.ndarray and x.dtype.kind == "O":
        return np.array(out, dtype=object)   # a string element stays a 0-d object array
    return out


def _slice_grad(op, dy):
    """Scatters dy into zeros of the input's shape at the sliced positions."""
    return _slice_grad_kernel(dy, shape=op.inputs[0]._value.shape, key=op.attrs["key"])


def _slice_grad_np(dy, shape, key):
    out = np.zeros(shape, dtype=dy.dtype)
    if _has_array_index(key):
        np.add.at(out, key, dy)  # repeated positions accumulate
    else:
        out[key] = dy
    return out


def _slice_grad_grad(op, ddx):
    """The scatter is linear: its gradient is the slice of ddx at the same key."""
    return _slice_kernel(ddx, key=op.attrs["key"]), None


_slice_grad_kernel = defop("StridedSliceGrad", _slice_grad_np, _slice_grad_grad,
                           dtypes=ANY).op_def.op


def _has_array_index(key):
    if type(key) is tuple:
        for k in key:
            if type(k) is np.ndarray:
                return True
        return False
    return type(key) is np.ndarray


_BOUNDS = re.compile(r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)")


def _index_error(shape, err):
    """An InvalidArgumentError naming the bad index, the dimension and the input shape."""
    m = _BOUNDS.search(str(err))
    if m:
        text = f"slice index {m.group(1)} of dimension {m.group(2)} out of bounds"
    elif "too many indices" in str(err):
        text = f"Index out of range using input dim {len(shape)}; input has only " \
               f"{len(shape)} dims"
    else:
        text = str(err)
    return InvalidArgumentError(None, "StridedSlice", f"{text} (input shape {list(shape)}). "
                                f"[Op:StridedSlice]")


def _bad_index(k):
    return TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and "
                     f"scalar tf.int32/tf.int64 tensors are valid indices, got {k!r}")


def _scalar_index(k):
    v = convert_to_tensor(k)._value
    if v.ndim == 0 and v.dtype.kind in "iu":
        return int(v)
    raise _bad_index(k)


def _norm_item(k):
    """Converts one index item to an int, a slice of ints, None or Ellipsis."""
    t = type(k)
    if t is int or k is None or k is Ellipsis:
        return k
    if t is _slice:
        parts = (k.start, k.stop, k.step)
        if all(p is None or type(p) is int for p in parts):
            return k
        return _slice(*(p if p is None or type(p) is int else _scalar_index(p)
                        for p in parts))
    if isinstance(k, (np.integer, Tensor, np.ndarray)) or hasattr(t, "__tf_tensor__"):
        return _scalar_index(k)
    raise _bad_index(k)


def _is_mask(key):
    if isinstance(key, (Tensor, np.ndarray)) or hasattr(type(key), "__tf_tensor__"):
        return convert_to_tensor(key)._value.dtype == np.bool_
    return False


def _getitem_args(tensor, key):
    """``tensor[key]`` with TensorFlow's rules.

    Ints, slices (negative steps too), Ellipsis, ``None``/``tf.newaxis`` and
    scalar integer tensors index as in NumPy; a Python list is read as a tuple;
    a boolean tensor or array is a mask (``tf.boolean_mask``).

    Returns:
      The selected Tensor.

    Raises:
      InvalidArgumentError: for an index out of range (naming the input shape).
      TypeError: for any other kind of index (floats, integer arrays ...).
    """
    tk = type(key)
    if type(tensor) is Tensor and (tk is int or tk is _slice and _plain_slice(key)):
        # the common case (one int or plain slice) as the normaliser's shortcut result: the
        # generic wrapper's dispatch costs as much as the slice itself
        v = tensor._value
        if v.ndim and v.dtype.kind != "O":
            try:
                out = v[key]
            except (IndexError, ValueError):
                pass                   # the general path raises TensorFlow's error
            else:
                result = Tensor(out)
                if _tapes:
                    _record(_slice_kernel, (tensor,), (result,), {"key": key})
                return result
    x = tensor if type(tensor) is Tensor else convert_to_tensor(tensor)
    if tk is tuple:
        for k in key:
            if type(k) not in _PLAIN or (type(k) is _slice and not _plain_slice(k)):
                key = tuple(_norm_item(k) for k in key)
                break
    elif tk is list:
        key = tuple(_norm_item(k) for k in key)  # TensorFlow reads a list as a tuple
    elif tk is not int and not (tk is _slice and _plain_slice(key)):
        if _is_mask(key):
            return boolean_mask(x, key)
        key = _norm_item(key)
    return (x,), {"key": key}


# ``tensor[key]`` (and the op tf.slice and tf.strided_slice run with a plain key)
_apply_key = defop("StridedSlice", _slice_np, _slice_grad, dtypes=ANY, args=_getitem_args)
_slice_kernel = _apply_key.op_def.op
_getitem = _apply_key


def _as_array(v, out):
    """Keeps a string element (``bytes`` from an object array) a 0-d object array."""
    if v.dtype.kind == "O" and type(out) is not np.ndarray:
        return np.array(out, dtype=object)
    return out


def _plain_slice(s):
    return (s.start is None or type(s.start) is int) and (
        s.stop is None or type(s.stop) is int) and (s.step is None or type(s.step) is int)


def boolean_mask(tensor, mask, axis=None, name="boolean_mask"):
    """Returns the elements (or rows) of ``tensor`` where ``mask`` is True.

    ``mask`` must have the shape of ``tensor``'s dimensions ``axis`` to
    ``axis + rank(mask)``; those dimensions collapse into one.

    Returns:
      A Tensor of shape ``tensor.shape[:axis] + [count] + tensor.shape[axis+rank(mask):]``.

    Raises:
      ValueError: if the mask's shape does not match (as TensorFlow's shape check).
    """
    x = _t(tensor)
    m = np.asarray(_t(mask)._value)
    axis = 0 if axis is None else int(axis)
    xs = x._value.shape
    if m.ndim == 0:
        raise ValueError("mask cannot be scalar.")
    if xs[axis:axis + m.ndim] != m.shape:
        raise ValueError(f"Shapes {xs[axis:axis + m.ndim]} and {m.shape} are incompatible")
    if m.dtype != np.bool_:
        raise InvalidArgumentError(None, "BooleanMask", f"mask must be a bool tensor, got "
                                   f"{convert_to_tensor(m).dtype.name}")
    key = (_slice(None),) * axis + tuple(np.nonzero(m))
    return _slice_kernel(x, key=key)


def _int_list(v, what):
    if isinstance(v, (int, np.integer)):
        return [int(v)]
    if isinstance(v, Tensor) or hasattr(type(v), "__tf_tensor__"):
        return [int(i) for i in np.ravel(convert_to_tensor(v)._value)]
    return [int(i) for i in v]


def slice(input_, begin, size, name=None):  # noqa: A001  (TensorFlow's name)
    """Returns the block of ``input_`` starting at ``begin`` with extent ``size``.

    A size of -1 takes everything from ``begin`` to the end of that dimension.

    Returns:
      A Tensor of shape ``size`` (with -1 resolved).

    Raises:
      InvalidArgumentError: if ``begin``/``size`` do not fit the input's shape.
    """
    x = _t(input_)
    shp = x._value.shape
    if isinstance(begin, (list, tuple)) and not begin:   # ``[]`` converts to float32
        raise InvalidArgumentError(None, "Slice", "Value for attr 'Index' of float is not in "
                                   "the list of allowed values: int32, int64 [Op:Slice]")
    b, s = _int_list(begin, "begin"), _int_list(size, "size")
    if len(b) != len(shp) or len(s) != len(shp):
        raise InvalidArgumentError(
            None, "Slice", f"Expected begin and size arguments to be 1-D tensors of size "
            f"{len(shp)}, but got shapes [{len(b)}] and [{len(s)}] instead. [Op:Slice]")
    key = []
    for i, (bi, si, n) in enumerate(zip(b, s, shp)):
        if si == -1:
            si = n - bi
        if not 0 <= bi <= n:
            raise InvalidArgumentError(None, "Slice", f"Expected begin[{i}] in [0, {n}], but "
                                       f"got {bi} (input shape {list(shp)}) [Op:Slice]")
        if not 0 <= si <= n - bi:
            raise InvalidArgumentError(None, "Slice", f"Expected size[{i}] in [0, {n - bi}], "
                                       f"but got {si} (input shape {list(shp)}) [Op:Slice]")
        key.append(_slice(bi, bi + si))
    return _apply_key(x, tuple(key))


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0,
                  ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """Returns ``input_[begin:end:strides]`` per dimension, with TensorFlow's bit masks.

    Bit ``i`` of ``begin_mask``/``end_mask`` ignores ``begin[i]``/``end[i]``;
    of ``ellipsis_mask`` makes item ``i`` an Ellipsis; of ``new_axis_mask`` a new
    axis; of ``shrink_axis_mask`` an integer index ``begin[i]``.

    Returns:
      The sliced Tensor.
    """
    x = _t(input_)
    b, e = _int_list(begin, "begin"), _int_list(end, "end")
    st = [1] * len(b) if strides is None else _int_list(strides, "strides")
    key = []
    for i in range(len(b)):
        bit = 1 << i
        if ellipsis_mask & bit:
            key.append(Ellipsis)
        elif new_axis_mask & bit:
            key.append(None)
        elif shrink_axis_mask & bit:
            key.append(b[i])
        else:
            key.append(_slice(None if begin_mask & bit else b[i],
                              None if end_mask & bit else e[i], st[i]))
    return _apply_key(x, tuple(key))


__all__ = ["boolean_mask", "slice", "strided_slice"]


# Inside a tf.function trace, these compute from traced values outside the op mechanism,
# so such a call becomes one graph node that runs again on every call.
_getitem = _func_graph.opaque(_getitem, argnums=(1,))
boolean_mask = _func_graph.opaque(boolean_mask)
slice = _func_graph.opaque(slice, argnums=(1, 2), names=("begin", "size"))  # noqa: A001
