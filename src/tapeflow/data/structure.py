"""Element structures for tf.data: flatten/pack nests and convert leaves to arrays.

tf.data treats tuples, namedtuples and dicts as structure and *lists as tensors*
(``from_tensor_slices([1, 2, 3])`` slices one int32 tensor), unlike ``tf.nest``.
Internally an element is a flat tuple of NumPy arrays plus a structure template.
"""
import collections.abc

import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.tensor_spec import TensorSpec

_LEAF = None  # the template of a single tensor


def is_structure(x):
    """True for the containers tf.data walks: tuples (and namedtuples) and mappings."""
    return isinstance(x, (tuple, collections.abc.Mapping))


def _keys(d):
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def flatten(s):
    """Returns the leaves of ``s`` (tuples/dicts walked, dicts by sorted key) as a list."""
    if type(s) is tuple:
        out = []
        for x in s:
            if is_structure(x):
                out.extend(flatten(x))
            else:
                out.append(x)
        return out
    if isinstance(s, tuple):
        return [y for x in s for y in flatten(x)]
    if isinstance(s, collections.abc.Mapping):
        return [y for k in _keys(s) for y in flatten(s[k])]
    return [s]


def pack(template, flat):
    """Returns the leaves ``flat`` rebuilt in the shape of ``template``."""
    if template is _LEAF:
        return flat[0]
    it = iter(flat)
    return _pack(template, it)


def _pack(t, it):
    if t is _LEAF:
        return next(it)
    if isinstance(t, tuple):
        items = [_pack(x, it) for x in t]
        if hasattr(type(t), "_fields"):
            return type(t)(*items)
        return tuple(items)
    packed = {k: _pack(t[k], it) for k in _keys(t)}
    if type(t) is dict:
        return {k: packed[k] for k in t}
    return type(t)((k, packed[k]) for k in t)


def template_of(s):
    """Returns the structure of ``s`` with every leaf replaced by None."""
    if isinstance(s, tuple):
        items = [template_of(x) for x in s]
        return type(s)(*items) if hasattr(type(s), "_fields") else tuple(items)
    if isinstance(s, collections.abc.Mapping):
        if type(s) is dict:
            return {k: template_of(s[k]) for k in s}
        return type(s)((k, template_of(s[k])) for k in s)  # OrderedDict stays one
    return _LEAF


def is_dataset(x):
    """True for a ``tf.data.Dataset`` leaf (``window`` makes elements that are datasets)."""
    return hasattr(x, "_gen") and hasattr(x, "element_spec")


def is_passthrough(x):
    """True for leaves that travel as objects, not arrays: datasets, sparse and ragged tensors."""
    if is_dataset(x):
        return True
    from tapeflow.data.composite import is_composite
    return is_composite(x)


def to_array(x, dtype=None):
    """Converts one leaf (Tensor, Variable, NumPy array, Python value) to a NumPy array.

    Python values follow TensorFlow's rules (floats float32, ints int32, str bytes).
    A dataset leaf is returned as it is.
    """
    if type(x) is Tensor:
        v = x._value
    elif isinstance(x, np.ndarray) and dtype is None:
        v = x
        if v.dtype.kind in "US":
            v = _strings(v)
    elif is_passthrough(x):
        return x
    else:
        v = convert_to_tensor(x, dtype=dtype)._value
    v = np.asarray(v)
    if v.dtype.kind == "O":
        v = _strings(v)
    return v


def _strings(v):
    """Object array of bytes (TensorFlow strings are bytes)."""
    out = np.empty(v.shape, dtype=object)
    flat = v.reshape(-1)
    out.reshape(-1)[:] = [s.encode("utf-8") if isinstance(s, str) else
                          (bytes(s) if isinstance(s, np.bytes_) else s) for s in flat]
    return out


def spec_of(arr, drop_first=False):
    """Returns the TensorSpec of an array (of its slices when ``drop_first``); the
    DatasetSpec of a dataset leaf."""
    if type(arr) is not np.ndarray:
        if is_dataset(arr):
            from tapeflow.data.transformations import DatasetSpec
            return DatasetSpec(arr.element_spec)
        from tapeflow.data import composite
        if composite.is_composite(arr):
            return composite.spec_of(arr, drop_first)
    shape = arr.shape[1:] if drop_first else arr.shape
    return TensorSpec(shape, dtypes.as_dtype(arr.dtype) if arr.dtype.kind != "O" else dtypes.string)


def specs_to_element_spec(template, specs):
    """Returns the element_spec nest for a template and flat TensorSpecs."""
    return pack(template, list(specs))


def is_flat_tuple(template):
    """True for a plain tuple of leaves, the common ``(x, y)`` element."""
    return type(template) is tuple and all(t is _LEAF for t in template)


def _leaf(a):
    return Tensor(a) if type(a) is np.ndarray or not is_passthrough(a) else a


def wrap(template, arrays):
    """Returns the element as a nest of Tensors (dataset leaves, from ``window``, as they are)."""
    if template is _LEAF:
        return _leaf(arrays[0])
    if type(template) is tuple and is_flat_tuple(template):
        return tuple([_leaf(a) for a in arrays])
    return pack(template, [_leaf(a) for a in arrays])


def flatten_like(template, value):
    """Returns the leaves of ``value`` (cheap for a leaf or a flat tuple)."""
    if template is _LEAF:
        return [value]
    if type(value) is tuple and len(value) == len(template) and is_flat_tuple(template) \
            and not any(is_structure(v) for v in value):
        return value
    return flatten(value)


def wrap_numpy(template, arrays):
    """Returns the element as a nest of NumPy values (scalars for 0-d, bytes for strings)."""
    if any(type(a) is not np.ndarray for a in arrays):
        from tapeflow.data import composite
        for a in arrays:
            if type(a) is not np.ndarray and is_dataset(a):
                raise TypeError("`tf.data.Dataset.as_numpy_iterator()` is not supported for "
                                "datasets that produce values of type <class 'tapeflow.data."
                                "Dataset'>")
        arrays = [composite.to_numpy(a) if composite.is_composite(a) else a for a in arrays]
    vals = [a[()] if type(a) is np.ndarray and a.ndim == 0 else a for a in arrays]
    if template is _LEAF:
        return vals[0]
    return pack(template, vals)


def normalize_output(value):
    """Converts a map function's return value: top-level lists become tuples (as TF does)."""
    if isinstance(value, list):
        return tuple(value)
    return value
