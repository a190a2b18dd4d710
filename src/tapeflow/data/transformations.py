"""Element-wise and order transformations: map, filter, shuffle, repeat, take, window ..."""
import collections
import itertools
import os

import numpy as np

from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.tensor_shape import TensorShape
from tapeflow.framework.tensor_spec import TensorSpec
from tapeflow.data import structure as st
from tapeflow.data.dataset import Dataset, INFINITE, UNKNOWN


def call_fn(fn, element, unpack=None):
    """Calls ``fn`` on an element: a plain tuple is spread over positional arguments."""
    if type(element) is tuple if unpack is None else unpack:
        return fn(*element)
    return fn(element)


def _flat_result(value):
    """Returns (template, flat arrays) of a function's result."""
    value = st.normalize_output(value)
    return st.template_of(value), [st.to_array(x) for x in st.flatten(value)]


def _flat(r):
    for x in r:
        if isinstance(x, (tuple, dict, list)):
            return False
    return True


def _first(ds):
    """Returns the first flat element of ``ds``, or None when it is empty."""
    g = ds._gen()
    try:
        return next(g, None)
    finally:
        g.close()


def _input_batched(ds):
    """The leading size of ``ds``'s components when their spec leaves it unknown."""
    for s in ds._specs:
        if s.shape.rank and s.shape[0] is None:
            return True
    return False


class _MapDataset(Dataset):
    def __init__(self, input_ds, fn, num_parallel_calls=None, output_spec=None):
        # ``output_spec``: (template, specs) when the caller knows them (internal use),
        # which saves running ``fn`` once to find them.
        if not callable(fn):
            raise TypeError(f"`map_func` must be callable. Received: {fn!r}")
        self._input = input_ds
        self._fn = fn
        self._tf_name = "_ParallelMapDataset" if num_parallel_calls is not None else "_MapDataset"
        tmpl, specs = output_spec if output_spec is not None else (None, None)
        super().__init__(tmpl, specs, input_ds._card)

    def _infer(self):
        inp = self._input
        flat = _first(inp)
        if flat is None:
            raise ValueError("Cannot infer the element_spec of `map` over an empty dataset.")
        tmpl, arrays = _flat_result(call_fn(self._fn, inp._element(flat)))
        relax = _input_batched(inp)
        lead = flat[0].shape[0] if relax and flat and flat[0].ndim else None
        specs = []
        for a in arrays:
            if type(a) is not np.ndarray and st.is_passthrough(a):
                specs.append(st.spec_of(a))
                continue
            shape = list(a.shape)
            if relax and shape and shape[0] == lead:
                shape[0] = None
            specs.append(TensorSpec(shape, st.spec_of(a).dtype))
        self._tmpl, self._spec_list = tmpl, specs

    def _gen(self):
        inp = self._input
        element = inp._element
        fn = self._fn
        to_array = st.to_array
        unpack = type(inp._template) is tuple
        for flat in inp._gen():
            r = fn(*element(flat)) if unpack else fn(element(flat))
            if type(r) is tuple or type(r) is list:
                yield tuple([x._value if type(x) is Tensor else to_array(x)
                             for x in (r if _flat(r) else st.flatten(tuple(r)))])
            elif type(r) is Tensor:
                yield (r._value,)
            elif isinstance(r, (tuple, dict)):
                yield tuple([to_array(x) for x in st.flatten(r)])
            else:
                yield (to_array(r),)


class _FilterDataset(Dataset):
    def __init__(self, input_ds, predicate):
        self._input = input_ds
        self._pred = predicate
        super().__init__(input_ds._template, input_ds._specs, UNKNOWN)

    def _gen(self):
        inp = self._input
        element = inp._element
        unpack = type(inp._template) is tuple
        pred = self._pred
        for flat in inp._gen():
            r = st.to_array(pred(*element(flat)) if unpack else pred(element(flat)))
            if r.dtype != np.bool_ or r.ndim != 0:
                raise ValueError("Invalid `predicate`. `predicate` must return a `tf.bool` "
                                 f"scalar tensor, but its return type is {st.spec_of(r)}.")
            if r:
                yield flat


class _TakeWhileDataset(_FilterDataset):
    def _gen(self):
        inp = self._input
        unpack = type(inp._template) is tuple
        for flat in inp._gen():
            if not st.to_array(call_fn(self._pred, inp._element(flat), unpack)):
                return
            yield flat


class _UniqueDataset(Dataset):
    def __init__(self, input_ds):
        if input_ds._template is not None or input_ds._specs[0].shape.rank != 0:
            raise TypeError("`tf.data.Dataset.unique` only supports datasets of scalar "
                            f"tensors. Received: {input_ds.element_spec}")
        self._input = input_ds
        super().__init__(None, input_ds._specs, UNKNOWN)

    def _gen(self):
        seen = set()
        for flat in self._input._gen():
            v = flat[0][()]
            if v not in seen:
                seen.add(v)
                yield flat


class _FlatMapDataset(Dataset):
    def __init__(self, input_ds, fn):
        self._input = input_ds
        self._fn = fn
        super().__init__(None, None, UNKNOWN)

    def _datasets(self):
        inp = self._input
        unpack = type(inp._template) is tuple
        for flat in inp._gen():
            ds = call_fn(self._fn, inp._element(flat), unpack)
            if not isinstance(ds, Dataset):
                raise TypeError("The `map_func` argument must return a `Dataset` object. "
                                f"Got {type(ds)!r}.")
            yield ds

    def _infer(self):
        g = self._datasets()
        try:
            ds = next(g, None)
        finally:
            g.close()
        if ds is None:
            raise ValueError("Cannot infer the element_spec of `flat_map` over an empty "
                             "dataset.")
        self._tmpl, self._spec_list = ds._template, ds._specs

    def _gen(self):
        for ds in self._datasets():
            yield from ds._gen()


class _InterleaveDataset(_FlatMapDataset):
    def __init__(self, input_ds, fn, cycle_length, block_length):
        super().__init__(input_ds, fn)
        self._cycle = cycle_length if cycle_length not in (None, -1) else (os.cpu_count() or 1)
        self._block = block_length if block_length not in (None, -1) else 1

    def _gen(self):
        sources = self._datasets()
        active = []
        for ds in itertools.islice(sources, self._cycle):
            active.append(ds._gen())
        i = 0
        while active:
            g = active[i]
            n = 0
            for flat in g:
                yield flat
                n += 1
                if n == self._block:
                    break
            if n < self._block:  # exhausted: the next input element takes its place
                nxt = next(sources, None)
                if nxt is None:
                    del active[i]
                    if active:
                        i %= len(active)
                    continue
                active[i] = nxt._gen()
            i = (i + 1) % len(active)


class _ShuffleDataset(Dataset):
    def __init__(self, input_ds, buffer_size, seed, reshuffle_each_iteration):
        buffer_size = int(buffer_size)
        if buffer_size <= 0 and buffer_size != UNKNOWN:  # UNKNOWN: the whole input
            raise InvalidArgumentError(
                None, None, "buffer_size must be greater than zero or UNKNOWN_CARDINALITY")
        self._input = input_ds
        self._buffer = buffer_size if buffer_size > 0 else 1 << 62
        self._reshuffle = reshuffle_each_iteration
        self._epoch = 0
        # TensorFlow's seed rules: a global seed (tf.random.set_seed) makes an unseeded
        # shuffle repeatable too.
        from tapeflow.ops import random_ops
        g, op = random_ops.get_seed(None if seed is None else int(seed))
        self._seed = None if g is None else [g & 0xFFFFFFFF, op & 0xFFFFFFFF]
        if self._seed is None and not reshuffle_each_iteration:
            self._seed = [int(np.random.SeedSequence().entropy % (1 << 32))]
        super().__init__(input_ds._template, input_ds._specs, input_ds._card)
        self._slice_root = input_ds._slice_root

    def _rng(self):
        if self._seed is None:
            return np.random.default_rng()
        if self._reshuffle:
            self._epoch += 1
            return np.random.default_rng(self._seed + [self._epoch])
        return np.random.default_rng(self._seed)

    def _shuffled(self, items):
        """TensorFlow's buffer algorithm over any iterator."""
        rng = self._rng()
        size = self._buffer
        buf = []
        draws = rng.random(1024)
        k = 0
        for x in items:
            if len(buf) < size:
                buf.append(x)
                continue
            if k == 1024:
                draws, k = rng.random(1024), 0
            j = int(draws[k] * size)
            k += 1
            yield buf[j]
            buf[j] = x
        order = rng.permutation(len(buf))
        for j in order:
            yield buf[j]

    def _index_gen(self):
        root = self._slice_root
        if self._buffer >= root._n and self._input is root:
            return iter(self._rng().permutation(root._n).tolist())
        return self._shuffled(self._input._index_gen())

    def _gen(self):
        if self._slice_root is not None:
            arrays = self._slice_root._arrays
            for i in self._index_gen():
                yield tuple([a[i, ...] for a in arrays])
        else:
            yield from self._shuffled(self._input._gen())


class _RepeatDataset(Dataset):
    def __init__(self, input_ds, count):
        self._input = input_ds
        self._count = -1 if count is None else int(count)
        c, n = self._count, input_ds._card
        if c == 0 or n == 0:
            card = 0
        elif c < 0 or n == INFINITE:
            card = INFINITE
        elif n == UNKNOWN:
            card = UNKNOWN
        else:
            card = n * c
        super().__init__(input_ds._template, input_ds._specs, card)
        self._slice_root = input_ds._slice_root

    def _epochs(self, make):
        epoch = 0
        while self._count < 0 or epoch < self._count:
            empty = True
            for x in make():
                empty = False
                yield x
            if empty:
                return
            epoch += 1

    def _index_gen(self):
        return self._epochs(self._input._index_gen)

    def _gen(self):
        return self._epochs(self._input._gen)


class _TakeDataset(Dataset):
    def __init__(self, input_ds, count):
        self._input = input_ds
        self._count = int(count)
        n = input_ds._card
        if self._count < 0:
            card = n
        elif n == INFINITE:
            card = self._count
        elif n == UNKNOWN:
            card = UNKNOWN
        else:
            card = min(n, self._count)
        super().__init__(input_ds._template, input_ds._specs, card)
        self._slice_root = input_ds._slice_root

    def _index_gen(self):
        it = self._input._index_gen()
        return it if self._count < 0 else itertools.islice(it, self._count)

    def _gen(self):
        if self._count < 0:
            return self._input._gen()
        return _closing_islice(self._input._gen(), self._count)


def _closing_islice(gen, n):
    try:
        for x in itertools.islice(gen, n):
            yield x
    finally:
        gen.close()


class _SkipDataset(Dataset):
    def __init__(self, input_ds, count):
        self._input = input_ds
        self._count = int(count)
        n = input_ds._card
        if self._count < 0:
            card = 0 if n != INFINITE else INFINITE
        elif n < 0:
            card = n
        else:
            card = max(n - self._count, 0)
        super().__init__(input_ds._template, input_ds._specs, card)
        self._slice_root = input_ds._slice_root

    def _index_gen(self):
        it = self._input._index_gen()
        if self._count < 0:
            return iter(())
        return itertools.islice(it, self._count, None)

    def _gen(self):
        g = self._input._gen()
        if self._count < 0:
            for _ in g:
                pass
            return
        yield from itertools.islice(g, self._count, None)


class DatasetSpec:
    """The spec of an element that is itself a dataset (as ``window`` produces)."""

    def __init__(self, element_spec, dataset_shape=()):
        self.element_spec = element_spec
        self._shape = TensorShape(dataset_shape)

    @property
    def shape(self):
        """Returns the shape of the dataset value itself (``()`` for one dataset)."""
        return self._shape

    def __eq__(self, other):
        return isinstance(other, DatasetSpec) and other.element_spec == self.element_spec

    def __repr__(self):
        return f"DatasetSpec({self.element_spec!r}, {self._shape!r})"


class _ArraysDataset(Dataset):
    """A finite dataset of one component, over a list of arrays (a window's contents)."""

    _tf_name = "_VariantDataset"

    def __init__(self, arrays, spec):
        self._arrays = arrays
        super().__init__(None, [spec], len(arrays))

    def _gen(self):
        for a in self._arrays:
            yield (a,)


class _WindowDataset(Dataset):
    def __init__(self, input_ds, size, shift, stride, drop_remainder):
        size = int(size)
        shift = size if shift is None else int(shift)
        stride = int(stride)
        for name, v in (("size", size), ("shift", shift), ("stride", stride)):
            if v <= 0:
                raise InvalidArgumentError(None, None,
                                           f"Window {name} must be greater than zero.")
        self._input = input_ds
        self._size, self._shift, self._stride, self._drop = size, shift, stride, drop_remainder
        n = input_ds._card
        if n < 0:
            card = n
        elif drop_remainder:
            need = (size - 1) * stride + 1
            card = 0 if n < need else (n - need) // shift + 1
        else:
            card = -(-n // shift)
        specs = [DatasetSpec(s) for s in input_ds._specs]
        super().__init__(input_ds._template, specs, card)

    def _element(self, flat):
        return st.pack(self._tmpl, flat)

    def __iter__(self):
        tmpl = self._tmpl
        return (st.pack(tmpl, flat) for flat in self._gen())

    _iter_numpy = __iter__

    def as_numpy_iterator(self):
        raise TypeError("`tf.data.Dataset.as_numpy_iterator()` is not supported for datasets "
                        f"that produce values of type {Dataset}")

    def _gen(self):
        size, shift, stride = self._size, self._shift, self._stride
        need = (size - 1) * stride + 1
        specs = self._input._specs
        buf = collections.deque()
        base = start = 0
        it = self._input._gen()
        done = False
        while True:
            while not done and base < start:  # skip elements between windows
                if buf:
                    buf.popleft()
                elif next(it, None) is None:
                    done = True
                    break
                base += 1
            while not done and base + len(buf) < start + need:
                x = next(it, None)
                if x is None:
                    done = True
                else:
                    buf.append(x)
            if start - base >= len(buf) or start < base:
                return
            rows = [buf[i] for i in range(start - base, min(start - base + need, len(buf)), stride)]
            if len(rows) < size and self._drop:
                return
            yield tuple(_ArraysDataset([r[j] for r in rows], specs[j])
                        for j in range(len(specs)))
            start += shift
