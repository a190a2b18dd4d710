"""keras.ops result dtypes against Keras 3 across input dtypes (bool, unsigned, signed, float,
Python scalars): one test per op, every dtype combination Keras itself accepts."""
import numpy as np
import pytest

from tapeflow import keras

DT = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def arr(d):
    return np.array([[1, 2, 3], [4, 1, 2]]).astype(d)


UN = ["abs", "negative", "square", "sign", "round", "floor", "ceil", "trunc", "exp", "log",
      "sqrt", "sin", "tanh", "sum", "prod", "mean", "max", "min", "var", "std", "cumsum",
      "cumprod", "argmax", "any", "all", "sort", "median", "ptp", "count_nonzero", "logsumexp",
      "nansum", "nanmean", "isnan", "real", "imag", "conj", "clip_", "relu", "sigmoid", "softmax",
      "square", "reciprocal", "cbrt", "exp2", "log2", "deg2rad", "fabs", "sinc", "nan_to_num",
      "trace", "diagonal", "tril", "ravel", "flip", "transpose", "expand_dims_", "repeat_",
      "tile_", "cast_f", "ones_like", "zeros_like", "full_like_", "copy", "average", "quantile_",
      "var", "arctan", "angle", "heaviside_", "signbit", "rsqrt", "erf"]
BIN = ["add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "mod", "power",
       "maximum", "minimum", "equal", "greater", "logical_and", "arctan2", "hypot", "logaddexp",
       "fmod", "matmul", "dot", "inner", "outer", "where_", "concatenate_", "stack_", "append",
       "kron", "cross", "tensordot_", "vdot", "divide_no_nan", "fmax", "bitwise_and", "left_shift",
       "gcd", "isclose"]


def call(ops, name, *a):
    """Calls ``ops.<name>`` (a trailing ``_`` marks extra fixed arguments)."""
    if name == "cast_f":
        return ops.cast(a[0], "float16")
    f = getattr(ops, name.rstrip("_"))
    extra = {"clip_": (1, 2), "expand_dims_": (0,), "repeat_": (2,), "tile_": (2,),
             "full_like_": (2,), "quantile_": (0.5,), "heaviside_": (0.5,)}
    if name in extra:
        return f(a[0], *extra[name])
    if name == "where_":
        return f(a[0] > 1 if a[0].dtype != bool else a[0], a[0], a[1])
    if name in ("concatenate_", "stack_"):
        return f([a[0], a[1]])
    if name == "tensordot_":
        return f(a[0], a[1].T, 1)
    if name in ("matmul", "dot"):
        return f(a[0], a[1].T)
    return f(*a)


def _dtypes(k, name):
    out = {}
    combos = [(d,) for d in DT] if name in UN else [
        (d1, d2) for d1 in DT for d2 in ["int32", "float32", "int8", "bool", "float16",
                                          "py_int", "py_float"]]
    for combo in combos:
        args = [arr(c) if c not in ("py_int", "py_float") else {"py_int": 2, "py_float": 2.5}[c]
                for c in combo]
        if len(args) == 2 and not isinstance(args[1], np.ndarray) and name in _ARRAY_ONLY:
            continue
        try:
            r = call(k.ops, name, *args)
        except Exception:  # noqa: BLE001 (Keras refusing a dtype is recorded, then skipped)
            out[combo] = None
            continue
        out[combo] = k.backend.standardize_dtype(r.dtype)
    return out


_ARRAY_ONLY = ("matmul", "dot", "tensordot_", "cross", "concatenate_", "stack_", "where_",
               "outer", "kron", "inner", "vdot")
# Keras 3.15 stacks two int8 tensors as int32 (and concatenates them as int8); tapeflow
# keeps int8 for both.
KNOWN = {("stack_", ("int8", "int8"))}


@pytest.mark.parametrize("name", sorted(set(UN) | set(BIN)))
def test_result_dtypes_match_keras(rkeras, name):
    ours, theirs = _dtypes(keras, name), _dtypes(rkeras, name)
    assert any(t is not None for t in theirs.values()), f"{name}: Keras accepted no input"
    bad = {c: (ours[c], t) for c, t in theirs.items()
           if t is not None and ours[c] != t and (name, c) not in KNOWN}
    assert not bad, f"{name}: (tapeflow, Keras) by input dtypes: {bad}"
