"""tnp reductions, scans and sorting against NumPy (values, dtypes) with gradients."""
import numpy as np
import pytest

import tapeflow as tf
import tapeflow.experimental.numpy as tnp
from tests.gradcheck import check_grads

M = np.array([[1.5, -2.0, 3.0], [0.25, 5.0, -6.5]])


@pytest.mark.parametrize("name, kwargs", [
    ("sum", {}), ("sum", {"axis": 1, "keepdims": True}), ("sum", {"axis": (0, 1)}),
    ("prod", {"axis": 0}), ("mean", {}), ("mean", {"axis": -1}), ("std", {"axis": 0}),
    ("var", {}), ("var", {"ddof": 1}), ("amax", {"axis": 1}), ("amin", {}), ("ptp", {}),
    ("cumsum", {}), ("cumsum", {"axis": 1}), ("cumprod", {"axis": 0}), ("nansum", {}),
    ("average", {"axis": 1}),
])
def test_float_reductions_values_and_gradients(name, kwargs):
    fn = getattr(tnp, name)
    np.testing.assert_allclose(fn(M, **kwargs).numpy(), getattr(np, name)(M, **kwargs),
                               rtol=1e-12)
    order = 1 if name in ("amax", "amin", "ptp") else 2
    check_grads(lambda x: fn(x, **kwargs), [M], order=order, name=name)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.uint16, np.bool_])
@pytest.mark.parametrize("name", ["sum", "prod", "cumsum", "cumprod", "mean", "std", "var",
                                  "amax"])
def test_integer_reduction_dtypes_follow_numpy(name, dtype):
    a = np.array([[1, 0, 1], [1, 1, 0]], dtype)
    ours, want = getattr(tnp, name)(tf.constant(a)), getattr(np, name)(a)
    if name.startswith("cum") and dtype is np.uint16:   # TensorFlow: int64, NumPy: uint64
        assert ours.dtype == tf.int64
    else:
        assert ours.dtype.name == want.dtype.name
    np.testing.assert_allclose(ours.numpy(), want)


def test_weighted_average_and_nan_functions():
    np.testing.assert_allclose(tnp.average([1, 2, 3], weights=[1, 1, 2]).numpy(), 2.25)
    avg, total = tnp.average(M, axis=1, weights=[1.0, 2.0, 3.0], returned=True)
    want, wtotal = np.average(M, axis=1, weights=[1.0, 2.0, 3.0], returned=True)
    np.testing.assert_allclose(avg.numpy(), want)
    np.testing.assert_allclose(total.numpy(), wtotal)
    v = [1.0, np.nan, 3.0]
    assert tnp.nanmean(v).numpy() == 2.0 and tnp.nanprod(v).numpy() == 3.0
    check_grads(lambda x: tnp.average(x, axis=1, weights=[1.0, 2.0, 3.0]), [M], order=2)


def test_search_and_sort():
    assert tnp.argmax([1, 3, 2]).dtype == tf.int64
    np.testing.assert_array_equal(tnp.argmax(M, axis=1).numpy(), np.argmax(M, axis=1))
    np.testing.assert_array_equal(tnp.argmin(M).numpy(), np.argmin(M))
    np.testing.assert_array_equal(tnp.sort(M, axis=0).numpy(), np.sort(M, axis=0))
    np.testing.assert_array_equal(tnp.sort(M, axis=None).numpy(), np.sort(M, axis=None))
    a = [3, 1, 2, 1]
    np.testing.assert_array_equal(tnp.argsort(a).numpy(), np.argsort(a, kind="stable"))
    assert [t.numpy().tolist() for t in tnp.nonzero([[0, 1], [2, 0]])] == [[0, 1], [1, 0]]
    assert tnp.count_nonzero([[0, 1], [2, 3]], axis=0).numpy().tolist() == [1, 2]
    np.testing.assert_array_equal(tnp.where([[True], [False]], [1, 2], 0).numpy(),
                                  np.where([[True], [False]], [1, 2], 0))
    with pytest.raises(ValueError):
        tnp.where([True], 1)
    with pytest.raises(ValueError):
        tnp.sort([1], order="x")


def test_comparisons_and_diff():
    assert tnp.isclose([1.0, 2], [1.0, 2.1]).numpy().tolist() == [True, False]
    a = [1.0, np.inf, -np.inf, np.nan, 1e10, 0.0, np.inf]
    b = [1.00001, np.inf, np.inf, np.nan, 1.00001e10, 1e-9, 1.0]
    for equal_nan in (False, True):
        np.testing.assert_array_equal(tnp.isclose(a, b, equal_nan=equal_nan).numpy(),
                                      np.isclose(a, b, equal_nan=equal_nan))
    assert bool(tnp.allclose([1.0, 2], [1.0, 2.000001]))
    assert bool(tnp.array_equal([1, 2], [1, 2]))
    assert not bool(tnp.array_equal([1, 2], [[1, 2]]))
    np.testing.assert_array_equal(tnp.diff([[1, 4, 9, 16]], n=2).numpy(),
                                  np.diff([[1, 4, 9, 16]], n=2))
    check_grads(lambda x: tnp.diff(x, axis=0), [M], order=2)
    assert tnp.all([1, 0]).numpy() == np.False_ and tnp.any([[1, 0]], axis=1).numpy()[0]
