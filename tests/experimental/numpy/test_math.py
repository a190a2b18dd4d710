"""tnp elementwise functions against NumPy (values and dtypes) and their gradients."""
import numpy as np
import pytest

import tapeflow as tf
import tapeflow.experimental.numpy as tnp
from tests.gradcheck import check_grads

X = np.array([0.3, -1.2, 2.5, 0.7])
POS = np.array([0.3, 1.2, 2.5, 0.7])
UNIT = np.array([0.3, -0.6, 0.1, 0.7])

UNARY = [("sqrt", POS), ("exp", X), ("expm1", X), ("log", POS), ("log1p", POS),
         ("log2", POS), ("log10", POS), ("exp2", X), ("sin", X), ("cos", X), ("tan", X),
         ("arcsin", UNIT), ("arccos", UNIT), ("arctan", X), ("sinh", X), ("cosh", X),
         ("tanh", X), ("arcsinh", X), ("arccosh", POS + 1), ("arctanh", UNIT),
         ("deg2rad", X), ("rad2deg", X), ("cbrt", X), ("sinc", X), ("square", X),
         ("negative", X), ("absolute", X), ("fabs", X), ("reciprocal", POS)]


@pytest.mark.parametrize("name, x", UNARY)
def test_unary_values_and_gradients(name, x):
    np.testing.assert_allclose(getattr(tnp, name)(x).numpy(), getattr(np, name)(x),
                               rtol=1e-12)
    check_grads(getattr(tnp, name), [x], order=2, name=name)


@pytest.mark.parametrize("name", ["sqrt", "exp", "sin", "ceil", "floor", "fix", "log10"])
def test_unary_promotes_ints_to_float64(name):
    out = getattr(tnp, name)(tf.constant([1, 4]))
    assert out.dtype == tf.float64
    np.testing.assert_allclose(out.numpy(), getattr(np, name)(np.array([1.0, 4.0])))


BINARY = ["add", "subtract", "multiply", "divide", "maximum", "minimum", "arctan2",
          "hypot", "logaddexp", "logaddexp2", "power"]


@pytest.mark.parametrize("name", BINARY)
def test_binary_values_and_gradients(name):
    a, b = np.array([0.5, 1.5, 2.0]), np.array([1.25, 0.75, 3.0])
    np.testing.assert_allclose(getattr(tnp, name)(a, b).numpy(), getattr(np, name)(a, b),
                               rtol=1e-12)
    check_grads(getattr(tnp, name), [a, b], order=2 if name not in ("maximum", "minimum")
                else 1, name=name)


@pytest.mark.parametrize("a, b", [
    (np.array([1, 2], np.int32), np.array([1.5], np.float32)),
    (np.array([7, -7]), np.array([2, 3])), (np.array([True]), np.array([2], np.uint8)),
])
@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "floor_divide", "mod",
                                  "maximum", "equal", "less", "true_divide"])
def test_binary_dtypes_follow_numpy(name, a, b):
    ours = getattr(tnp, name)(tf.constant(a), tf.constant(b))
    want = getattr(np, name)(a, b)
    if name == "true_divide" and a.dtype == np.int64:
        assert ours.dtype == tf.float64
    elif name != "true_divide":
        assert ours.dtype.name == want.dtype.name
    np.testing.assert_allclose(ours.numpy(), want, rtol=1e-6)


def test_rounding_predicates_and_complex_parts():
    np.testing.assert_array_equal(tnp.round([0.5, 1.5, 2.5, -0.5]).numpy(),
                                  np.round([0.5, 1.5, 2.5, -0.5]))
    assert tnp.around(tf.constant([1, 2])).dtype == tf.int32
    np.testing.assert_allclose(tnp.around([1.25, 1.35], 1).numpy(), [1.2, 1.4])
    v = [1.0, np.inf, -np.inf, np.nan]
    for name in ["isfinite", "isinf", "isnan", "isposinf", "isneginf", "signbit"]:
        np.testing.assert_array_equal(getattr(tnp, name)(v).numpy(), getattr(np, name)(v))
    assert tnp.isfinite(tf.constant([1])).numpy().tolist() == [True]
    z = [1 + 2j, -3 + 0j]
    for name in ["real", "imag", "conj", "angle", "iscomplex", "isreal", "absolute"]:
        np.testing.assert_allclose(getattr(tnp, name)(z).numpy(), getattr(np, name)(z))
    np.testing.assert_allclose(tnp.angle([-1.0, 2.0]).numpy(), np.angle([-1.0, 2.0]))


def test_integer_functions_and_logic():
    assert tnp.gcd([4, 6], [6, 9]).numpy().tolist() == [2, 3]
    assert tnp.lcm([4, 6], [6, 9]).numpy().tolist() == [12, 18]
    assert tnp.bitwise_and([12, 5], [10, 3]).numpy().tolist() == [8, 1]
    assert tnp.bitwise_not([True, False]).numpy().tolist() == [False, True]
    assert tnp.logical_xor([1, 0], [1, 1]).numpy().tolist() == [False, True]
    q, r = tnp.divmod([7, -7], [2, 2])
    assert (q.numpy().tolist(), r.numpy().tolist()) == ([3, -4], [1, 1])
    assert tnp.heaviside([-1.0, 0, 1], 0.5).numpy().tolist() == [0.0, 0.5, 1.0]
    assert tnp.nextafter([1.0], [2.0]).numpy()[0] == np.nextafter(1.0, 2.0)


def test_clip():
    assert tnp.clip([1, 5, 9], 2, 6).numpy().tolist() == [2, 5, 6]
    assert tnp.clip([1.0, 5.0], None, 2).numpy().tolist() == [1.0, 2.0]
    with pytest.raises(ValueError):
        tnp.clip([1], None, None)
    check_grads(lambda x: tnp.clip(x, -1.0, 1.0), [X], order=1)
