"""Dataset sources built from other things: generators, zips and concatenations."""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.tensor_shape import TensorShape
from tapeflow.framework.tensor_spec import TensorSpec
from tapeflow.data import structure as st
from tapeflow.data.dataset import Dataset, UNKNOWN


def _legacy_signature(output_types, output_shapes):
    tmpl = st.template_of(output_types)
    types = st.flatten(output_types)
    shapes = [None] * len(types) if output_shapes is None else [
        s if isinstance(s, TensorShape) else TensorShape(s)
        for s in _flatten_shapes(output_shapes, tmpl)]
    return tmpl, [TensorSpec(s, t) for s, t in zip(shapes, types)]


def _flatten_shapes(shapes, tmpl):
    # Shapes are tuples/lists themselves, so walk them along the types' template.
    if tmpl is st._LEAF:
        return [shapes]
    if isinstance(tmpl, tuple):
        return [y for t, s in zip(tmpl, shapes) for y in _flatten_shapes(s, t)]
    return [y for k in st._keys(tmpl) for y in _flatten_shapes(shapes[k], tmpl[k])]


class _GeneratorDataset(Dataset):
    _tf_name = "_FlatMapDataset"

    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        if output_signature is not None:
            if output_types is not None or output_shapes is not None:
                raise TypeError("The `output_types` and `output_shapes` arguments may not be "
                                "combined with `output_signature`.")
            tmpl = st.template_of(output_signature)
            specs = st.flatten(output_signature)
            for s in specs:
                if not isinstance(s, TensorSpec):
                    raise TypeError("`output_signature` must contain objects that are subclass "
                                    f"of `tf.TypeSpec` but found {type(s)} which is not.")
        elif output_types is not None:
            tmpl, specs = _legacy_signature(output_types, output_shapes)
        else:
            raise TypeError("To specify the output signature you need to provide either the "
                            "`output_signature` argument or the `output_types` argument.")
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        self._generator = generator
        self._args = tuple(args) if args is not None else ()
        self._np = [None if s.dtype is dtypes.string else s.dtype._np for s in specs]
        # Fully known shapes are compared as tuples (cheap); others via TensorShape.
        self._dims = [tuple(s.shape.dims) if s.shape.is_fully_defined() else None for s in specs]
        self._flat_n = len(specs) if st.is_flat_tuple(tmpl) else -1
        super().__init__(tmpl, specs, UNKNOWN)

    def _convert(self, value):
        tmpl = self._tmpl
        specs = self._spec_list
        if tmpl is st._LEAF:
            leaves = (value,)
        elif type(value) is tuple and len(value) == self._flat_n:
            leaves = value
        else:
            if isinstance(tmpl, tuple) and isinstance(value, list):
                value = tuple(value)
            leaves = st.flatten_like(tmpl, value)
            if len(leaves) != len(specs) or (leaves is not value and not self._same(value)):
                raise InvalidArgumentError(
                    None, None, "TypeError: `generator` yielded an element that did not match "
                    f"the expected structure. The expected structure was "
                    f"{self.element_spec}, but the yielded element was {value!r}.")
        out = []
        for v, npd, dims, spec in zip(leaves, self._np, self._dims, specs):
            if type(v) is Tensor:
                v = v._value
            if type(v) is np.ndarray and v.dtype == npd:
                arr = v
            else:
                try:
                    arr = st.to_array(v, dtypes.string) if npd is None else \
                        np.asarray(v, dtype=npd)
                except (TypeError, ValueError) as e:
                    raise InvalidArgumentError(
                        None, None, "TypeError: `generator` yielded an element that could not "
                        f"be converted to the expected type. The expected type was "
                        f"{spec.dtype.name}, but the yielded element was {v}.") from e
            if arr.shape != dims and not spec.shape.is_compatible_with(arr.shape):
                raise InvalidArgumentError(
                    None, None, f"TypeError: `generator` yielded an element of shape "
                    f"{TensorShape(arr.shape)} where an element of shape {spec.shape} "
                    "was expected.")
            out.append(arr)
        return tuple(out)

    def _same(self, value):
        """True if ``value`` has the structure of the signature."""
        try:
            return st.template_of(st.normalize_output(value)) == self._tmpl
        except (TypeError, AttributeError):
            return False

    def _gen(self):
        args = [a.numpy() if isinstance(a, Tensor) else a for a in self._args]
        it = self._generator(*args)
        convert = self._convert
        for value in it:
            yield convert(value)


def _child_template(datasets):
    if isinstance(datasets, list) or (isinstance(datasets, tuple) and any(
            isinstance(d, list) for d in datasets)):
        raise TypeError("Invalid input to `zip`. Inputs are expected to be (nested) structures "
                        "of `tf.data.Dataset` objects. Python `list` is not supported and you "
                        "should use `tuple` instead.")
    flat = st.flatten(datasets)
    for d in flat:
        if not isinstance(d, Dataset):
            raise TypeError("Invalid `datasets`. `datasets` is expected to be a (nested) "
                            f"structure of `tf.data.Dataset` objects. Received: {datasets}")
    return flat, st.pack(st.template_of(datasets), [d._template for d in flat])


class _ZipDataset(Dataset):
    def __init__(self, datasets):
        flat, tmpl = _child_template(datasets)
        self._datasets = flat
        specs = [s for d in flat for s in d._specs]
        cards = [d._card for d in flat]
        finite = [c for c in cards if c >= 0]
        # As TensorFlow: one unknown input makes it unknown (even beside an empty one).
        card = UNKNOWN if UNKNOWN in cards else min(finite) if finite else -1
        super().__init__(tmpl, specs, card)

    def _gen(self):
        gens = [d._gen() for d in self._datasets]
        try:
            while True:
                out = []
                for g in gens:
                    try:
                        out.extend(next(g))
                    except StopIteration:
                        return
                yield tuple(out)
        finally:
            for g in gens:
                g.close()


class _ConcatenateDataset(Dataset):
    def __init__(self, first, second):
        if first._template != second._template or [s.dtype for s in first._specs] != \
                [s.dtype for s in second._specs]:
            raise TypeError(f"Incompatible dataset elements:\n  {first.element_spec} vs.   "
                            f"{second.element_spec}")
        specs = [a.most_specific_common_supertype([b])
                 for a, b in zip(first._specs, second._specs)]
        c1, c2 = first._card, second._card
        card = -1 if -1 in (c1, c2) else UNKNOWN if UNKNOWN in (c1, c2) else c1 + c2
        self._parts = (first, second)
        super().__init__(first._template, specs, card)

    def _gen(self):
        for d in self._parts:
            yield from d._gen()


class _CompositeSliceDataset(Dataset):
    """``from_tensor_slices`` when some component is a SparseTensor or RaggedTensor."""

    _tf_name = "_TensorSliceDataset"

    def __init__(self, tmpl, leaves):
        from tapeflow.data import composite
        cols, n = [], None
        for a in leaves:
            if type(a) is np.ndarray:
                if a.ndim == 0:
                    raise ValueError("Unbatching a tensor is only supported for rank >= 1")
                rows = [a[i, ...] for i in range(a.shape[0])]
            else:
                rows = composite.rows(a)
            if n is not None and len(rows) != n:
                raise ValueError(f"Dimensions {n} and {len(rows)} are not compatible")
            n = len(rows)
            cols.append(rows)
        self._cols = cols
        specs = [st.spec_of(a, True) for a in leaves]
        super().__init__(tmpl, specs, n or 0)

    def _gen(self):
        for i in range(self._card):
            yield tuple(c[i] for c in self._cols)
