"""Turning what ``fit``/``evaluate``/``predict`` receive into batches.

Accepted: NumPy arrays, Tensors, Python lists of numbers, and lists/tuples/dicts
of those (multi-input / multi-output); a ``tf.data.Dataset``; a Python
generator or any other iterable yielding ``x``, ``(x,)``, ``(x, y)`` or
``(x, y, sample_weight)``. Each batch is a tuple ``(x,)``, ``(x, y)`` or
``(x, y, sample_weight)`` of Tensors in the structure that was given.
"""
import math

import numpy as np

from tapeflow.framework import nest
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.variable import array_of


def unpack_x_y_sample_weight(data):
    """Returns ``(x, y, sample_weight)`` from a batch (missing parts are None).

    Raises:
      ValueError: for a tuple of more than 3 elements.
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found: {data}")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Returns ``x`` (or ``(x,)`` when ``x`` is a list/tuple), ``(x, y)`` or ``(x, y, sw)``.

    As in Keras, a lone input is not wrapped in a tuple, so ``train_step``
    receives the array itself when ``fit`` gets no targets.
    """
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _to_array(v):
    """One leaf as a NumPy array; float64 becomes float32 (Keras's floatx)."""
    if type(v) is Tensor or isinstance(v, Tensor):
        a = np.asarray(array_of(v))
    elif hasattr(type(v), "__tf_tensor__"):
        a = np.asarray(v)
    else:
        a = np.asarray(v)
        if a.dtype.kind in "USO":   # Keras 3 takes strings as tensors (tf.constant), not NumPy
            raise ValueError(f"Invalid dtype: {_keras_dtype_name(a.dtype)}")
    if a.dtype == np.float64:
        a = a.astype(np.float32)
    elif a.dtype.kind in "US":
        a = a.astype(object)
    return a


def _keras_dtype_name(dtype):
    """NumPy's name of a string/object dtype as Keras 3 prints it (``str96``, ``bytes24``)."""
    if dtype.kind == "U":
        return f"str{dtype.itemsize * 8}"
    if dtype.kind == "S":
        return f"bytes{dtype.itemsize * 8}"
    return dtype.name


def _is_array_like(v):
    return isinstance(v, (np.ndarray, Tensor)) or hasattr(type(v), "__tf_tensor__") or (
        isinstance(v, (list, tuple)) and len(v) > 0 and all(
            isinstance(e, (int, float, bool, np.number)) or
            (isinstance(e, (list, tuple)) and _is_array_like(e)) for e in v))


def _arrays(structure):
    """The structure with leaves as arrays; a list of numbers is one array, not a nest."""
    if structure is None:
        return None
    if _is_array_like(structure) or not nest.is_nested(structure):
        return _to_array(structure)
    if isinstance(structure, dict):
        return {k: _arrays(v) for k, v in structure.items()}
    return type(structure)(_arrays(v) for v in structure) if isinstance(structure, tuple) \
        else [_arrays(v) for v in structure]


def is_array_data(x):
    """True when ``x`` is an array or a nest of arrays (as opposed to a dataset/generator)."""
    if x is None:
        return False
    if isinstance(x, (np.ndarray, Tensor)) or hasattr(type(x), "__tf_tensor__"):
        return True
    if isinstance(x, dict):
        return all(is_array_data(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        return _is_array_like(x) or all(is_array_data(v) for v in x)
    return False


class ArrayAdapter:
    """Batches in-memory arrays; shuffles sample order every epoch when asked."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps=None,
                 shuffle=False, class_weight=None):
        self.x, self.y, self.sample_weight = _arrays(x), _arrays(y), _arrays(sample_weight)
        if class_weight is not None:
            if self.y is None or nest.is_nested(self.y):
                raise ValueError("`class_weight` is only supported for Models with a single "
                                 "output.")
            cw = class_weight_to_sample_weights(self.y, class_weight)
            self.sample_weight = cw if self.sample_weight is None else self.sample_weight * cw
        self._parts = [p for p in (self.x, self.y, self.sample_weight) if p is not None]
        self._flat = nest.flatten(self._parts)
        sizes = {int(a.shape[0]) if a.ndim else 1 for a in self._flat}
        if len(sizes) > 1:
            detail = ", ".join(str(a.shape) for a in self._flat)
            raise ValueError("Data cardinality is ambiguous. Make sure all arrays contain the "
                             f"same number of samples. Received arrays of shapes: {detail}")
        self.num_samples = sizes.pop() if sizes else 0
        self.batch_size = int(batch_size) if batch_size else 32   # 0 or None: Keras's 32
        self.shuffle = shuffle
        full = int(math.ceil(self.num_samples / self.batch_size)) if self.num_samples else 0
        self._steps = full if steps is None else int(steps)
        self._simple = not any(nest.is_nested(p) for p in self._parts)  # plain arrays
        self._pack = len(self._parts) > 1  # a lone array x is yielded as itself

    @property
    def num_batches(self):
        """Returns the number of batches per epoch."""
        return self._steps

    def __iter__(self):
        n, bs, flat = self.num_samples, self.batch_size, self._flat
        index = None
        if self.shuffle == "batch":
            order = np.random.permutation(int(math.ceil(n / bs)))
            index = np.concatenate([np.arange(b * bs, min(n, (b + 1) * bs)) for b in order])
        elif self.shuffle:
            index = np.random.permutation(n)
            # Each batch holds the same samples as Keras's, read in memory order:
            # the row gather is ~30% faster and the order inside a batch does
            # not change its loss or gradients.
            full = (n // bs) * bs
            index[:full].reshape(-1, bs).sort(axis=1)
            index[full:].sort()
        produced = 0
        while produced < self._steps:
            for start in range(0, n, bs):
                if produced >= self._steps:
                    return
                if index is None:
                    leaves = [Tensor(a[start:start + bs]) for a in flat]
                else:
                    rows = index[start:start + bs]
                    leaves = [Tensor(a[rows]) for a in flat]
                produced += 1
                if self._simple:
                    yield tuple(leaves) if self._pack else leaves[0]
                else:
                    yield pack_x_y_sample_weight(*nest.pack_sequence_as(self._parts, leaves))


def class_weight_to_sample_weights(y, class_weight):
    """Returns float32 per-sample weights ``class_weight[label]`` for labels or one-hot ``y``."""
    y = np.asarray(y)
    labels = np.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else \
        np.round(y.reshape(y.shape[0], -1)[:, 0]).astype(np.int64)
    table = np.zeros(max(int(labels.max()) if labels.size else 0,
                         max(class_weight) if class_weight else 0) + 1, np.float32)
    table[:] = 1.0
    for k, w in class_weight.items():
        table[int(k)] = w
    return table[labels]


class IterableAdapter:
    """Batches from a ``tf.data.Dataset``, a generator or another iterable of batches."""

    def __init__(self, data, steps=None, class_weight=None):
        self.data = data
        self._steps = None if steps is None else int(steps)
        self.class_weight = class_weight
        self._iterator = None
        n = None
        if hasattr(data, "__len__"):
            try:
                n = len(data)
            except TypeError:
                n = None
        card = getattr(data, "cardinality", None)
        if n is None and callable(card):
            try:
                c = int(np.asarray(card()))
                n = c if c >= 0 else None
            except (TypeError, ValueError):
                n = None
        self._len = n

    @property
    def num_batches(self):
        """Returns the number of batches per epoch, or None when unknown."""
        return self._steps if self._steps is not None else self._len

    def __iter__(self):
        if self._steps is None:
            for element in self.data:
                yield self._standardize(element)
            return
        # With a step count the iterator carries over between epochs (a
        # generator or a repeated dataset is read on where the last epoch stopped).
        if self._iterator is None:
            self._iterator = iter(self.data)
        for _ in range(self._steps):
            try:
                element = next(self._iterator)
            except StopIteration:
                self._iterator = None
                return
            yield self._standardize(element)

    def _standardize(self, element):
        # The element keeps its structure (as Keras passes a dataset's elements
        # to train_step); only its leaves become Tensors.
        element = _tensors(element)
        if self.class_weight is None:
            return element
        x, y, sw = unpack_x_y_sample_weight(element)
        if y is not None:
            cw = class_weight_to_sample_weights(np.asarray(y), self.class_weight)
            sw = Tensor(cw) if sw is None else Tensor(np.asarray(sw) * cw)
        return pack_x_y_sample_weight(x, y, sw)


def _tensors(s):
    if s is None:
        return None
    if type(s) is Tensor:
        return s
    if isinstance(s, dict):
        return {k: _tensors(v) for k, v in s.items()}
    if isinstance(s, (list, tuple)) and not _is_array_like(s):
        return type(s)(_tensors(v) for v in s) if isinstance(s, tuple) else \
            [_tensors(v) for v in s]
    return Tensor(_to_array(s))


def train_validation_split(arrays, validation_split):
    """Splits a nest of arrays: the last ``validation_split`` fraction is validation.

    Returns:
      ``(train_arrays, val_arrays)`` with the same structure.
    """
    flat = nest.flatten(arrays)
    flat_arrays = [a for a in flat if a is not None]
    n = int(flat_arrays[0].shape[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to "
                         f"split it into a validation and training set as specified by "
                         f"`validation_split={validation_split}`. Either provide more data, "
                         "or a different value for the `validation_split` argument.")
    train = [None if a is None else a[:split_at] for a in flat]
    val = [None if a is None else a[split_at:] for a in flat]
    return nest.pack_sequence_as(arrays, train), nest.pack_sequence_as(arrays, val)


def get_adapter(x, y=None, sample_weight=None, batch_size=None, steps=None, shuffle=False,
                class_weight=None):
    """Returns an adapter (iterable of batches with ``num_batches``) for ``fit``'s inputs.

    Raises:
      ValueError: for ``y`` given with a dataset/generator, or unsupported input.
    """
    if x is None:
        raise ValueError("Unexpected value for `x`: None. Expected a NumPy array, a tensor, "
                         "a dict or list of those, a tf.data.Dataset or a generator.")
    if is_array_data(x):
        return ArrayAdapter(x, y, sample_weight, batch_size, steps, shuffle, class_weight)
    if y is not None:
        raise ValueError("When providing `x` as a tf.data.Dataset or a generator, `y` should "
                         f"not be passed. Instead, the targets should be included as part of "
                         f"the dataset `x`. Received: y={y!r}")
    if sample_weight is not None:
        raise ValueError("`sample_weight` argument is not supported when using a dataset or a "
                         "generator as input. Instead, provide the sample weights as part of "
                         "the dataset elements.")
    if not hasattr(x, "__iter__"):
        raise ValueError(f"Unrecognized data type: x={x!r} (of type {type(x).__name__})")
    return IterableAdapter(x, steps, class_weight)
