"""keras.ops against NumPy references (one table row per op), with float64 gradient checks for
the differentiable ones, Keras's dtype promotion, and op layers on KerasTensors."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from gradcheck import check_grads

ops = keras.ops
R = np.random.RandomState(0)
A = R.uniform(0.2, 0.8, (2, 3))
B = R.uniform(0.2, 0.8, (2, 3))
SQ = R.uniform(0, 1, (3, 3)) + 3 * np.eye(3)

# name, NumPy reference, arguments, gradient order (0: not differentiable)
TABLE = [
    ("add", np.add, (A, B), 2), ("subtract", np.subtract, (A, B), 2),
    ("multiply", np.multiply, (A, B), 2), ("divide", np.divide, (A, B), 2),
    ("power", np.power, (A, B), 1), ("maximum", np.maximum, (A, B), 1),
    ("arctan2", np.arctan2, (A, B), 1), ("hypot", np.hypot, (A, B), 1),
    ("logaddexp", np.logaddexp, (A, B), 1), ("exp", np.exp, (A,), 2),
    ("log", np.log, (A,), 2), ("log2", np.log2, (A,), 1), ("log10", np.log10, (A,), 1),
    ("exp2", np.exp2, (A,), 1), ("cbrt", np.cbrt, (A,), 1), ("sinc", np.sinc, (A,), 1),
    ("sqrt", np.sqrt, (A,), 2), ("tanh", np.tanh, (A,), 2), ("arcsin", np.arcsin, (A,), 1),
    ("deg2rad", np.deg2rad, (A,), 1), ("square", np.square, (A,), 2),
    ("sum", lambda a: np.sum(a, axis=1), (A,), 2), ("mean", np.mean, (A,), 2),
    ("var", lambda a: np.var(a, axis=0), (A,), 1), ("std", np.std, (A,), 1),
    ("prod", np.prod, (A,), 1), ("max", np.max, (A,), 1), ("cumsum", np.cumsum, (A,), 1),
    ("cumprod", lambda a: np.cumprod(a, axis=1), (A,), 1),
    ("median", np.median, (A,), 1), ("ptp", np.ptp, (A,), 1),
    ("quantile", lambda a: np.quantile(a, 0.3, axis=1), (A,), 1),
    ("matmul", np.matmul, (A, B.T), 2), ("dot", np.dot, (A, B.T), 1),
    ("tensordot", lambda a, b: np.tensordot(a, b, 2), (A, B), 1),
    ("inner", np.inner, (A, B), 1), ("outer", np.outer, (A, B), 1),
    ("kron", np.kron, (A, B), 1), ("cross", np.cross, (A, B), 1),
    ("transpose", np.transpose, (A,), 1), ("ravel", np.ravel, (A,), 1),
    ("flip", np.flip, (A,), 1), ("rot90", np.rot90, (A,), 1),
    ("roll", lambda a: np.roll(a, 2), (A,), 1), ("tril", np.tril, (SQ,), 1),
    ("triu", np.triu, (SQ,), 1), ("trace", np.trace, (SQ,), 1),
    ("diagonal", np.diagonal, (SQ,), 1), ("diag", np.diag, (SQ[0],), 1),
    ("diff", np.diff, (A,), 1), ("sort", np.sort, (A,), 1),
    ("trapezoid", np.trapezoid if hasattr(np, "trapezoid") else np.trapz, (A,), 1),
    ("corrcoef", np.corrcoef, (A,), 1),
    ("correlate", lambda a, b: np.correlate(a, b), (A[0], B[0, :2]), 1),
    ("take", lambda a: np.take(a, [2, 0], axis=1), (A,), 1),
    ("nan_to_num", np.nan_to_num, (A,), 1), ("clip", lambda a: np.clip(a, 0.3, 0.6), (A,), 0),
    ("argmax", np.argmax, (A,), 0), ("argsort", lambda a: np.argsort(a, kind="stable"), (A,), 0),
    ("isfinite", np.isfinite, (A,), 0), ("count_nonzero", np.count_nonzero, (A,), 0),
    ("greater", np.greater, (A, B), 0), ("floor", np.floor, (A * 5,), 0),
]
_EXTRA = {"take": ([2, 0],), "clip": (0.3, 0.6), "roll": (2,),
          "quantile": (0.3,), "cumprod": (), "sum": (), "var": ()}
_KW = {"take": {"axis": 1}, "cumprod": {"axis": 1}, "sum": {"axis": 1}, "var": {"axis": 0},
       "quantile": {"axis": 1}}


def _call(name, args):
    fn = getattr(ops, name)
    return fn(*args, *_EXTRA.get(name, ()), **_KW.get(name, {}))


@pytest.mark.parametrize("name,ref,args,order", TABLE, ids=[r[0] for r in TABLE])
def test_op_matches_numpy(name, ref, args, order):
    got = _call(name, [a.astype("float32") for a in args])
    want = ref(*args)
    np.testing.assert_allclose(np.asarray(ops.convert_to_numpy(got), np.float64), want,
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name,ref,args,order", [r for r in TABLE if r[3]],
                         ids=[r[0] for r in TABLE if r[3]])
def test_op_gradients(name, ref, args, order):
    check_grads(lambda *xs: _call(name, xs), list(args), order=order, name=name)


@pytest.mark.parametrize("a,b,want", [
    (np.ones(2, "int32"), np.ones(2, "float32"), "float32"),
    (np.ones(2, "int32"), 1.5, "float32"), (np.ones(2, "int8"), 3, "int8"),
    (np.ones(2, "float16"), 1.5, "float16"), (np.ones(2, "int8"), np.ones(2, "uint8"), "int16"),
    (np.ones(2, "int64"), np.ones(2, "uint64"), "float32"), (1, 2, "int32"),
    (1.0, 2, "float32"), (np.ones(2, bool), 1, "int32")])
def test_add_follows_keras_promotion(a, b, want):
    assert ops.add(a, b).dtype.name == want
    assert keras.backend.result_type(np.asarray(a).dtype.name if not isinstance(a, (int, float))
                                      else type(a),
                                      np.asarray(b).dtype.name if not isinstance(b, (int, float))
                                      else type(b)) == want


def test_integer_inputs_to_float_ops_give_floatx():
    x = np.arange(1, 4, dtype="int32")
    assert ops.sqrt(x).dtype.name == "float32"
    assert ops.mean(x).dtype.name == "float32"
    assert ops.divide(x, x).dtype.name == "float32"
    assert ops.sum(np.ones(3, bool)).dtype.name == "int32"


def test_ops_on_keras_tensors_build_a_model_that_saves(tmp_path):
    inp = keras.Input((3,))
    out = ops.mean(ops.exp(inp) * 2.0, axis=-1, keepdims=True)
    assert out.shape == (None, 1)
    model = keras.Model(inp, out)
    x = A.astype("float32")
    np.testing.assert_allclose(model(x).numpy(), np.mean(np.exp(x) * 2, -1, keepdims=True),
                               rtol=1e-6)
    path = str(tmp_path / "m.keras")
    model.save(path)
    np.testing.assert_allclose(keras.models.load_model(path)(x).numpy(), model(x).numpy())
    # as in Keras 3: the ops are the model's operations, not its layers
    assert [op.__class__.__name__ for op in model.operations][1:] == ["Exp", "Multiply", "Mean"]
    assert [layer.__class__.__name__ for layer in model.layers] == ["InputLayer"]


def test_symbolic_shapes_follow_the_batch_axis():
    inp = keras.Input((4, 6))
    assert ops.reshape(inp, (-1, 3, 8)).shape == (None, 3, 8)
    assert ops.transpose(inp, (0, 2, 1)).shape == (None, 6, 4)
    assert ops.concatenate([inp, inp], axis=-1).shape == (None, 4, 12)
    assert ops.argmax(inp, axis=-1).dtype == "int32"
    assert ops.matmul(inp, np.ones((6, 2), "float32")).shape == (None, 4, 2)


def test_keras_ops_cost_no_more_than_the_tf_op():
    import timeit
    x = tf.constant(np.ones(4, "float32"))
    ours = theirs = float("inf")
    for _ in range(15):  # interleaved, best of 15: the machine may be shared
        ours = min(ours, timeit.timeit(lambda: ops.add(x, x), number=2000))
        theirs = min(theirs, timeit.timeit(lambda: tf.add(x, x), number=2000))
    assert ours < theirs * 1.5, (ours, theirs)


def test_keras_tensor_operators_follow_keras_promotion(tmp_path):
    ints = keras.Input((3,), dtype="int32")
    assert (ints / 255).dtype == "float32" and (ints + 1.5).dtype == "float32"
    assert (ints * 2).dtype == "int32"
    halves = keras.Input((3,), dtype="float16")
    assert (halves + 1.5).dtype == "float16"
    model = keras.Model(ints, ints / 255)
    np.testing.assert_allclose(model(np.array([[255, 0, 51]])).numpy(), [[1.0, 0.0, 0.2]])
    path = str(tmp_path / "scale.keras")
    model.save(path)
    back = keras.models.load_model(path)
    out = back(np.array([[255, 0, 51]]))
    assert out.dtype.name == "float32"
    np.testing.assert_allclose(out.numpy(), [[1.0, 0.0, 0.2]])


def test_ops_take_variables_and_differentiate_through_them():
    v = keras.Variable(np.ones((2, 3), "float32"))
    w = tf.Variable(np.full((2, 3), 2.0, "float32"))
    with tf.GradientTape() as tape:
        y = ops.sum(ops.matmul(v, ops.transpose(w))) + ops.sum(ops.exp(v))
    gv, gw = tape.gradient(y, [v, w])
    np.testing.assert_allclose(gv.numpy(), 4.0 + np.e, rtol=1e-6)   # column sums of w, + e
    np.testing.assert_allclose(gw.numpy(), 2.0)
    assert ops.concatenate([v, w]).shape == (4, 3)


P = R.uniform(0.2, 0.8, (2, 3))
# More differentiable ops: gradient checks only (their values are covered by the parity table).
GRAD_ONLY = {
    "sin": (lambda a: ops.sin(a), [P], 2), "cos": (lambda a: ops.cos(a), [P], 2),
    "tan": (lambda a: ops.tan(a), [P], 2), "sinh": (lambda a: ops.sinh(a), [P], 2),
    "cosh": (lambda a: ops.cosh(a), [P], 2), "arccos": (lambda a: ops.arccos(a), [P], 1),
    "arctan": (lambda a: ops.arctan(a), [P], 2), "arcsinh": (lambda a: ops.arcsinh(a), [P], 1),
    "arccosh": (lambda a: ops.arccosh(a + 1.5), [P], 1),
    "arctanh": (lambda a: ops.arctanh(a), [P], 1), "expm1": (lambda a: ops.expm1(a), [P], 2),
    "log1p": (lambda a: ops.log1p(a), [P], 2), "reciprocal": (lambda a: ops.reciprocal(a), [P], 2),
    "rad2deg": (lambda a: ops.rad2deg(a), [P], 1), "abs": (lambda a: ops.abs(a - 0.5), [P], 1),
    "absolute": (lambda a: ops.absolute(a - 0.5), [P], 1),
    "negative": (lambda a: ops.negative(a), [P], 2), "fabs": (lambda a: ops.fabs(a - 0.5), [P], 1),
    "true_divide": (lambda a, b: ops.true_divide(a, b), [P, B], 2),
    "divide_no_nan": (lambda a, b: ops.divide_no_nan(a, b), [P, B], 1),
    "minimum": (lambda a, b: ops.minimum(a, b), [P, B], 1),
    "fmax": (lambda a, b: ops.fmax(a, b), [P, B], 1), "fmin": (lambda a, b: ops.fmin(a, b), [P, B], 1),
    "mod": (lambda a, b: ops.mod(a, b), [P, B], 1), "fmod": (lambda a, b: ops.fmod(a, b), [P, B], 1),
    "logaddexp2": (lambda a, b: ops.logaddexp2(a, b), [P, B], 1),
    "ldexp": (lambda a: ops.ldexp(a, np.array([1, 2, 0])), [P], 1),
    "amax": (lambda a: ops.amax(a, axis=0), [P], 1), "amin": (lambda a: ops.amin(a), [P], 1),
    "min": (lambda a: ops.min(a, axis=1), [P], 1),
    "average": (lambda a: ops.average(a, axis=1, weights=np.array([1.0, 2.0, 3.0])), [P], 1),
    "percentile": (lambda a: ops.percentile(a, [20, 70], axis=1), [P], 1),
    "nansum": (lambda a: ops.nansum(a), [P], 1), "nanmean": (lambda a: ops.nanmean(a, 0), [P], 1),
    "nanvar": (lambda a: ops.nanvar(a), [P], 1), "nanstd": (lambda a: ops.nanstd(a, 1), [P], 1),
    "nanmax": (lambda a: ops.nanmax(a), [P], 1), "nanmin": (lambda a: ops.nanmin(a, 1), [P], 1),
    "nanprod": (lambda a: ops.nanprod(a), [P], 1),
    "nancumsum": (lambda a: ops.nancumsum(a, 1), [P], 1),
    "nancumprod": (lambda a: ops.nancumprod(a), [P], 1),
    "expand_dims": (lambda a: ops.expand_dims(a, (0, 2)), [P], 1),
    "squeeze": (lambda a: ops.squeeze(a[None]), [P], 1),
    "moveaxis": (lambda a: ops.moveaxis(a, 0, 1), [P], 1),
    "swapaxes": (lambda a: ops.swapaxes(a, 0, 1), [P], 1),
    "reshape": (lambda a: ops.reshape(a, (3, 2)), [P], 1),
    "concatenate": (lambda a, b: ops.concatenate([a, b], axis=1), [P, B], 1),
    "stack": (lambda a, b: ops.stack([a, b], axis=2), [P, B], 1),
    "hstack": (lambda a, b: ops.hstack([a, b]), [P, B], 1),
    "vstack": (lambda a, b: ops.vstack([a, b]), [P, B], 1),
    "dstack": (lambda a, b: ops.dstack([a, b]), [P, B], 1),
    "append": (lambda a, b: ops.append(a, b, axis=0), [P, B], 1),
    "split": (lambda a: ops.split(a, 3, axis=1)[1], [P], 1),
    "array_split": (lambda a: ops.array_split(a, 2, axis=1)[0], [P], 1),
    "hsplit": (lambda a: ops.hsplit(a, 3)[2], [P], 1),
    "vsplit": (lambda a: ops.vsplit(a, 2)[1], [P], 1),
    "dsplit": (lambda a: ops.dsplit(a[None], 3)[1], [P], 1),
    "tile": (lambda a: ops.tile(a, (2, 1)), [P], 1),
    "repeat": (lambda a: ops.repeat(a, 2, axis=0), [P], 1),
    "broadcast_to": (lambda a: ops.broadcast_to(a, (2, 2, 3)), [P], 1),
    "fliplr": (lambda a: ops.fliplr(a), [P], 1), "flipud": (lambda a: ops.flipud(a), [P], 1),
    "pad": (lambda a: ops.pad(a, ((1, 0), (2, 1)), mode="reflect"), [P], 1),
    "take_along_axis": (lambda a: ops.take_along_axis(a, np.array([[2, 0], [1, 1]]), 1), [P], 1),
    "where": (lambda a, b: ops.where(a > b, a, b * 2), [P, B], 1),
    "select": (lambda a, b: ops.select([a > 0.5, b > 0.5], [a, b], 0.0), [P, B], 1),
    "diagflat": (lambda a: ops.diagflat(a), [P], 1), "vander": (lambda a: ops.vander(a[0]), [P], 1),
    "einsum": (lambda a, b: ops.einsum("ij,kj->ik", a, b), [P, B], 2),
    "vdot": (lambda a, b: ops.vdot(a, b), [P, B], 2),
    "clip": (lambda a: ops.clip(a, 0.3, 0.6), [P], 1),
    "get_item": (lambda a: ops.get_item(a, (slice(None), 1)), [P], 1),
    "copy": (lambda a: ops.copy(a), [P], 1), "array": (lambda a: ops.array(a), [P], 1),
    "real": (lambda a: ops.real(a), [P], 1), "conj": (lambda a: ops.conj(a), [P], 1),
    "conjugate": (lambda a: ops.conjugate(a), [P], 1),
    "nan_to_num": (lambda a: ops.nan_to_num(a), [P], 1),
    "round": (lambda a: ops.round(a, 1) * a, [P], 1),
    "trunc": (lambda a: ops.trunc(a * 3) + a, [P], 1),
    "unstack": (lambda a: ops.unstack(a)[1], [P], 1),
    "slice": (lambda a: ops.slice(a, (0, 1), (2, 2)), [P], 1),
    "slice_update": (lambda a, b: ops.slice_update(a, (0, 1), b[:1, :2]), [P, B], 1),
    "scatter_update": (lambda a, b: ops.scatter_update(a, np.array([[0, 1]]), b[0, :1]),
                       [P, B], 1),
    "scatter": (lambda a: ops.scatter(np.array([[0], [2]]), a[0, :2], (4,)), [P], 1),
    "cast": (lambda a: ops.cast(a, "float64"), [P], 1),
    "saturate_cast": (lambda a: ops.saturate_cast(a, "float64"), [P], 1),
    "shuffle": (lambda a: keras.random.shuffle(a, seed=1), [P], 1),
    "dropout": (lambda a: keras.random.dropout(a, 0.5, seed=1), [P], 1),
    "sparse_plus": (lambda a: ops.sparse_plus(a * 3 - 1.5), [P], 1),
    "hard_tanh": (lambda a: ops.hard_tanh(a * 3 - 1.5), [P], 1),
    "soft_shrink": (lambda a: ops.soft_shrink(a * 3 - 1.5), [P], 1),
    "threshold": (lambda a: ops.threshold(a, 0.5, 0.0), [P], 1),
    "log_sigmoid": (lambda a: ops.log_sigmoid(a), [P], 2),
    "sparsemax": (lambda a: ops.sparsemax(a * 3), [P], 1),
    "separable_conv": (lambda x: ops.separable_conv(x, np.ones((2, 2, 1, 2)),
                                                    np.ones((1, 1, 2, 3))),
                       [R.uniform(0, 1, (1, 4, 4, 1))], 1),
    "psnr": (lambda a, b: ops.psnr(a, b, 1.0), [P, B], 1),
}




SPD = SQ @ SQ.T
IMGS = R.uniform(0, 1, (1, 4, 4, 3))
GRAD_ONLY.update({
    "relu": (lambda a: ops.relu(a - 0.5), [P], 1), "relu6": (lambda a: ops.relu6(a), [P], 1),
    "leaky_relu": (lambda a: ops.leaky_relu(a - 0.5), [P], 1),
    "selu": (lambda a: ops.selu(a - 0.5), [P], 1), "sigmoid": (lambda a: ops.sigmoid(a), [P], 2),
    "softsign": (lambda a: ops.softsign(a), [P], 2), "swish": (lambda a: ops.swish(a), [P], 2),
    "hard_sigmoid": (lambda a: ops.hard_sigmoid(a), [P], 1),
    "hard_silu": (lambda a: ops.hard_silu(a), [P], 1),
    "hard_swish": (lambda a: ops.hard_swish(a), [P], 1),
    "hard_shrink": (lambda a: ops.hard_shrink(a * 2 - 1), [P], 1),
    "tanh_shrink": (lambda a: ops.tanh_shrink(a), [P], 2),
    "sparse_sigmoid": (lambda a: ops.sparse_sigmoid(a), [P], 1),
    "erfc": (lambda a: ops.erfc(a), [P], 2),
    "adaptive_max_pool": (lambda x: ops.adaptive_max_pool(x, 2), [IMGS], 1),
    "space_to_depth": (lambda x: ops.space_to_depth(x, 2), [IMGS], 1),
    "sparse_categorical_crossentropy": (lambda a: ops.sparse_categorical_crossentropy(
        np.array([0, 2]), a, from_logits=True), [P], 2),
    "cholesky_inverse": (lambda a: ops.cholesky_inverse(ops.tril(a)), [SQ], 1),
    "slogdet": (lambda a: ops.slogdet(a)[1], [SQ], 1),
    "solve_triangular": (lambda a, b: ops.solve_triangular(a, b, lower=True), [SQ, SQ[:, :2]],
                         1),
    "segment_min": (lambda a: ops.segment_min(a, np.array([1, 0])), [P], 1),
    "segment_prod": (lambda a: ops.segment_prod(a, np.array([0, 0])), [P], 1),
    "rearrange": (lambda a: ops.rearrange(a, "a b -> b a"), [P], 1),
    "meshgrid": (lambda a, b: ops.meshgrid(a[0], b[1])[0] * ops.meshgrid(a[0], b[1])[1],
                 [P, B], 1),
    "pad_images": (lambda x: ops.image.pad_images(x, 1, 1, 1, 1), [IMGS], 1),
    "sobel_edges": (lambda x: ops.image.sobel_edges(x), [IMGS], 1),
    "ssim": (lambda x: ops.image.ssim(x, IMGS[::-1] * 0.5, filter_size=3), [IMGS], 1),
    "map": (lambda a: ops.map(lambda r: ops.sin(r), a), [P], 1),
    "vectorized_map": (lambda a: ops.vectorized_map(lambda r: ops.sum(r * r), a), [P], 1),
    "fori_loop": (lambda a: ops.fori_loop(0, 3, lambda i, v: v * a, a), [P], 1),
    "switch": (lambda a: ops.switch(1, [ops.sin, ops.cos], a), [P], 1),
    "associative_scan": (lambda a: ops.associative_scan(lambda x, y: x * y, a, axis=1), [P], 1),
    "vectorize": (lambda a: ops.vectorize(lambda v: v * v)(a), [P], 1),
})

# Ops with integer/boolean results, constants, or NumPy-computed (documented) results.
NOT_DIFFERENTIABLE = set("""
affine_transform all allclose angle any arange argmax argmin argpartition argsort bartlett
bincount bitwise_and bitwise_invert bitwise_left_shift bitwise_not bitwise_or
bitwise_right_shift bitwise_xor blackman ceil convert_to_numpy convert_to_tensor count_nonzero
ctc_decode digitize dtype eig elastic_transform empty empty_like equal eye fft fft2 floor
floor_divide full full_like gcd geomspace greater greater_equal hamming hanning heaviside
histogram hsv_to_rgb i0 identity ifft2 imag in_top_k irfft is_tensor isclose isfinite isin
isinf isnan isneginf isposinf isreal istft kaiser lcm left_shift less less_equal linspace
logical_and logical_not logical_or logical_xor logspace lstsq lu_factor map_coordinates
matrix_rank multi_hot nanargmax nanargmin nanmedian nanpercentile nanquantile ndim nextafter
nonzero not_equal one_hot ones ones_like perspective_transform polar rfft rgb_to_hsv
right_shift searchsorted shape sign signbit size stft tri unique unravel_index view
view_as_complex view_as_real zeros zeros_like
""".split()) | {"eigh", "pinv", "qr", "svd"}  # tf.linalg's eigh, svd, qr have no gradient yet


@pytest.mark.parametrize("name", sorted(GRAD_ONLY))
def test_more_gradients(name):
    fn, args, order = GRAD_ONLY[name]
    check_grads(fn, args, order=order, name=name)


def test_every_keras_op_is_gradient_checked_or_declared_not_differentiable():
    import importlib.util
    import os
    checked = {r[0] for r in TABLE if r[3]} | set(GRAD_ONLY)
    for mod in ("test_nn", "test_linalg_math"):
        spec = importlib.util.spec_from_file_location(
            mod, os.path.join(os.path.dirname(__file__), mod + ".py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        checked |= {k.split("-")[0] for k in module.GRADS}
    checked |= {"resize", "extract_patches", "rgb_to_grayscale", "gaussian_blur", "crop_images",
                "scale_and_translate", "extract_patches_3d", "cond", "while_loop", "scan",
                "stop_gradient", "custom_gradient", "jvp"}  # test_image_core, test_linalg_math
    names = set(ops.__all__) | set(ops.image.__all__)
    missing = names - checked - NOT_DIFFERENTIABLE
    assert not missing, f"neither gradient-checked nor declared not differentiable: {missing}"
    assert not (checked & NOT_DIFFERENTIABLE), checked & NOT_DIFFERENTIABLE
