"""The op table: one row per differentiable math op, driving forward checks against NumPy,
first- and second-order gradient checks (float64), and a coverage test over the registry.
"""
import math
from collections import namedtuple

import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads
from tapeflow.framework.op_def import OP_DEFS
from tapeflow.framework.primitive import REGISTRY, Op
from tapeflow.ops import (
    clip_ops, gamma_ops, linalg_ops, math_ops, matrix_ops, reduction_ops, sort_ops,
    special_math_ops)

MY_MODULES = (math_ops, special_math_ops, gamma_ops, clip_ops, reduction_ops, sort_ops,
              linalg_ops, matrix_ops)

# fn: Tensors -> Tensor; ref: float64 arrays -> array; shapes: one per argument;
# domain: one name (all arguments) or one per argument; ops: the registry names it covers.
Row = namedtuple("Row", "name fn ref shapes domain order ops rtol atol")


def R(name, fn, ref, shapes, domain="any", order=2, ops=(), rtol=1e-5, atol=1e-6):
    return Row(name, fn, ref, shapes, domain, order, tuple(ops), rtol, atol)


def _sample(domain, shape, rng):
    if domain == "any":
        return rng.uniform(-2, 2, shape)
    if domain == "pos":
        return rng.uniform(0.5, 2, shape)
    if domain == "unit":
        return rng.uniform(-0.8, 0.8, shape)
    if domain == "gt1":
        return rng.uniform(1.3, 3, shape)
    if domain == "nonzero":
        return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2, shape)
    if domain == "distinct":  # well separated values, so max/min/sort have no ties or kinks
        n = int(np.prod(shape))
        return (rng.permutation(n) * 0.37 - 0.2 * n).reshape(shape)
    if domain == "frac":  # x in (0.1, 0.9) + k, for floormod by 1 < y: no jump nearby
        return rng.uniform(0.1, 0.9, shape) + rng.randint(-2, 3, shape)
    if domain == "spd":  # well-conditioned square matrices
        m = rng.uniform(-0.5, 0.5, shape)
        return m + 3 * np.eye(shape[-1])
    if domain == "negfrac":  # between the poles of lgamma/digamma at -1 and 0
        return rng.uniform(-0.8, -0.2, shape)
    if domain == "mask":
        return rng.uniform(-1, 1, shape) > 0
    raise ValueError(domain)


def _args(row, seed=0):
    rng = np.random.RandomState(seed)
    doms = row.domain if isinstance(row.domain, tuple) else (row.domain,) * len(row.shapes)
    return [_sample(d, s, rng) for d, s in zip(doms, row.shapes)]


def _np_softlog_sigmoid(x):
    return -np.logaddexp(0, -x)


def _num_deriv(f, x, h=1e-5):
    """A central difference, for references of derivatives with no closed form in NumPy."""
    return (f(x + h) - f(x - h)) / (2 * h)


_erf = np.vectorize(math.erf)
_erfc = np.vectorize(math.erfc)


def _np_cum(fn, x, axis, exclusive, reverse, ident):
    if reverse:
        x = np.flip(x, axis)
    out = fn(x, axis=axis)
    if exclusive:
        out = np.concatenate([np.full_like(np.take(out, [0], axis), ident),
                              np.delete(out, -1, axis=axis)], axis=axis)
    return np.flip(out, axis) if reverse else out


def _np_logsumexp(x, axis):
    m = np.max(x, axis=axis, keepdims=True)
    return np.squeeze(np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m, axis=axis)


def _np_clip_by_norm(t, c, axes=None):
    n = np.sqrt(np.sum(t * t, axis=axes, keepdims=True))
    return t * c / np.maximum(n, c)


_PUT_IDX = np.array([[2, 0, 1], [1, 2, 0]])


def _put(v):
    return sort_ops._put_op(v, tf.constant(_PUT_IDX), axis=1, shape=(2, 3))


def _put_ref(v):
    out = np.zeros((2, 3))
    np.put_along_axis(out, _PUT_IDX, v, axis=1)
    return out


_COND = np.array([[True, False, True], [False, False, True]])

BINARY_SHAPES = [[(3, 4), (3, 4)], [(2, 3, 4), (4,)], [(2, 1), (1, 3)], [(3,), ()]]

TABLE = [
    # -- binary arithmetic (broadcasting and scalars) --
    *[R(f"add{s}", tf.add, np.add, s, ops=["AddV2"]) for s in BINARY_SHAPES],
    *[R(f"subtract{s}", tf.subtract, np.subtract, s, ops=["Sub"]) for s in BINARY_SHAPES],
    *[R(f"multiply{s}", tf.multiply, np.multiply, s, ops=["Mul"]) for s in BINARY_SHAPES],
    *[R(f"divide{s}", tf.divide, np.divide, s, ("any", "nonzero"), ops=["RealDiv"])
      for s in BINARY_SHAPES],
    # Conj is the identity on real values (tf.math.conj skips it there; the kernel is used)
    R("conj", special_math_ops._conj_op, np.conj, [(3, 4)], ops=["Conj"]),
    R("pow_scalar_exponent", lambda x: tf.pow(x, 3.0), lambda x: x ** 3, [(5,)]),
    R("atan2", tf.math.atan2, np.arctan2, [(3, 4), (4,)], ("any", "pos"), ops=["Atan2"]),
    R("xlogy", tf.math.xlogy, lambda x, y: x * np.log(y), [(3, 4), (4,)], ("any", "pos"),
      ops=["Xlogy"]),
    R("xdivy", tf.math.xdivy, lambda x, y: x / y, [(3, 4), (4,)], ("any", "nonzero"),
      ops=["Xdivy"]),
    R("multiply_no_nan", tf.math.multiply_no_nan, np.multiply, [(3, 4), (4,)],
      ops=["MulNoNan"]),
    R("divide_no_nan", tf.math.divide_no_nan, np.divide, [(3, 4), (4,)], ("any", "nonzero")),
    R("where", lambda x, y: math_ops.where_(tf.constant(_COND), x, y),
      lambda x, y: np.where(_COND, x, y), [(2, 3), (2, 3)], ops=["SelectV2"]),
    R("clip_by_value", lambda t: tf.clip_by_value(t, -0.5, 0.7),
      lambda t: np.clip(t, -0.5, 0.7), [(4, 5)], ops=["ClipByValue"]),
    R("clip_by_value_tensor_bounds", tf.clip_by_value, lambda t, a, b: np.minimum(
        np.maximum(t, a), b), [(4, 3), (3,), ()], ("any", "unit", "gt1")),
    R("add_n", lambda a, b, c: tf.add_n([a, b, c]), lambda a, b, c: a + b + c,
      [(2, 3)] * 3, ops=["AddN"]),
    R("scalar_mul", lambda x: tf.scalar_mul(2.5, x), lambda x: 2.5 * x, [(3,)]),
    # -- matmul --
    R("matmul", tf.matmul, np.matmul, [(2, 3), (3, 4)], ops=["BatchMatMulV2"]),
    R("matmul_batched_broadcast", tf.matmul, np.matmul, [(2, 2, 3), (3, 4)]),
    R("matmul_ta", lambda a, b: tf.matmul(a, b, transpose_a=True),
      lambda a, b: a.T @ b, [(3, 2), (3, 4)]),
    R("matmul_tb", lambda a, b: tf.matmul(a, b, transpose_b=True),
      lambda a, b: a @ b.T, [(2, 3), (4, 3)]),
    R("matmul_ta_tb", lambda a, b: tf.matmul(a, b, transpose_a=True, transpose_b=True),
      lambda a, b: a.T @ b.T, [(3, 2), (4, 3)]),
    # -- unary --
    R("reciprocal_no_nan", tf.math.reciprocal_no_nan, lambda x: 1 / x, [(3, 4)], "nonzero"),
    R("tan", tf.tan, np.tan, [(3, 4)], "unit", ops=["Tan"]),
    R("asin", tf.asin, np.arcsin, [(3, 4)], "unit", ops=["Asin"]),
    R("acos", tf.acos, np.arccos, [(3, 4)], "unit", ops=["Acos"]),
    R("atan", tf.atan, np.arctan, [(3, 4)], ops=["Atan"]),
    R("sinh", tf.sinh, np.sinh, [(3, 4)], ops=["Sinh"]),
    R("cosh", tf.cosh, np.cosh, [(3, 4)], ops=["Cosh"]),
    R("asinh", tf.asinh, np.arcsinh, [(3, 4)], ops=["Asinh"]),
    R("acosh", tf.acosh, np.arccosh, [(3, 4)], "gt1", ops=["Acosh"]),
    R("atanh", tf.atanh, np.arctanh, [(3, 4)], "unit", ops=["Atanh"]),
    R("log_sigmoid", tf.math.log_sigmoid, _np_softlog_sigmoid, [(3, 4)], ops=["LogSigmoid"]),
    R("erf", tf.math.erf, _erf, [(3, 4)], ops=["Erf"]),
    R("erf_tails", tf.math.erf, _erf, [(7,)], "gt1"),
    R("erfc", tf.math.erfc, _erfc, [(3, 4)], ops=["Erfc"]),
    R("lgamma", tf.math.lgamma, np.vectorize(math.lgamma), [(3, 4)], "pos", ops=["Lgamma"]),
    R("lgamma_large", tf.math.lgamma, np.vectorize(math.lgamma), [(5,)], "gt1"),
    R("lgamma_negative", tf.math.lgamma, np.vectorize(math.lgamma), [(5,)], "negfrac"),
    R("digamma", tf.math.digamma, lambda x: _num_deriv(np.vectorize(math.lgamma), x),
      [(3, 4)], "pos", ops=["Digamma"]),
    R("digamma_negative", tf.math.digamma, lambda x: _num_deriv(np.vectorize(math.lgamma), x),
      [(5,)], "negfrac"),
    R("polygamma_1", lambda x: tf.math.polygamma(1.0, x),
      lambda x: _num_deriv(lambda v: tf.math.digamma(tf.constant(v)).numpy(), x),
      [(3, 4)], "pos", ops=["Polygamma"]),
    R("l2_normalize", lambda x: tf.math.l2_normalize(x, axis=1),
      lambda x: x / np.sqrt(np.sum(x * x, axis=1, keepdims=True)), [(3, 4)]),
    # -- reductions --
    R("reduce_sum_axis", lambda x: tf.reduce_sum(x, axis=[0, 2]),
      lambda x: np.sum(x, axis=(0, 2)), [(2, 3, 4)]),
    R("reduce_sum_keepdims", lambda x: tf.reduce_sum(x, axis=-1, keepdims=True),
      lambda x: np.sum(x, axis=-1, keepdims=True), [(2, 3)]),
    R("reduce_mean_all_keepdims", lambda x: tf.reduce_mean(x, keepdims=True),
      lambda x: np.mean(x, keepdims=True), [(3, 4)]),
    R("reduce_max_all", tf.reduce_max, np.max, [(2, 3, 2)], "distinct"),
    R("reduce_prod_all", tf.reduce_prod, np.prod, [(2, 3)], "nonzero"),
    R("reduce_prod_axes_keepdims", lambda x: tf.reduce_prod(x, axis=[0, 2], keepdims=True),
      lambda x: np.prod(x, axis=(0, 2), keepdims=True), [(2, 3, 2)], "nonzero"),
    R("reduce_logsumexp", lambda x: tf.reduce_logsumexp(x, axis=1),
      lambda x: _np_logsumexp(x, 1), [(3, 4)]),
    R("reduce_variance", lambda x: tf.math.reduce_variance(x, axis=0),
      lambda x: np.var(x, axis=0), [(3, 4)]),
    R("reduce_std", lambda x: tf.math.reduce_std(x, axis=1), lambda x: np.std(x, axis=1),
      [(3, 4)]),
    R("reduce_euclidean_norm", lambda x: tf.math.reduce_euclidean_norm(x, axis=1),
      lambda x: np.sqrt(np.sum(x * x, axis=1)), [(3, 4)]),
    R("cumsum", lambda x: tf.cumsum(x, axis=1), lambda x: np.cumsum(x, axis=1), [(3, 4)],
      ops=["Cumsum"]),
    R("cumsum_exclusive_reverse", lambda x: tf.cumsum(x, axis=0, exclusive=True, reverse=True),
      lambda x: _np_cum(np.cumsum, x, 0, True, True, 0), [(3, 4)]),
    R("cumprod", lambda x: tf.math.cumprod(x, axis=1), lambda x: np.cumprod(x, axis=1),
      [(3, 4)], "nonzero", ops=["Cumprod"]),
    R("cumprod_exclusive", lambda x: tf.math.cumprod(x, axis=1, exclusive=True),
      lambda x: _np_cum(np.cumprod, x, 1, True, False, 1), [(3, 4)], "nonzero"),
    R("cumprod_reverse", lambda x: tf.math.cumprod(x, axis=0, reverse=True),
      lambda x: _np_cum(np.cumprod, x, 0, False, True, 1), [(3, 4)], "nonzero"),
    # -- sorting --
    R("sort", tf.sort, lambda x: np.sort(x, axis=-1), [(3, 5)], "distinct",
      ops=["TakeAlongAxis"]),
    R("sort_descending_axis0", lambda x: tf.sort(x, axis=0, direction="DESCENDING"),
      lambda x: -np.sort(-x, axis=0), [(4, 3)], "distinct"),
    R("top_k_values", lambda x: tf.math.top_k(x, k=2).values,
      lambda x: -np.sort(-x, axis=-1)[..., :2], [(3, 5)], "distinct", ops=["TopKV2"]),
    R("put_along_axis", _put, _put_ref, [(2, 3)], ops=["PutAlongAxis"]),
    # -- linear algebra --
    R("einsum_matmul", lambda a, b: tf.einsum("ij,jk->ik", a, b), lambda a, b: a @ b,
      [(2, 3), (3, 4)], ops=["Einsum"]),
    R("einsum_batch", lambda a, b: tf.einsum("bij,bjk->bik", a, b), np.matmul,
      [(2, 2, 3), (2, 3, 4)]),
    R("einsum_outer", lambda a, b: tf.einsum("i,j->ij", a, b), np.outer, [(3,), (4,)]),
    R("einsum_sum_alone", lambda a, b: tf.einsum("ij,k->i", a, b),
      lambda a, b: a.sum(1) * b.sum(), [(2, 3), (4,)]),
    R("einsum_trace", lambda a: tf.einsum("ii", a), np.trace, [(3, 3)]),
    R("einsum_diag", lambda a: tf.einsum("ii->i", a), np.diag, [(3, 3)]),
    R("einsum_three", lambda a, b, c: tf.einsum("ij,jk,kl->il", a, b, c),
      lambda a, b, c: a @ b @ c, [(2, 3), (3, 4), (4, 2)]),
    R("einsum_ellipsis_broadcast", lambda a, b: tf.einsum("...i,...i->...", a, b),
      lambda a, b: np.sum(a * b, -1), [(1, 3), (4, 3)]),
    R("einsum_implicit", lambda a, b: tf.einsum("ij,jk", a, b), np.matmul, [(2, 3), (3, 2)]),
    R("tensordot_int", lambda a, b: tf.tensordot(a, b, axes=1), lambda a, b: a @ b,
      [(2, 3), (3, 4)]),
    R("tensordot_pairs", lambda a, b: tf.tensordot(a, b, axes=[[0, 2], [2, 0]]),
      lambda a, b: np.tensordot(a, b, axes=([0, 2], [2, 0])), [(2, 3, 4), (4, 5, 2)]),
    R("norm", tf.norm, lambda x: np.sqrt(np.sum(x * x)), [(3, 4)]),
    R("norm_ord1_axis", lambda x: tf.norm(x, ord=1, axis=1),
      lambda x: np.sum(np.abs(x), 1), [(3, 4)], "nonzero"),
    R("norm_ord3", lambda x: tf.norm(x, ord=3, axis=0),
      lambda x: np.sum(np.abs(x) ** 3, 0) ** (1 / 3), [(3, 4)], "nonzero"),
    R("norm_inf", lambda x: tf.norm(x, ord=np.inf, axis=-1),
      lambda x: np.max(np.abs(x), -1), [(3, 4)], "distinct"),
    R("norm_matrix_1", lambda x: tf.norm(x, ord=1, axis=[-2, -1]),
      lambda x: np.linalg.norm(x, 1, axis=(-2, -1)), [(2, 3, 4)], "distinct"),
    R("clip_by_norm", lambda t: tf.clip_by_norm(t, 1.5), lambda t: _np_clip_by_norm(t, 1.5),
      [(3, 4)]),
    R("clip_by_norm_axes", lambda t: tf.clip_by_norm(t, 1.0, axes=[1]),
      lambda t: _np_clip_by_norm(t, 1.0, 1), [(3, 4)]),
    R("clip_by_global_norm", lambda a, b: tf.add_n(
        [tf.reduce_sum(v) for v in tf.clip_by_global_norm([a, b], 1.0)[0]]),
      lambda a, b: (a.sum() + b.sum()) / np.sqrt(np.sum(a * a) + np.sum(b * b)),
      [(2, 3), (4,)]),
    R("global_norm", lambda a, b: tf.linalg.global_norm([a, b]),
      lambda a, b: np.sqrt(np.sum(a * a) + np.sum(b * b)), [(2, 3), (4,)]),
    R("inv", tf.linalg.inv, np.linalg.inv, [(3, 3)], "spd", ops=["MatrixInverse"]),
    R("inv_adjoint_batched", lambda a: tf.linalg.inv(a, adjoint=True),
      lambda a: np.swapaxes(np.linalg.inv(a), -1, -2), [(2, 3, 3)], "spd"),
    R("det", tf.linalg.det, np.linalg.det, [(2, 3, 3)], "spd", ops=["MatrixDeterminant"]),
    R("slogdet", lambda a: tf.linalg.slogdet(a)[1], lambda a: np.linalg.slogdet(a)[1],
      [(2, 3, 3)], "spd", ops=["LogMatrixDeterminant"]),
    R("solve", tf.linalg.solve, np.linalg.solve, [(3, 3), (3, 2)], ("spd", "any"),
      ops=["MatrixSolve"]),
    R("solve_adjoint", lambda a, b: tf.linalg.solve(a, b, adjoint=True),
      lambda a, b: np.linalg.solve(a.T, b), [(3, 3), (3, 2)], ("spd", "any")),
    R("cholesky", lambda a: tf.linalg.cholesky((a + tf.linalg.matrix_transpose(a)) * 0.5),
      lambda a: np.linalg.cholesky((a + np.swapaxes(a, -1, -2)) / 2), [(2, 3, 3)], "spd",
      ops=["Cholesky"]),
    R("diag_part", tf.linalg.diag_part, lambda x: np.diagonal(x, 0, -2, -1), [(2, 3, 3)],
      ops=["MatrixDiagPartV3"]),
    R("diag_part_wide", tf.linalg.diag_part, np.diag, [(2, 4)]),
    R("diag_part_tall", tf.linalg.diag_part, np.diag, [(4, 2)]),
    R("diag", tf.linalg.diag, lambda x: x[..., None] * np.eye(3), [(2, 3)]),
    R("trace", tf.linalg.trace, lambda x: np.trace(x, axis1=-2, axis2=-1), [(2, 3, 3)]),
    R("matrix_transpose", tf.linalg.matrix_transpose, lambda x: np.swapaxes(x, -1, -2),
      [(2, 3, 4)]),
    R("band_part", lambda x: tf.linalg.band_part(x, 1, 0),
      lambda x: np.tril(np.triu(x, -1)), [(2, 4, 3)], ops=["MatrixBandPart"]),
    R("matvec", tf.linalg.matvec, lambda a, b: a @ b, [(3, 4), (4,)]),
]


def _declared_rows():
    """One row per op declared with ``defop(..., test=...)``: the declaration's own hints."""
    rows = []
    for name, od in sorted(OP_DEFS.items()):
        t = od.test
        if not t or od.op.grad_fn is None:
            continue
        label = od.exports[0] if od.exports else name
        if od.kind == "reduce":   # over one axis, and over all with keepdims
            ref = t["ref"]
            rows.append(R(f"{label}[declared]", lambda x, f=od.fn: f(x, axis=1),
                          lambda x, r=ref: r(x, axis=1), t.get("shapes", [(3, 4)]),
                          t.get("domain", "any"), t.get("order", 2), ops=[name]))
            rows.append(R(f"{label}[declared,all,keepdims]",
                          lambda x, f=od.fn: f(x, keepdims=True),
                          lambda x, r=ref: r(x, keepdims=True), [(2, 3, 2)],
                          t.get("domain", "any"), t.get("order", 2)))
            continue
        shapes = t.get("shapes", [(3, 4)] if od.kind == "unary" else [(3, 4), (4,)])
        rows.append(R(f"{label}[declared]", od.fn, t["ref"], shapes, t.get("domain", "any"),
                      t.get("order", 2), ops=[name]))
    return rows


TABLE += _declared_rows()

# Differentiable registry ops checked by dedicated tests instead of the table.
TESTED_ELSEWHERE = {
    "Cast": "test_math_ops.py::test_cast_gradient (float32 <-> float64 round trip)",
    # the decompositions: sign-free functions of their outputs, first and second order
    "SelfAdjointEigV2": "test_matrix_ops.py::test_eigh_gradient_first_and_second_order",
    "Svd": "test_matrix_ops.py::test_svd_gradient",
    "Qr": "test_matrix_ops.py::test_qr_gradient",
}


def _run_forward(row, dtype):
    args = _args(row)
    out = row.fn(*[tf.constant(a.astype(dtype) if a.dtype.kind == "f" else a) for a in args])
    with np.errstate(all="ignore"):
        ref = row.ref(*args)
    return out, ref


@pytest.mark.parametrize("row", TABLE, ids=[r.name for r in TABLE])
def test_forward_float64(row):
    out, ref = _run_forward(row, np.float64)
    assert out.dtype == tf.float64
    assert out.shape == np.shape(ref)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-7, atol=1e-10, err_msg=row.name)


@pytest.mark.parametrize("row", TABLE, ids=[r.name for r in TABLE])
def test_forward_float32_keeps_dtype(row):
    out, ref = _run_forward(row, np.float32)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), ref, rtol=2e-4, atol=2e-5, err_msg=row.name)


@pytest.mark.parametrize("row", TABLE, ids=[r.name for r in TABLE])
def test_gradients(row):
    check_grads(row.fn, _args(row), order=row.order, rtol=row.rtol, atol=row.atol,
                name=row.name)


def _my_ops():
    """The registry ops whose kernels are defined in the math op modules."""
    ids = {id(op) for op in REGISTRY.values()}
    found = {}
    for mod in MY_MODULES:
        for value in vars(mod).values():
            cands = [value]
            for cell in getattr(value, "__closure__", None) or ():
                try:
                    cands.append(cell.cell_contents)
                except ValueError:
                    pass
            for c in cands:
                if isinstance(c, Op) and id(c) in ids:
                    found[c.name] = c
    for op in REGISTRY.values():
        if getattr(op.forward, "__module__", None) in {m.__name__ for m in MY_MODULES}:
            found[op.name] = op
    return found


def test_every_differentiable_math_op_is_in_the_table():
    covered = {name for row in TABLE for name in row.ops} | set(TESTED_ELSEWHERE)
    ops = _my_ops()
    assert {"AddV2", "Erf", "Max", "Einsum", "MatrixInverse", "ClipByValue"} <= set(ops)
    missing = sorted(n for n, op in ops.items() if op.differentiable and n not in covered)
    assert not missing, f"differentiable ops missing from the op table: {missing}"


def test_table_names_real_ops():
    ops = _my_ops()
    named = {name for row in TABLE for name in row.ops}
    assert named <= set(ops), sorted(named - set(ops))
    # declared non-differentiable ops never record on a tape
    for name in ("ArgMax", "Equal", "Floor", "IsNan", "TruncateDiv", "Any"):
        assert not ops[name].differentiable
