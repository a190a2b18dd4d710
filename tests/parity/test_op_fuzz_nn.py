"""The differential fuzzer's second half: nn, linalg, image, random and bitwise ops.

Seeded like ``test_op_fuzz.py`` (whose value generator and comparison it shares): every
dtype, 0-d and empty shapes, bad arguments (axes, rates, shapes, label ranges, methods,
channel counts), against the real TensorFlow 2.21. Random ops are compared by outcome
class, dtype and shape only (the generators differ); decompositions by sign-free values.

    PYTHONPATH=src python tests/parity/test_op_fuzz_nn.py [-v]   (in the parity virtualenv)
"""
import sys
import warnings

import numpy as np

try:
    from test_op_fuzz import DTYPES, _same, _values
except ImportError:   # run by pytest as a package module
    from tests.parity.test_op_fuzz import DTYPES, _same, _values

SEED = 20261209
FLOATS = ["float16", "float32", "float64"]
SHAPES = [(), (0,), (3,), (2, 3), (0, 3), (2, 0)]
AXES = [None, 0, -1, 1, 2, -3, "a", 1.5, [0], [0, 1], True]


def _cases():
    """Returns ``[(description, f(tf) -> Tensor or tuple, compare)]``; ``compare`` is
    ``"values"``, ``"meta"`` (class, dtype, shape) or ``"abs"`` (values up to sign)."""
    rng = np.random.default_rng(SEED)
    out = []

    def add(desc, f, compare="values"):
        out.append((desc, f, compare))

    def c(tf, a):
        if isinstance(a, np.ndarray) and a.dtype == object:
            return tf.constant(a.tolist() if a.ndim else a.item())
        return tf.constant(a)

    # -- softmax / log_softmax: axis arguments, dtypes, shapes
    for op in ("softmax", "log_softmax"):
        for dt in DTYPES:
            v = _values(dt, (2, 3), rng)
            add(f"nn.{op}({dt}[2,3])", lambda t, v=v, op=op: getattr(t.nn, op)(c(t, v)))
        for shape in SHAPES:
            v = _values("float32", shape, rng)
            for axis in AXES:
                add(f"nn.{op}(float32{list(shape)}, axis={axis!r})",
                    lambda t, v=v, a=axis, op=op: getattr(t.nn, op)(c(t, v), axis=a))
    # -- activations with arguments
    for dt in DTYPES:
        v = _values(dt, (2, 3), rng)
        for op in ("gelu", "silu", "softsign", "crelu", "relu6", "l2_loss",
                   "zero_fraction"):
            add(f"nn.{op}({dt})", lambda t, v=v, op=op: getattr(t.nn, op)(c(t, v)))
        add(f"nn.leaky_relu({dt}, alpha=0.3)",
            lambda t, v=v: t.nn.leaky_relu(c(t, v), alpha=0.3))
    # -- bias_add
    for dt in DTYPES:
        x, b = _values(dt, (2, 3), rng), _values(dt, (3,), rng)
        add(f"nn.bias_add({dt})", lambda t, x=x, b=b: t.nn.bias_add(c(t, x), c(t, b)))
    for xs, bs, fmt in [((2, 3), (2,), None), ((2, 3), (), None), ((3,), (3,), None),
                        ((2, 3, 4), (3,), "NCHW"), ((2, 3, 4), (4,), "NHWC"),
                        ((2, 3), (3,), "NCW"), ((0, 3), (3,), None), ((2, 3), (1, 3), None),
                        ((2, 3, 4, 5), (3,), "NCHW"), ((2, 3), (3,), "bad")]:
        x, b = _values("float32", xs, rng), _values("float32", bs, rng)
        add(f"nn.bias_add({xs},{bs},{fmt})",
            lambda t, x=x, b=b, f=fmt: t.nn.bias_add(c(t, x), c(t, b), data_format=f))
    x64, b32 = _values("float64", (2, 3), rng), _values("float32", (3,), rng)
    add("nn.bias_add(float64, float32)", lambda t: t.nn.bias_add(c(t, x64), c(t, b32)))
    # -- l2_normalize, moments
    for dt in DTYPES:
        v = _values(dt, (2, 3), rng)
        add(f"nn.l2_normalize({dt})", lambda t, v=v: t.nn.l2_normalize(c(t, v), axis=-1))
        add(f"nn.moments({dt})", lambda t, v=v: t.nn.moments(c(t, v), axes=[0]))
    for shape in SHAPES:
        v = _values("float32", shape, rng)
        for axis in AXES:
            add(f"nn.l2_normalize(float32{list(shape)}, axis={axis!r})",
                lambda t, v=v, a=axis: t.nn.l2_normalize(c(t, v), axis=a))
            ax = [axis] if isinstance(axis, int) else axis
            for kd in (False, True):
                add(f"nn.moments(float32{list(shape)}, axes={ax!r}, keepdims={kd})",
                    lambda t, v=v, a=ax, k=kd: t.nn.moments(c(t, v), axes=a, keepdims=k))
    # -- dropout: rates, noise shapes, dtypes (random: outcome, dtype and shape)
    for dt in DTYPES:
        v = _values(dt, (2, 3), rng)
        add(f"nn.dropout({dt}, 0.5)", lambda t, v=v: t.nn.dropout(c(t, v), 0.5, seed=1),
            "meta")
    xf = _values("float32", (2, 3), rng)
    for rate in (-0.1, 0.0, 0.5, 1.0, 1.5, "a", None, [0.5], np.float64(0.25)):
        add(f"nn.dropout(rate={rate!r})", lambda t, r=rate: t.nn.dropout(c(t, xf), r, seed=1),
            "meta" if rate not in (0.0,) else "values")
    for ns in ([2, 1], [1, 3], [2, 2], [3], [2, 3, 1]):
        add(f"nn.dropout(noise_shape={ns})",
            lambda t, ns=ns: t.nn.dropout(c(t, xf), 0.5, noise_shape=ns, seed=1), "meta")
    # -- composites: batch norm, embeddings, crelu, weighted xent, average loss
    for dt in DTYPES:
        v = _values(dt, (2, 3), rng)
        add(f"nn.batch_normalization({dt})", lambda t, v=v: t.nn.batch_normalization(
            c(t, v), c(t, v[0]), c(t, v[1]), None, None, 1e-3))
        add(f"nn.embedding_lookup({dt})", lambda t, v=v: t.nn.embedding_lookup(
            c(t, v), [1, 0]))
        add(f"nn.weighted_xent({dt})", lambda t, v=v: t.nn.weighted_cross_entropy_with_logits(
            c(t, v), c(t, v), 2.0))
        add(f"nn.compute_average_loss({dt})",
            lambda t, v=v: t.nn.compute_average_loss(c(t, v[0])))
        add(f"nn.gelu_approximate({dt})", lambda t, v=v: t.nn.gelu(c(t, v), approximate=True))
    table = _values("float32", (4, 3), rng)
    for ids in ([0, 3], [4], [-1], [[0, 1]], [0.5], [], 2):
        add(f"nn.embedding_lookup(ids={ids!r})",
            lambda t, i=ids: t.nn.embedding_lookup(c(t, table), i))
    for axis in (-1, 0, 1, 2, -3, 0.5):
        add(f"nn.crelu(axis={axis})", lambda t, a=axis: t.nn.crelu(c(t, table), axis=a))
    for gbs in (None, 4, 0, 2.5):
        add(f"nn.compute_average_loss(global_batch_size={gbs})",
            lambda t, g=gbs: t.nn.compute_average_loss(c(t, table[:, 0]), global_batch_size=g))
    # -- cross-entropies
    for dt in DTYPES:
        z, x = _values(dt, (2, 3), rng), _values(dt, (2, 3), rng)
        add(f"nn.sigmoid_xent({dt})", lambda t, z=z, x=x:
            t.nn.sigmoid_cross_entropy_with_logits(labels=c(t, z), logits=c(t, x)))
        add(f"nn.softmax_xent({dt})", lambda t, z=z, x=x:
            t.nn.softmax_cross_entropy_with_logits(labels=c(t, z), logits=c(t, x)))
    for zs, xs in [((3,), (2, 3)), ((2, 3), (3,)), ((), ()), ((0, 3), (0, 3)), ((2, 1), (2, 3)),
                   ((3,), (3,)), ((2, 4), (2, 3))]:
        z, x = _values("float32", zs, rng), _values("float32", xs, rng)
        add(f"nn.sigmoid_xent({zs},{xs})", lambda t, z=z, x=x:
            t.nn.sigmoid_cross_entropy_with_logits(labels=c(t, z), logits=c(t, x)))
        add(f"nn.softmax_xent({zs},{xs})", lambda t, z=z, x=x:
            t.nn.softmax_cross_entropy_with_logits(labels=c(t, z), logits=c(t, x)))
    for axis in (0, 1, -1, 2, -3):
        z, x = _values("float32", (2, 3), rng), _values("float32", (2, 3), rng)
        add(f"nn.softmax_xent(axis={axis})", lambda t, z=z, x=x, a=axis:
            t.nn.softmax_cross_entropy_with_logits(labels=c(t, z), logits=c(t, x), axis=a))
    add("nn.sigmoid_xent(python labels)", lambda t:
        t.nn.sigmoid_cross_entropy_with_logits(labels=[[1, 0, 1]], logits=c(t, xf[:1])))
    add("nn.sigmoid_xent(float64 labels)", lambda t:
        t.nn.sigmoid_cross_entropy_with_logits(labels=c(t, x64), logits=c(t, xf)))
    for labels, ldt in [([0, 2], "int32"), ([0, 3], "int32"), ([-1, 0], "int64"),
                        ([0, 1], "int64"), ([0, 1], "float32"), ([0, 1], "uint8"),
                        ([0, 1], "int16"), ([[0, 1]], "int32"), ([0], "int32"), ([], "int32")]:
        lab = np.array(labels, dtype=ldt)
        for dt in ("float32", "float64", "float16", "int32"):
            rows = 0 if labels == [] else 2
            x = _values(dt, (rows, 3), rng)
            add(f"nn.sparse_xent({labels},{ldt};{dt})", lambda t, lab=lab, x=x:
                t.nn.sparse_softmax_cross_entropy_with_logits(labels=c(t, lab), logits=c(t, x)))
    add("nn.sparse_xent(0-d logits)", lambda t: t.nn.sparse_softmax_cross_entropy_with_logits(
        labels=t.constant(0), logits=t.constant(1.0)))
    add("nn.sparse_xent(classes 0)", lambda t: t.nn.sparse_softmax_cross_entropy_with_logits(
        labels=t.constant([0]), logits=t.zeros([1, 0])))
    # -- linalg: dtypes, non-square, batched, empty
    def spd(shape, dt):
        a = rng.uniform(-1, 1, shape)
        if len(shape) >= 2 and shape[-1] == shape[-2]:
            a = a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])
        return a.astype(dt)
    mats = [(3, 3), (2, 3, 3), (2, 3), (3, 2), (0, 3, 3), (0, 0), (3,), (), (1, 1)]
    for dt in DTYPES:
        a = spd((3, 3), dt) if dt not in ("bool", "string") else _values(dt, (3, 3), rng)
        for op in ("inv", "det", "cholesky", "eigvalsh", "slogdet", "logdet", "trace",
                   "diag_part", "matrix_transpose", "adjoint", "pinv"):
            add(f"linalg.{op}({dt})", lambda t, a=a, op=op: getattr(t.linalg, op)(c(t, a)))
        add(f"linalg.solve({dt})", lambda t, a=a: t.linalg.solve(c(t, a), c(t, a)))
        add(f"linalg.svd({dt})", lambda t, a=a: t.linalg.svd(c(t, a), compute_uv=False))
        add(f"linalg.qr({dt})", lambda t, a=a: t.linalg.qr(c(t, a)), "abs")
        add(f"linalg.eigh({dt})", lambda t, a=a: t.linalg.eigh(c(t, a))[0])
        add(f"linalg.band_part({dt})", lambda t, a=a: t.linalg.band_part(c(t, a), 0, -1))
    for shape in mats:
        a = spd(shape, "float64")
        for op in ("inv", "det", "cholesky", "eigvalsh", "trace", "diag_part",
                   "matrix_transpose", "pinv", "logdet"):
            add(f"linalg.{op}(float64{list(shape)})",
                lambda t, a=a, op=op: getattr(t.linalg, op)(c(t, a)))
        add(f"linalg.svd(float64{list(shape)})",
            lambda t, a=a: t.linalg.svd(c(t, a), compute_uv=False))
        add(f"linalg.svd_full(float64{list(shape)})",
            lambda t, a=a: t.linalg.svd(c(t, a), full_matrices=True), "abs")
        add(f"linalg.qr(float64{list(shape)})", lambda t, a=a: t.linalg.qr(c(t, a)), "abs")
        add(f"linalg.qr_full(float64{list(shape)})",
            lambda t, a=a: t.linalg.qr(c(t, a), full_matrices=True), "abs")
        add(f"linalg.eigh(float64{list(shape)})", lambda t, a=a: t.linalg.eigh(c(t, a)), "abs")
        add(f"linalg.solve(float64{list(shape)})",
            lambda t, a=a: t.linalg.solve(c(t, a), c(t, a)))
        add(f"linalg.band_part(float64{list(shape)})",
            lambda t, a=a: t.linalg.band_part(c(t, a), 1, 0))
        add(f"linalg.l2_normalize(float64{list(shape)})",
            lambda t, a=a: t.linalg.l2_normalize(c(t, a), axis=0))
    sing = np.zeros((2, 2), np.float32)
    add("linalg.inv(singular)", lambda t: t.linalg.inv(c(t, sing)))
    add("linalg.cholesky(not spd)", lambda t: t.linalg.cholesky(c(t, -np.eye(2))))
    add("linalg.solve(3x3, 2x1)", lambda t: t.linalg.solve(c(t, np.eye(3)), c(t, np.ones((2, 1)))))
    add("linalg.solve(f32, f64)", lambda t: t.linalg.solve(c(t, np.eye(2, dtype=np.float32)),
                                                           c(t, np.ones((2, 1)))))
    for lo, up in ((0, 0), (-1, 0), (5, 5), (-2, 1), (1.5, 0)):
        a = _values("float32", (3, 4), rng)
        add(f"linalg.band_part({lo},{up})",
            lambda t, a=a, lo=lo, up=up: t.linalg.band_part(c(t, a), lo, up))
    for eq, shapes in [("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk->ik", [(2, 3), (4, 4)]),
                       ("ii->i", [(3, 3)]), ("i,i", [(3,), (3,)]), ("...ij->...ji", [(2, 3)]),
                       ("ij->", [(0, 3)]), ("ij,jk", [(2, 3)])]:
        vs = [_values("float32", s, rng) for s in shapes]
        add(f"einsum({eq},{shapes})",
            lambda t, eq=eq, vs=vs: t.einsum(eq, *[c(t, v) for v in vs]))
    for dt in DTYPES:
        a, b = _values(dt, (2, 3), rng), _values(dt, (3, 2), rng)
        add(f"einsum({dt})", lambda t, a=a, b=b: t.einsum("ij,jk->ik", c(t, a), c(t, b)))
        add(f"math.polygamma({dt})", lambda t, a=a: t.math.polygamma(
            t.ones_like(c(t, a)) if a.dtype.kind != "O" else c(t, a), c(t, a)))
        add(f"linalg.diag_part({dt}[2,3])", lambda t, a=a: t.linalg.diag_part(c(t, a)))
    for ax in (1, 0, 2, [[1], [0]], [[0], [0]], -1):
        a, b = _values("float32", (2, 3), rng), _values("float32", (3, 2), rng)
        add(f"tensordot(axes={ax})",
            lambda t, a=a, b=b, ax=ax: t.tensordot(c(t, a), c(t, b), axes=ax))
    for ordv, ax in [("euclidean", None), ("fro", [0, 1]), (1, None), (2, 0), (np.inf, 1),
                     (1, [0, 1]), (np.inf, [0, 1]), (0, None), ("bad", None), (3, 0),
                     (2, [0, 1]), ("euclidean", 5)]:
        a = _values("float32", (2, 3), rng)
        add(f"norm(ord={ordv}, axis={ax})",
            lambda t, a=a, o=ordv, ax=ax: t.norm(c(t, a), ord=o, axis=ax))
    # -- random ops: shape, dtype and seed arguments (meta only)
    for shape in ([2, 3], [], [0], [-1], [2.5], "ab", [[2]], (2, 3), np.array([2, 3])):
        for op in ("uniform", "normal", "truncated_normal"):
            add(f"random.{op}(shape={shape!r})",
                lambda t, s=shape, op=op: getattr(t.random, op)(s, seed=1), "meta")
    for dt in ("float16", "float32", "float64", "int32", "int64", "bool", "uint8", "complex64"):
        for op in ("uniform", "normal", "truncated_normal"):
            add(f"random.{op}(dtype={dt})",
                lambda t, d=dt, op=op: getattr(t.random, op)([3], dtype=d, seed=1), "meta")
        add(f"random.uniform(dtype={dt}, maxval=10)",
            lambda t, d=dt: t.random.uniform([3], maxval=10, dtype=d, seed=1), "meta")
        add(f"random.gamma(dtype={dt})",
            lambda t, d=dt: t.random.gamma([3], 2.0, dtype=d, seed=1), "meta")
        add(f"random.poisson(dtype={dt})",
            lambda t, d=dt: t.random.poisson([3], 2.0, dtype=d, seed=1), "meta")
    for mn, mx in ((0, 10), (5, 5), (5, 2), (0.0, 1.0)):
        add(f"random.uniform int({mn},{mx})", lambda t, mn=mn, mx=mx: t.random.uniform(
            [4], minval=mn, maxval=mx, dtype="int32", seed=1), "meta")
    for seed in (1, None, 1.5, "a", 2 ** 40):
        add(f"random.uniform(seed={seed!r})",
            lambda t, s=seed: t.random.uniform([2], seed=s), "meta")
    for seed in ([1, 2], [1], (1, 2, 3), 1, [1.5, 2]):
        add(f"random.stateless_uniform(seed={seed!r})",
            lambda t, s=seed: t.random.stateless_uniform([2], seed=s), "meta")
        add(f"random.stateless_normal(seed={seed!r})",
            lambda t, s=seed: t.random.stateless_normal([2], seed=s), "meta")
    for logits, n in [([[0.0, 1.0]], 3), ([0.0, 1.0], 3), ([[0.0, 1.0]], 0), ([[0.0, 1.0]], -1),
                      ([[0, 1]], 2), (np.zeros((0, 2), np.float32), 2)]:
        add(f"random.categorical({logits!r},{n})",
            lambda t, lg=logits, n=n: t.random.categorical(t.constant(lg), n, seed=1), "meta")
    for name, f in [
            ("gen.normal([2.5])", lambda t: t.random.Generator.from_seed(1).normal([2.5])),
            ("gen.normal([[2]])", lambda t: t.random.Generator.from_seed(1).normal([[2]])),
            ("gen.normal(int32)", lambda t: t.random.Generator.from_seed(1).normal(
                [2], dtype=t.int32)),
            ("gen.uniform(int32)", lambda t: t.random.Generator.from_seed(1).uniform(
                [2], dtype=t.int32)),
            ("gen.uniform_full_int(float32)", lambda t: t.random.Generator.from_seed(
                1).uniform_full_int([2], dtype=t.float32)),
            ("gen.binomial(float counts)", lambda t: t.random.Generator.from_seed(
                1).binomial([3], counts=[5., -1., 3.], probs=[0.5, 0.5, 1.5])),
            ("gen.from_seed('a')", lambda t: t.random.Generator.from_seed("a").normal([2])),
            ("gamma(alpha<=0)", lambda t: t.random.gamma([2], [-1.0, 0.0], seed=1)),
            ("categorical(dtype=float32)", lambda t: t.random.categorical(
                t.zeros([1, 2]), 2, dtype=t.float32)),
            ("stateless_uniform([2.5])", lambda t: t.random.stateless_uniform(
                [2.5], seed=[1, 2]))]:
        add(f"random.{name}", f, "meta")
    for x in ([1, 2, 3], 5, [[1, 2], [3, 4]], np.zeros(0, np.float32)):
        add(f"random.shuffle({x!r})", lambda t, x=x: t.random.shuffle(t.constant(x), seed=1),
            "meta")
    # -- image ops
    img = rng.uniform(0, 1, (4, 5, 3)).astype(np.float32)
    for method in ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                   "gaussian", "mitchellcubic", "bad"):
        for size in ([2, 3], [8, 10], [4, 5], [0, 3], [-1, 2], [2], [2.5, 3], [1, 1]):
            add(f"image.resize({method}, {size})", lambda t, m=method, s=size:
                t.image.resize(c(t, img), s, method=m))
        add(f"image.resize({method}, antialias)", lambda t, m=method:
            t.image.resize(c(t, img), [2, 3], method=m, antialias=True))
        add(f"image.resize({method}, aspect)", lambda t, m=method:
            t.image.resize(c(t, img), [2, 2], method=m, preserve_aspect_ratio=True))
    for dt in DTYPES:
        v = _values(dt, (4, 5, 3), rng)
        add(f"image.resize({dt})", lambda t, v=v: t.image.resize(c(t, v), [2, 3]))
        add(f"image.resize_nearest({dt})",
            lambda t, v=v: t.image.resize(c(t, v), [2, 3], method="nearest"))
        for op in ("flip_left_right", "flip_up_down", "rgb_to_grayscale", "transpose", "rot90",
                   "per_image_standardization", "grayscale_to_rgb", "total_variation"):
            add(f"image.{op}({dt})", lambda t, v=v, op=op: getattr(t.image, op)(c(t, v)))
        for op, arg in (("adjust_brightness", 0.1), ("adjust_contrast", 1.5),
                        ("adjust_gamma", 2.0)):
            add(f"image.{op}({dt})",
                lambda t, v=v, op=op, a=arg: getattr(t.image, op)(c(t, v), a))
        add(f"image.convert_image_dtype({dt}->float32)",
            lambda t, v=v: t.image.convert_image_dtype(c(t, v), t.float32))
        add(f"image.convert_image_dtype({dt}->uint8)",
            lambda t, v=v: t.image.convert_image_dtype(c(t, v), t.uint8))
    for shape in ((4, 5, 3), (2, 4, 5, 3), (4, 5), (4, 5, 1), (4, 5, 4), (1, 2, 4, 5, 3),
                  (0, 5, 3), (4, 5, 0), (3,)):
        v = rng.uniform(0, 1, shape).astype(np.float32)
        for op in ("flip_left_right", "flip_up_down", "rgb_to_grayscale", "grayscale_to_rgb",
                   "transpose", "rot90", "per_image_standardization", "central_crop",
                   "total_variation", "resize", "image_gradients"):
            args = {"central_crop": (0.5,), "resize": ([2, 3],)}.get(op, ())
            add(f"image.{op}({list(shape)})", lambda t, v=v, op=op, a=args:
                getattr(t.image, op)(c(t, v), *a))
        for op, arg in (("adjust_brightness", 0.1), ("adjust_contrast", 1.5),
                        ("adjust_gamma", 2.0)):
            add(f"image.{op}({list(shape)})",
                lambda t, v=v, op=op, a=arg: getattr(t.image, op)(c(t, v), a))
    for k in (0, 1, 2, 3, 4, -1, 1.5):
        add(f"image.rot90(k={k})", lambda t, k=k: t.image.rot90(c(t, img), k))
    for frac in (0.5, 1.0, 0.0, 1.5, -0.1):
        add(f"image.central_crop({frac})", lambda t, f=frac: t.image.central_crop(c(t, img), f))
    for args in ((0, 0, 2, 2), (1, 1, 3, 4), (0, 0, 5, 5), (-1, 0, 2, 2), (0, 0, 0, 2)):
        add(f"image.crop_to_bounding_box{args}",
            lambda t, a=args: t.image.crop_to_bounding_box(c(t, img), *a))
    for args in ((0, 0, 4, 5), (1, 1, 6, 7), (0, 0, 3, 3), (-1, 0, 6, 6)):
        add(f"image.pad_to_bounding_box{args}",
            lambda t, a=args: t.image.pad_to_bounding_box(c(t, img), *a))
    for hw in ((2, 3), (6, 7), (4, 5), (0, 3)):
        add(f"image.resize_with_crop_or_pad{hw}",
            lambda t, hw=hw: t.image.resize_with_crop_or_pad(c(t, img), *hw))
    for gamma, gain in ((2.0, 1.0), (-1.0, 1.0), (0.5, 2.0)):
        add(f"image.adjust_gamma({gamma},{gain})",
            lambda t, g=gamma, n=gain: t.image.adjust_gamma(c(t, img), g, n))
    add("image.psnr", lambda t: t.image.psnr(c(t, img), c(t, img * 0.5), 1.0))
    add("image.psnr shapes", lambda t: t.image.psnr(c(t, img), c(t, img[:2]), 1.0))
    # -- bitwise
    for dt in DTYPES:
        x, y = _values(dt, (2, 3), rng), _values(dt, (3,), rng)
        for op in ("bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift"):
            add(f"bitwise.{op}({dt})",
                lambda t, x=x, y=y, op=op: getattr(t.bitwise, op)(c(t, x), c(t, y)))
        add(f"bitwise.invert({dt})", lambda t, x=x: t.bitwise.invert(c(t, x)))
    for dx, dy in (("int32", "int64"), ("int8", "int32"), ("uint8", "int8")):
        x, y = _values(dx, (3,), rng), _values(dy, (3,), rng)
        for op in ("bitwise_and", "left_shift"):
            add(f"bitwise.{op}({dx},{dy})",
                lambda t, x=x, y=y, op=op: getattr(t.bitwise, op)(c(t, x), c(t, y)))
    for sh in (-1, 0, 3, 31, 32, 40):
        x = np.array([1, -8, 255], np.int32)
        for op in ("left_shift", "right_shift"):
            add(f"bitwise.{op}(int32, {sh})",
                lambda t, x=x, s=sh, op=op: getattr(t.bitwise, op)(c(t, x), s))
    for op in ("bitwise_and", "left_shift"):
        add(f"bitwise.{op}(shape mismatch)", lambda t, op=op: getattr(t.bitwise, op)(
            t.constant([1, 2]), t.constant([1, 2, 3])))
        add(f"bitwise.{op}(python int)",
            lambda t, op=op: getattr(t.bitwise, op)(t.constant([1, 2], t.uint8), 3))
    # -- signal
    for dt in DTYPES:
        v = _values(dt, (2, 4), rng)
        for op in ("fft", "ifft", "rfft", "irfft", "fft2d"):
            add(f"signal.{op}({dt})", lambda t, v=v, op=op: getattr(t.signal, op)(c(t, v)))
    return out


def _grad_cases():
    """``(description, f(tf, x) -> Tensor, input array)``: differentiable ops whose gradient
    (of a fixed weighting of the output) is compared with TensorFlow's, float32 and float64."""
    rng = np.random.default_rng(SEED + 1)
    out = []
    m = rng.uniform(-2, 2, (2, 3, 4))
    sq = rng.uniform(-0.5, 0.5, (2, 3, 3)) + 3 * np.eye(3)
    img = rng.uniform(0, 1, (1, 5, 6, 2))
    lab = np.array([[1, 0, 3], [2, 2, 0]])
    for axis in (-1, 0, 1):
        out.append((f"softmax(axis={axis})", lambda t, x, a=axis: t.nn.softmax(x, axis=a), m))
        out.append((f"log_softmax(axis={axis})",
                    lambda t, x, a=axis: t.nn.log_softmax(x, axis=a), m))
    for name in ("elu", "selu", "softplus", "relu", "relu6", "leaky_relu", "gelu", "silu",
                 "softsign", "l2_loss"):
        out.append((name, lambda t, x, n=name: getattr(t.nn, n)(x * 3), m))
    out += [
        ("sigmoid_xent", lambda t, x: t.nn.sigmoid_cross_entropy_with_logits(
            labels=t.sigmoid(x[::-1]), logits=x), m),
        ("softmax_xent", lambda t, x: t.nn.softmax_cross_entropy_with_logits(
            labels=t.nn.softmax(x[::-1]), logits=x), m),
        ("sparse_xent", lambda t, x: t.nn.sparse_softmax_cross_entropy_with_logits(
            labels=t.constant(lab), logits=x), m),
        ("bias_add NCW", lambda t, x: t.nn.bias_add(x, t.reduce_sum(x, [0, 2]) * 0.1,
                                                    data_format="NCW"), m),
        ("bias_add", lambda t, x: t.nn.bias_add(x, x[0, 0]), m),
        ("l2_normalize", lambda t, x: t.nn.l2_normalize(x, axis=1), m),
        ("moments", lambda t, x: t.add_n(t.nn.moments(x, axes=[0, 2])), m),
        ("batch_normalization", lambda t, x: t.nn.batch_normalization(
            x, t.reduce_mean(x, 0), t.math.reduce_variance(x, 0), 0.5, 2.0, 1e-3), m),
        ("crelu", lambda t, x: t.nn.crelu(x, axis=1), m),
        ("inv", lambda t, x: t.linalg.inv(x), sq),
        ("det", lambda t, x: t.linalg.det(x), sq),
        ("slogdet", lambda t, x: t.linalg.slogdet(x)[1], sq),
        ("logdet", lambda t, x: t.linalg.logdet(t.matmul(x, x, transpose_b=True)), sq),
        ("solve", lambda t, x: t.linalg.solve(x, x[..., :2] * 2), sq),
        ("cholesky", lambda t, x: t.linalg.cholesky(t.matmul(x, x, transpose_b=True)), sq),
        ("band_part", lambda t, x: t.linalg.band_part(x, 0, 1), m),
        ("diag_part", lambda t, x: t.linalg.diag_part(x), m),
        ("trace", lambda t, x: t.linalg.trace(x), sq),
        ("einsum", lambda t, x: t.einsum("bij,bkj->bik", x, x), m),
        ("einsum diag", lambda t, x: t.einsum("bii->bi", x), sq),
        ("tensordot", lambda t, x: t.tensordot(x, x, axes=[[0, 2], [0, 2]]), m),
        ("norm spectral", lambda t, x: t.norm(x, ord=2, axis=[1, 2]), m),
        ("norm fro", lambda t, x: t.norm(x, ord="fro", axis=[1, 2]), m),
        ("polygamma", lambda t, x: t.math.polygamma(t.ones_like(x), x + 3), m),
        ("pinv", lambda t, x: t.linalg.pinv(x), m),
    ]
    for method in ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                   "gaussian", "mitchellcubic"):
        for size, aa in (((3, 4), False), ((9, 8), False), ((3, 4), True)):
            out.append((f"resize({method},{size},aa={aa})", lambda t, x, mth=method, sz=size,
                        a=aa: t.image.resize(x, sz, method=mth, antialias=a), img))
    for name in ("flip_left_right", "rot90", "per_image_standardization", "rgb_to_grayscale",
                 "transpose", "total_variation"):
        out.append((f"image.{name}", lambda t, x, n=name: getattr(t.image, n)(
            x if n != "rgb_to_grayscale" else t.concat([x, x[..., :1]], -1)), img))
    out.append(("image.adjust_gamma", lambda t, x: t.image.adjust_gamma(x, 2.0, 1.5), img))
    out.append(("image.adjust_brightness",
                lambda t, x: t.image.adjust_brightness(x, 0.3), img))
    return out


def _grad_outcome(tf, f, a):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x = tf.constant(a)
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = tf.cast(f(tf, x), x.dtype)
                w = tf.constant(np.linspace(0.5, 1.5, int(np.prod(y.shape))).reshape(
                    y.shape).astype(a.dtype))
                loss = tf.reduce_sum(y * w)
            g = tape.gradient(loss, x)
            return ("ok", None if g is None else tf.convert_to_tensor(g).numpy())
    except Exception as e:  # noqa: BLE001  (the exception class is what we compare)
        return ("err", type(e).__name__, str(e).split("\n")[0][:120])


def gradient_differences(real_tf, mine):
    """Returns (number of cases, [(description, tf outcome, tapeflow outcome)])."""
    diffs, n = [], 0
    for desc, f, a in _grad_cases():
        for dt in ("float32", "float64"):
            n += 1
            x = a.astype(dt)
            r, m = _grad_outcome(real_tf, f, x), _grad_outcome(mine, f, x)
            same = r[0] == m[0] and (r[1] == m[1] if r[0] == "err" else (
                (r[1] is None) == (m[1] is None) and (r[1] is None or np.allclose(
                    r[1], m[1], rtol=2e-3 if dt == "float32" else 1e-5,
                    atol=2e-4 if dt == "float32" else 1e-6))))
            if not same:
                diffs.append((f"{desc} {dt}", r[:2] if r[0] == "err" else r[0],
                              m[:2] if m[0] == "err" else m[0]))
    return n, diffs


def _tensors(r):
    return list(r) if isinstance(r, (tuple, list)) else [r]


def _outcome(tf, f):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rs = _tensors(f(tf))
            return ("ok", [(r.dtype.name, tuple(r.shape), r.numpy()) for r in rs])
    except Exception as e:  # noqa: BLE001  (the exception class is what we compare)
        return ("err", type(e).__name__, str(e).split("\n")[0][:120])


def _agree(a, b, compare):
    if a[0] != b[0]:
        return False
    if a[0] == "err":
        return a[1] == b[1]
    if len(a[1]) != len(b[1]):
        return False
    for (da, sa, va), (db, sb, vb) in zip(a[1], b[1]):
        if (da, sa) != (db, sb):
            return False
        if compare == "meta":
            continue
        if compare == "abs" and va.dtype.kind in "fc":
            va, vb = np.abs(va), np.abs(vb)
        if not _same(("ok", da, sa, va), ("ok", db, sb, vb)):
            return False
    return True


def _short(o):
    if o[0] == "err":
        return o
    return ("ok", [(d, s) for d, s, _ in o[1]])


def differences(real_tf, mine):
    """Returns (number of cases, [(description, tf outcome, tapeflow outcome)])."""
    cases = _cases()
    diffs = []
    for desc, f, compare in cases:
        a, b = _outcome(real_tf, f), _outcome(mine, f)
        if not _agree(a, b, compare):
            diffs.append((desc, _short(a), _short(b)))
    return len(cases), diffs


# Differences kept on purpose (see NOTES-opsnn.md):
# - softmax of a 0-d tensor: TF 2.21's oneDNN kernel fails with AbortedError; tapeflow raises
#   InvalidArgumentError ("logits must have >= 1 dimension"), as TF's own kernel does.
# - cholesky of a matrix that is not positive definite: TF 2.21 returns uninitialised memory
#   and NaN; tapeflow raises InvalidArgumentError ("Cholesky decomposition was not
#   successful"), the error TF documents.
# - convert_image_dtype of out-of-range floats to uint8 (values outside [0, 1], inf, NaN):
#   undefined in TF (its vectorised cast saturates, its scalar cast wraps, so the result
#   depends on the array's length); tapeflow wraps like tf.cast.
# - l2_normalize of complex: tf.math.l2_normalize lives in math_ops (another helper's).
KNOWN = {"nn.softmax(float32[], axis=None)", "nn.softmax(float32[], axis=-1)",
         "linalg.cholesky(not spd)", "image.convert_image_dtype(float16->uint8)",
         "image.convert_image_dtype(float32->uint8)",
         "image.convert_image_dtype(float64->uint8)", "nn.l2_normalize(complex64)",
         "nn.l2_normalize(complex128)"}


def test_op_fuzz_nn_matches_tensorflow(rtf):
    import tapeflow
    n, diffs = differences(rtf, tapeflow)
    unexpected = [d for d in diffs if d[0] not in KNOWN]
    assert n > 1000
    assert not unexpected, f"{len(unexpected)} of {n} cases differ from TensorFlow:\n" + \
        "\n".join(f"  {d}: TF {t} / tapeflow {m}" for d, t, m in unexpected[:40])


def _known_gradient_difference(desc):
    """Gradients tapeflow has and TensorFlow 2.21 lacks (kept on purpose): TF registers no
    gradient for ResizeArea (LookupError), and its ScaleAndTranslateGrad (the filter
    methods, antialiasing) has a float32 kernel only, so a float64 image fails; tapeflow's
    resizing is a differentiable contraction in any float dtype."""
    if desc.startswith("resize(area,"):
        return True
    return desc.endswith("float64") and desc.startswith("resize(") and (
        "aa=True" in desc or not desc.startswith(("resize(bilinear", "resize(nearest",
                                                  "resize(bicubic")))


def test_gradients_match_tensorflow(rtf):
    import tapeflow
    n, diffs = gradient_differences(rtf, tapeflow)
    diffs = [d for d in diffs if not _known_gradient_difference(d[0])]
    assert n > 100
    assert not diffs, f"{len(diffs)} of {n} gradients differ from TensorFlow's:\n" + \
        "\n".join(f"  {d}: TF {t} / tapeflow {m}" for d, t, m in diffs[:40])


if __name__ == "__main__":
    import os
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, os.path.dirname(__file__))
    import tensorflow
    import tapeflow
    n, diffs = differences(tensorflow, tapeflow)
    by_op = {}
    for d in diffs:
        k = d[0].split("(")[0]
        by_op[k] = by_op.get(k, 0) + 1
    known = sum(d[0] in KNOWN for d in diffs)
    print(f"{n} cases, {len(diffs)} differ from TensorFlow ({known} listed as intentional)")
    print("by op:", dict(sorted(by_op.items(), key=lambda kv: -kv[1])))
    if "-v" in sys.argv:
        for d, t, m in diffs:
            print(f"{d}\n    TF       {t}\n    tapeflow {m}")
    n, diffs = gradient_differences(tensorflow, tapeflow)
    known = sum(_known_gradient_difference(d[0]) for d in diffs)
    print(f"{n} gradient cases, {len(diffs)} differ from TensorFlow ({known} listed as "
          f"intentional)")
    for d, t, m in diffs:
        print(f"{d}\n    TF       {t}\n    tapeflow {m}")
