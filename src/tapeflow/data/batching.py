"""Batching: batch, padded_batch, unbatch, rebatch. Batches are stacked with NumPy."""
import itertools

import numpy as np

from tapeflow.framework.errors import DataLossError, InvalidArgumentError
from tapeflow.framework.tensor_shape import TensorShape
from tapeflow.framework.tensor_spec import TensorSpec
from tapeflow.data import structure as st
from tapeflow.data.dataset import Dataset, UNKNOWN


def _batch_card(n, batch_size, drop_remainder):
    if n < 0:
        return n
    return n // batch_size if drop_remainder else -(-n // batch_size)


def _check_batch_size(batch_size):
    batch_size = int(batch_size)
    if batch_size <= 0:
        raise InvalidArgumentError(None, None, "Batch size must be greater than zero.")
    return batch_size


def _dims(shape):
    """A shape as TensorFlow's kernels print it: ``[1,2]``."""
    return "[" + ",".join(map(str, shape)) + "]"


def _padding_values(padding_values, tmpl, in_specs):
    """Returns one scalar padding value per component, checked against its dtype."""
    if padding_values is None:
        return [b"" if s.dtype.name == "string" else 0 for s in in_specs]
    if tmpl is None or not st.is_structure(padding_values):
        pads = [padding_values] * len(in_specs)  # one value for every component
    else:
        pads = st.flatten(padding_values)
    out = []
    for p, s in zip(pads, in_specs):
        a = st.to_array(p)
        if a.ndim:
            raise ValueError("Invalid `padding_values`. `padding_values` values should be "
                             f"scalars, but got {a.shape}.")
        dtype = st.spec_of(a).dtype
        if dtype != s.dtype:
            raise TypeError(f"Invalid `padding_values`. `padding_values` values type {dtype} "
                            f"does not match type {s.dtype} of the corresponding input "
                            "component.")
        out.append(a[()])
    return out


def _stack(rows, j):
    if type(rows[0]) is not np.ndarray:
        from tapeflow.data import composite
        if composite.is_composite(rows[0]):
            return composite.stack(rows)
    try:
        return np.stack(rows)
    except ValueError:
        first = rows[0].shape
        for i, r in enumerate(rows):
            if r.shape != first:
                raise InvalidArgumentError(
                    None, None, f"Cannot batch tensors with different shapes in component {j}. "
                    f"First element had shape {_dims(first)} and element {i} had shape "
                    f"{_dims(r.shape)}.") from None
        raise


def _batched(s, lead):
    if type(s) is not TensorSpec:
        from tapeflow.data import composite
        return composite.batched_spec(s, lead)
    if s.shape.rank is None:
        return TensorSpec(None, s.dtype)
    return TensorSpec([lead] + (s.shape.dims or []), s.dtype)


class _BatchDataset(Dataset):
    def __init__(self, input_ds, batch_size, drop_remainder):
        self._input = input_ds
        self._bs = self._batch_size = _check_batch_size(batch_size)
        self._drop = bool(drop_remainder)
        lead = self._bs if self._drop else None
        specs = [_batched(s, lead) for s in input_ds._specs]
        super().__init__(input_ds._template, specs,
                         _batch_card(input_ds._card, self._bs, self._drop))

    def _gen(self):
        inp, bs, drop = self._input, self._bs, self._drop
        root = inp._slice_root
        if root is inp:  # in-order slices: views, no copy
            arrays, n = root._arrays, root._n
            stop = n - n % bs if drop else n
            for i in range(0, stop, bs):
                yield tuple([a[i:i + bs] for a in arrays])
        elif root is not None:  # shuffled/repeated slices: gather by index
            arrays = root._arrays
            it = inp._index_gen()
            while True:
                idx = np.fromiter(itertools.islice(it, bs), dtype=np.intp)
                if not len(idx) or (drop and len(idx) < bs):
                    return
                yield tuple([a[idx] for a in arrays])
        else:
            g = inp._gen()
            ncomp = len(inp._specs)
            ragged = [type(sp) is not TensorSpec for sp in self._specs]
            try:
                while True:
                    rows = list(itertools.islice(g, bs))
                    if not rows or (drop and len(rows) < bs):
                        return
                    yield tuple([_ragged_stack([r[j] for r in rows]) if ragged[j] else
                                 _stack([r[j] for r in rows], j) for j in range(ncomp)])
            finally:
                g.close()


def _ragged_stack(rows):
    from tapeflow.data import composite
    return composite.stack(rows)


class _RaggedBatchDataset(_BatchDataset):
    """``ragged_batch``: components whose shape is not fully known batch into RaggedTensors."""

    _tf_name = "_BatchDataset"

    def __init__(self, input_ds, batch_size, drop_remainder):
        super().__init__(input_ds, batch_size, drop_remainder)
        from tapeflow.ragged_tensor import RaggedTensorSpec
        lead = self._bs if self._drop else None
        specs = []
        # a spec inferred from a map's first element may look static when it is not
        inferred = type(input_ds).__name__ in ("_MapDataset", "_GeneratorDataset")
        for s in input_ds._specs:
            if type(s) is TensorSpec and s.shape.rank and (inferred or
                                                           not s.shape.is_fully_defined()):
                dims = [None] * s.shape.rank if inferred else s.shape.as_list()
                specs.append(RaggedTensorSpec([lead] + dims, s.dtype, 1))
            else:
                specs.append(_batched(s, lead))
        self._spec_list = specs

    def _gen(self):
        inp, bs, drop = self._input, self._bs, self._drop
        ragged = [type(sp) is not TensorSpec for sp in self._specs]
        g = inp._gen()
        try:
            while True:
                rows = list(itertools.islice(g, bs))
                if not rows or (drop and len(rows) < bs):
                    return
                yield tuple([_ragged_stack([r[j] for r in rows]) if ragged[j] else
                             _stack([r[j] for r in rows], j) for j in range(len(ragged))])
        finally:
            g.close()


class _PaddedBatchDataset(Dataset):
    def __init__(self, input_ds, batch_size, padded_shapes, padding_values, drop_remainder):
        self._input = input_ds
        self._bs = _check_batch_size(batch_size)
        self._drop = bool(drop_remainder)
        tmpl = input_ds._template
        in_specs = input_ds._specs
        if padded_shapes is None:
            shapes = [[None] * s.shape.rank for s in in_specs]
        else:
            from tapeflow.data.sources import _flatten_shapes
            shapes = [TensorShape(s).dims for s in _flatten_shapes(padded_shapes, tmpl)]
            shapes = [[None if d is not None and d < 0 else d for d in s] for s in shapes]
        self._shapes = shapes
        self._pads = _padding_values(padding_values, tmpl, in_specs)
        lead = self._bs if self._drop else None
        specs = [TensorSpec([lead] + sh, s.dtype) for sh, s in zip(shapes, in_specs)]
        super().__init__(tmpl, specs, _batch_card(input_ds._card, self._bs, self._drop))
        self._tf_name = "_PaddedBatchDataset"

    def _pad(self, rows, j):
        target = [d if d is not None else max(r.shape[k] for r in rows)
                  for k, d in enumerate(self._shapes[j])]
        dtype = rows[0].dtype
        out = np.full([len(rows)] + target, self._pads[j], dtype=dtype)
        for i, r in enumerate(rows):
            if r.ndim != len(target) or any(a > b for a, b in zip(r.shape, target)):
                raise DataLossError(
                    None, None, "Attempted to pad to a smaller size than the input element.")
            # The trailing Ellipsis makes even a 0-d target a view (object arrays of bytes).
            out[(i,) + tuple(slice(0, s) for s in r.shape) + (Ellipsis,)] = r
        return out

    def _gen(self):
        g = self._input._gen()
        ncomp = len(self._shapes)
        bs, drop = self._bs, self._drop
        while True:
            rows = list(itertools.islice(g, bs))
            if not rows or (drop and len(rows) < bs):
                return
            yield tuple([self._pad([r[j] for r in rows], j) for j in range(ncomp)])


class _UnbatchDataset(Dataset):
    def __init__(self, input_ds):
        for s in input_ds._specs:
            if s.shape.rank == 0:
                raise ValueError("Cannot unbatch an input with scalar components.")
        self._input = input_ds
        specs = [TensorSpec(s.shape[1:], s.dtype) if type(s) is TensorSpec else
                 _unbatched(s) for s in input_ds._specs]
        # Known only when every component has the same static, non-zero leading size.
        leads = {s.shape[0] if s.shape.rank else None for s in input_ds._specs}
        known = [s.shape[0] for s in input_ds._specs if s.shape.rank and s.shape[0] is not None]
        for d in known:
            if d != known[0]:
                raise ValueError("`unbatch()` is only supported for datasets of elements whose "
                                 "components have a matching leading dimension. Encountered "
                                 f"both {known[0]} and {d}.")
        lead = leads.pop() if len(leads) == 1 else None
        n = input_ds._card
        card = n if n < 0 else n * lead if lead else UNKNOWN
        super().__init__(input_ds._template, specs, card)

    def _gen(self):
        if any(type(s) is not TensorSpec for s in self._input._specs):
            yield from self._gen_composite()
            return
        for flat in self._input._gen():
            n = flat[0].shape[0]
            for a in flat[1:]:
                if a.shape[0] != n:
                    raise InvalidArgumentError(
                        None, None, "Input element must have the same batch size in each "
                        f"component. Component 0 had size {n} but component has size "
                        f"{a.shape[0]}.")
            if len(flat) == 1:
                a = flat[0]
                for i in range(n):
                    yield (a[i, ...],)
            else:
                for i in range(n):
                    yield tuple([a[i, ...] for a in flat])


    def _gen_composite(self):
        from tapeflow.data import composite
        for flat in self._input._gen():
            cols = [composite.rows(a) if composite.is_composite(a) else
                    [a[i, ...] for i in range(a.shape[0])] for a in flat]
            for i in range(len(cols[0])):
                yield tuple(c[i] for c in cols)


def _unbatched(s):
    from tapeflow.data import composite
    return composite.unbatched_spec(s)


class _RebatchDataset(Dataset):
    def __init__(self, input_ds, batch_size, drop_remainder):
        if any(s.shape.rank == 0 for s in input_ds._specs):
            raise ValueError("Invalid `batch_sizes`. Expected dataset with rank of >= 1 but found "
                             "a dataset with scalar elements. Fix the issue by adding the `batch` "
                             "transformation to the dataset.")
        self._flat = _UnbatchDataset(input_ds)
        sizes = np.atleast_1d(np.asarray(batch_size)).tolist()
        self._sizes = [_check_batch_size(b) for b in sizes]
        self._drop = bool(drop_remainder)
        lead = self._sizes[0] if self._drop and len(set(self._sizes)) == 1 else None
        specs = [TensorSpec([lead] + (s.shape.dims or []), s.dtype) for s in self._flat._specs]
        super().__init__(input_ds._template, specs, UNKNOWN)

    def _gen(self):
        g = self._flat._gen()
        ncomp = len(self._spec_list)
        for bs in itertools.cycle(self._sizes):
            rows = list(itertools.islice(g, bs))
            if not rows or (self._drop and len(rows) < bs):
                return
            yield tuple([_stack([r[j] for r in rows], j) for j in range(ncomp)])
