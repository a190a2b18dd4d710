"""``Dataset.group_by_window`` and ``Dataset.bucket_by_sequence_length``."""
import numpy as np

from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.data import structure as st
from tapeflow.data.dataset import UNKNOWN, Dataset
from tapeflow.data.transformations import call_fn


class _ListDataset(Dataset):
    """A finite dataset over a list of flat elements (one group's window)."""

    _tf_name = "_VariantDataset"

    def __init__(self, items, template, specs):
        self._items = items
        super().__init__(template, specs, len(items))

    def _gen(self):
        yield from self._items


class _GroupByWindowDataset(Dataset):
    _tf_name = "_GroupByWindowDataset"

    def __init__(self, input_ds, key_func, reduce_func, window_size, window_size_func):
        if (window_size is None) == (window_size_func is None):
            raise ValueError("Either the `window_size` argument or the `window_size_func` "
                             "argument must be specified.")
        self._input = input_ds
        self._key = key_func
        self._reduce = reduce_func
        self._size = window_size
        self._size_func = window_size_func
        super().__init__(None, None, UNKNOWN)

    def _infer(self):
        inp = self._input
        flat = next(iter(inp._gen()), None)
        if flat is None:
            raise ValueError("Cannot infer the element_spec of `group_by_window` over an "
                             "empty dataset.")
        out = self._reduce_window(0, [flat])
        self._tmpl = out._template
        self._spec_list = [type(s)([None] + s.shape.as_list()[1:], s.dtype)
                           if s.shape.rank else s for s in out._specs]

    def _key_of(self, flat):
        inp = self._input
        k = st.to_array(call_fn(self._key, inp._element(flat)))
        if k.dtype != np.int64 or k.ndim != 0:
            raise ValueError(f"`key_func` must return a single tf.int64 scalar tensor. "
                             f"Got type={k.dtype} and shape={k.shape}")
        return int(k)

    def _window_size(self, key):
        if self._size is not None:
            return int(self._size)
        s = int(st.to_array(call_fn(self._size_func, (st.wrap(st._LEAF, [np.int64(key)]),))))
        if s <= 0:
            raise InvalidArgumentError(None, None, "Window size must be greater than zero, "
                                       f"but got {s}.")
        return s

    def _reduce_window(self, key, items):
        inp = self._input
        window = _ListDataset(items, inp._template, inp._specs)
        out = call_fn(self._reduce, (st.wrap(st._LEAF, [np.asarray(key, np.int64)]), window),
                      unpack=True)
        if not isinstance(out, Dataset):
            raise TypeError("`reduce_func` must return a `tf.data.Dataset` object.")
        return out

    def _gen(self):
        groups, sizes = {}, {}
        for flat in self._input._gen():
            k = self._key_of(flat)
            if k not in groups:
                groups[k] = []
                sizes[k] = self._window_size(k)
            groups[k].append(flat)
            if len(groups[k]) == sizes[k]:
                yield from self._reduce_window(k, groups.pop(k))._gen()
                del sizes[k]
        for k in list(groups):
            yield from self._reduce_window(k, groups.pop(k))._gen()


def group_by_window(ds, key_func, reduce_func, window_size=None, window_size_func=None):
    """Returns ``reduce_func(key, window)`` datasets, flattened: elements are grouped by
    ``key_func`` into windows of ``window_size`` (or ``window_size_func(key)``); leftover
    windows are reduced at the end, in order of first appearance."""
    return _GroupByWindowDataset(ds, key_func, reduce_func, window_size, window_size_func)


def bucket_by_sequence_length(ds, element_length_func, bucket_boundaries, bucket_batch_sizes,
                              padded_shapes=None, padding_values=None,
                              pad_to_bucket_boundary=False, no_padding=False,
                              drop_remainder=False):
    """Returns ``ds`` batched by length bucket: an element of length ``L`` falls in the
    bucket ``i`` with ``boundaries[i-1] <= L < boundaries[i]``, and each bucket is
    (padded-)batched with its own batch size.

    Raises:
      ValueError: if ``len(bucket_batch_sizes) != len(bucket_boundaries) + 1``.
    """
    bounds = [int(b) for b in bucket_boundaries]
    sizes = [int(b) for b in bucket_batch_sizes]
    if len(sizes) != len(bounds) + 1:
        raise ValueError(f"`len(bucket_batch_sizes)` must equal `len(bucket_boundaries) + 1` "
                         f"but `len(bucket_batch_sizes)={len(sizes)}` and "
                         f"`len(bucket_boundaries)={len(bounds)}`.")
    if any(b >= a for a, b in zip(bounds[1:], bounds)) and len(bounds) > 1:
        raise ValueError(f"Buckets must be sorted: {bounds}")

    def key(*element):
        n = int(st.to_array(element_length_func(*element)))
        if pad_to_bucket_boundary and n >= bounds[-1]:
            raise InvalidArgumentError(None, None, "When pad_to_bucket_boundary=True, elements "
                                       "must have length < max(bucket_boundaries).")
        return np.int64(np.searchsorted(bounds, n, side="right"))

    def reduce(bucket, window):
        b = int(bucket.numpy())
        if no_padding:
            return window.batch(sizes[b], drop_remainder=drop_remainder)
        shapes = padded_shapes
        if pad_to_bucket_boundary and shapes is None:
            shapes = st.pack(window._template, [
                [bounds[b] - 1 if i == 0 else d for i, d in enumerate(s.shape.as_list())]
                for s in window._specs])
        return window.padded_batch(sizes[b], padded_shapes=shapes,
                                   padding_values=padding_values, drop_remainder=drop_remainder)

    return _GroupByWindowDataset(ds, key, reduce, None, lambda b: np.int64(sizes[int(b)]))
