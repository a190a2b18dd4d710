"""Hypothesis: tnp's broadcasting binary functions and reductions give NumPy's shapes, dtypes
and values for any broadcastable shapes and any pair of dtypes."""
import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import tapeflow.experimental.numpy as tnp

DTYPES = [np.bool_, np.int8, np.uint8, np.int32, np.int64, np.float32, np.float64]
BINARY = ["add", "multiply", "maximum", "minimum", "equal", "less", "greater_equal",
          "logical_and"]
REDUCE = ["sum", "prod", "mean", "amax", "amin", "cumsum", "any", "all", "count_nonzero"]


def _array(rng, shape, dtype):
    a = rng.integers(-3, 4, size=shape)
    return (a > 0) if dtype is np.bool_ else np.abs(a).astype(dtype) if \
        np.dtype(dtype).kind == "u" else a.astype(dtype)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(BINARY), shapes=hnp.mutually_broadcastable_shapes(
    num_shapes=2, max_dims=3, max_side=3), d1=st.sampled_from(DTYPES),
    d2=st.sampled_from(DTYPES), seed=st.integers(0, 2 ** 16))
def test_binary_broadcasting_and_promotion(name, shapes, d1, d2, seed):
    rng = np.random.default_rng(seed)
    a, b = _array(rng, shapes.input_shapes[0], d1), _array(rng, shapes.input_shapes[1], d2)
    want = getattr(np, name)(a, b)
    got = getattr(tnp, name)(a, b)
    assert got.dtype.name == want.dtype.name, (name, d1, d2)
    assert got.shape.as_list() == list(want.shape)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(REDUCE), shape=hnp.array_shapes(min_dims=1, max_dims=3,
                                                             max_side=3),
       dtype=st.sampled_from(DTYPES), data=st.data(), seed=st.integers(0, 2 ** 16))
def test_reductions_match_numpy(name, shape, dtype, data, seed):
    a = _array(np.random.default_rng(seed), shape, dtype)
    axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    if name == "cumsum" and axis is not None:
        axis = axis % len(shape)
    np_name = {"amax": "max", "amin": "min"}.get(name, name)
    if name in ("amax", "amin") and a.size == 0:
        return
    want = np.asarray(getattr(np, np_name)(a, axis=axis))
    got = getattr(tnp, name)(a, axis=axis)
    if name == "cumsum" and want.dtype.kind == "u":   # TensorFlow's scans: int64
        want = want.astype(np.int64)
    assert got.dtype.name == want.dtype.name, (name, dtype, axis)
    assert got.shape.as_list() == list(want.shape)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)
