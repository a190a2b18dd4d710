"""Convolution algorithms (NHWC input, HWIO filters) and the per-shape choice among them.

Each of the three convolution primitives (forward, input gradient, filter gradient) has
two or three exact algorithms; which one is fastest depends on the shape, so the choice is
measured per shape and cached (``run``): the first call of a shape runs every candidate
three times, alternating (a candidate's first run is often slowed by fresh memory), keeps the
fastest (im2col unless another is 5% faster) and returns its
result, so that every call of a shape gives the same bits. Shapes under
``AUTOTUNE_MIN_MACS`` multiply-adds, and ``TAPEFLOW_CONV_ALGO=0``, use im2col without
measuring; ``TAPEFLOW_CONV_ALGO=im2col``, ``phase`` or ``winograd`` forces that algorithm
where it applies (results then match across processes bit for bit):

- ``im2col``: the forward and the filter gradient copy the windows of the (padded) input
  into one ``(n*oh*ow, kh*kw*c)`` matrix and do one GEMM with it; the input gradient does
  one GEMM per kernel tap, each added into a strided slab of the input gradient. Copies
  ``kh*kw*c`` floats per output pixel: the cheap side when the layer widens (``c < o``).
- ``winograd`` (3x3, stride 1, no dilation): F(2x2, 3x3), see ``conv_winograd``.
- ``phase``: the strided grid is split into ``sh*sw`` phases (one for stride 1); within a
  phase a convolution is a stride-1 correlation with the taps that land on it. The kernel
  taps are then moved to the output side: the input gradient and the filter gradient build
  a ``(pixels, taps*o)`` matrix of shifted copies of ``dy`` and do one GEMM with it (no
  copies of the wider input side, no read-modify-write passes over ``dx``); the forward
  does one GEMM of the raw input with all taps' filters side by side, ``(c, taps*o)``, and
  adds the shifted tap blocks of the product into the output. Copies ``kh*kw*o`` floats per
  pixel: the cheap side when the layer narrows (``o < c``, e.g. a final 64 -> 3 conv), and
  strided transposed convolutions write each input-gradient element once.

Python loops run over kernel taps and stride phases only, never over batch, pixels or
channels. Results agree to rounding (sums are taken in another order).
"""
import os
import time

from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)
from tapeflow.ops import conv_winograd

as_strided = np.lib.stride_tricks.as_strided

# Shapes below this many multiply-adds take the default algorithm without a measurement.
AUTOTUNE_MIN_MACS = 2_000_000
# "0" turns the measurement off (defaults only); an algorithm name forces that algorithm.
_ENV = "TAPEFLOW_CONV_ALGO"
_CHOICES = {}      # (kind, shapes, geometry, dtype) -> algorithm name
_ROUNDS = 3        # timed runs per candidate on a shape's first call; the fastest counts
_MAX_SHAPES = 4096  # cached choices kept at most
_MARGIN = 1.05     # another algorithm replaces the default (im2col) only if 5% faster


def _span(out_len, stride, shift, in_len):
    """Returns ``(lo, hi, src)``: positions ``lo <= y < hi`` of an axis of length
    ``out_len`` whose source ``y * stride + shift`` lies in ``[0, in_len)``, and the source
    of ``lo``."""
    lo = max(0, -(shift // stride) if shift < 0 else 0)
    hi = min(out_len, (in_len - 1 - shift) // stride + 1) if in_len - 1 - shift >= 0 else 0
    return lo, max(hi, lo), lo * stride + shift


def _phases(in_hw, k_hw, strides, dilations, pads):
    """Yields ``(py, px, taps)`` per stride phase: ``taps`` lists ``(i, j, si, sj)``, kernel
    taps whose input rows ``py + sh*u`` meet output rows ``u + si`` (and columns alike)."""
    (sh, sw), (dh, dw) = strides, dilations
    for py in range(min(sh, in_hw[0])):
        rows = [(i, (py + pads[0][0] - i * dh) // sh) for i in range(k_hw[0])
                if (py + pads[0][0] - i * dh) % sh == 0]
        for px in range(min(sw, in_hw[1])):
            cols = [(j, (px + pads[1][0] - j * dw) // sw) for j in range(k_hw[1])
                    if (px + pads[1][0] - j * dw) % sw == 0]
            yield py, px, [(i, j, si, sj) for i, si in rows for j, sj in cols]


def _phase_size(length, p, s):
    return (length - p + s - 1) // s


def _dy_cols(dy, taps, hu, wv):
    """The ``(n*hu*wv, len(taps)*o)`` matrix of ``dy`` shifted by each tap (zeros outside)."""
    n, oh, ow, o = dy.shape
    d = np.empty((n, hu, wv, len(taps), o), dtype=dy.dtype)
    for t, (_, _, si, sj) in enumerate(taps):
        u0, u1, y0 = _span(hu, 1, si, oh)
        v0, v1, x0 = _span(wv, 1, sj, ow)
        dst = d[:, :, :, t]
        if u0 or u1 < hu or v0 or v1 < wv:
            dst[...] = 0
        dst[:, u0:u1, v0:v1] = dy[:, y0:y0 + u1 - u0, x0:x0 + v1 - v0]
    return d.reshape(n * hu * wv, len(taps) * o)


def _phase_view(a, py, px, strides):
    sh, sw = strides
    return a if sh == sw == 1 else a[:, py::sh, px::sw]


# -- "phase" algorithms ---------------------------------------------------------------------

def forward_phase(x, w, out_hw, pads, strides, dilations):
    """Returns conv2d(x, w) as GEMMs of the raw input with every tap's filter side by side,
    whose tap blocks are added, shifted, into the output."""
    n, h, wd, c = x.shape
    o = w.shape[3]
    oh, ow = out_hw
    out = None
    for py, px, taps in _phases((h, wd), w.shape[:2], strides, dilations, pads):
        if not taps:
            continue
        xs = _phase_view(x, py, px, strides)
        hu, wv = xs.shape[1:3]
        wq = np.stack([w[i, j] for i, j, _, _ in taps], axis=1).reshape(c, len(taps) * o)
        p = (np.ascontiguousarray(xs).reshape(-1, c) @ wq).reshape(n, hu, wv, len(taps), o)
        for t, (_, _, si, sj) in enumerate(taps):
            y0, y1, u0 = _span(oh, 1, -si, hu)        # output row y reads phase row y - si
            x0, x1, v0 = _span(ow, 1, -sj, wv)
            src = p[:, u0:u0 + y1 - y0, v0:v0 + x1 - x0, t]
            if out is None and (y0, y1, x0, x1) == (0, oh, 0, ow):
                out = np.array(src, order="C")
            else:
                if out is None:
                    out = np.zeros((n, oh, ow, o), dtype=p.dtype)
                out[:, y0:y1, x0:x1] += src
    return np.zeros((n, oh, ow, o), dtype=x.dtype) if out is None else out


def input_grad_phase(dy, w, input_shape, pads, strides, dilations):
    """Returns the input gradient as one GEMM per stride phase with the shifted-dy matrix;
    each element of the result is written once."""
    n, h, wd, c = input_shape
    o = w.shape[3]
    out = np.empty(input_shape, dtype=dy.dtype)
    for py, px, taps in _phases((h, wd), w.shape[:2], strides, dilations, pads):
        dst = _phase_view(out, py, px, strides)
        if not taps:
            dst[...] = 0
            continue
        hu, wv = dst.shape[1:3]
        wq = np.concatenate([w[i, j].T for i, j, _, _ in taps], axis=0)   # (taps*o, c)
        prod = _dy_cols(dy, taps, hu, wv) @ wq
        dst[...] = prod.reshape(n, hu, wv, c)
    return out


def filter_grad_phase(x, dy, filter_shape, pads, strides, dilations):
    """Returns the filter gradient as one GEMM per stride phase: the phase's input pixels
    (transposed) times the shifted-dy matrix."""
    n, h, wd, c = x.shape
    kh, kw, _, o = filter_shape
    dw = np.zeros(filter_shape, dtype=np.result_type(x, dy))
    for py, px, taps in _phases((h, wd), (kh, kw), strides, dilations, pads):
        if not taps:
            continue
        xs = _phase_view(x, py, px, strides)
        hu, wv = xs.shape[1:3]
        g = np.ascontiguousarray(xs).reshape(-1, c).T @ _dy_cols(dy, taps, hu, wv)
        g = g.reshape(c, len(taps), o)
        for t, (i, j, _, _) in enumerate(taps):
            dw[i, j] = g[:, t]
    return dw


# -- "im2col" algorithms --------------------------------------------------------------------

def _pad(x, pads):
    if not any(pads[0]) and not any(pads[1]):
        return x
    return np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))


def windows(xp, k_hw, out_hw, strides, dilations):
    """A zero-copy view ``(n, oh, ow, kh, kw, c)`` of the windows of a padded input."""
    n, _, _, c = xp.shape
    sn, sh, sw, sc = xp.strides
    return as_strided(xp, (n, out_hw[0], out_hw[1], k_hw[0], k_hw[1], c),
                      (sn, sh * strides[0], sw * strides[1], sh * dilations[0],
                       sw * dilations[1], sc), writeable=False)


def cols(win):
    """The ``(n*oh*ow, kh*kw*c)`` im2col matrix of a window view, for one matmul.

    With one input channel the row-major copy moves one float at a time; there the
    transposed matrix is filled one whole slab per kernel tap and returned as its ``.T``
    view, which BLAS reads without a copy (3-6x faster on 28x28x1 inputs).
    """
    n, oh, ow, kh, kw, c = win.shape
    if c != 1 or n * oh * ow == 0:
        return win.reshape(n * oh * ow, kh * kw * c)
    out = np.empty((kh, kw, n, oh, ow), dtype=win.dtype)
    for i in range(kh):
        for j in range(kw):
            out[i, j] = win[:, :, :, i, j, 0]
    return out.reshape(kh * kw, n * oh * ow).T


# The im2col matrix is built and consumed a few images at a time, so that each block stays in
# cache between its copy and its GEMM (measured on the book's shapes: 15-30% faster than one
# whole-batch matrix on 13x13x32 to 64x64x64 inputs, where it reaches 38 MB).
BLOCK_BYTES = 2 << 20


BLOCK_MIN_ROWS = 1024     # ... but GEMMs of at least this many rows (small M runs slowly)


def _blocks(n, per_image_bytes, rows_per_image):
    """Yields ``slice``s of the batch, each of about BLOCK_BYTES of im2col matrix and at
    least BLOCK_MIN_ROWS GEMM rows."""
    step = max(1, BLOCK_BYTES // max(per_image_bytes, 1),
               -(-BLOCK_MIN_ROWS // max(rows_per_image, 1)))
    for b in range(0, n, step):
        yield slice(b, min(b + step, n))


def forward_im2col(x, w, out_hw, pads, strides, dilations):
    """Returns conv2d(x, w) as GEMMs with the im2col matrix of the padded input, one block
    of images at a time."""
    win = windows(_pad(x, pads), w.shape[:2], out_hw, strides, dilations)
    n, o = x.shape[0], w.shape[3]
    w2 = w.reshape(-1, o)
    out = np.empty((n, *out_hw, o), dtype=np.result_type(x, w))
    per_image = out_hw[0] * out_hw[1] * w2.shape[0] * x.itemsize
    for blk in _blocks(n, per_image, out_hw[0] * out_hw[1]):
        np.matmul(cols(win[blk]), w2, out=out[blk].reshape(-1, o))
    return out


def forward_im2col_bias(x, w, b, out_hw, pads, strides, dilations):
    """Returns conv2d(x, w) + b for one input channel (``x.shape[3] == 1``) as GEMMs whose
    im2col matrix has an extra row of ones and whose filter matrix has ``b`` as its extra
    row: the GEMM adds the bias, with no separate pass over the output (measured on the
    MNIST convnet's first layer, (64, 28, 28, 1) -> 32: 0.56 ms + 0.37 ms for the bias
    add -> ~0.6 ms)."""
    win = windows(_pad(x, pads), w.shape[:2], out_hw, strides, dilations)
    n, o = x.shape[0], w.shape[3]
    kh, kw = w.shape[:2]
    dtype = np.result_type(x, w)
    w2 = np.concatenate([w.reshape(-1, o), b.reshape(1, o).astype(dtype, copy=False)])
    out = np.empty((n, *out_hw, o), dtype=dtype)
    rows = out_hw[0] * out_hw[1]
    for blk in _blocks(n, rows * (kh * kw + 1) * x.itemsize, rows):
        m = blk.stop - blk.start
        cm = np.empty((kh * kw + 1, m, *out_hw), dtype=dtype)
        for i in range(kh):
            for j in range(kw):
                cm[i * kw + j] = win[blk, :, :, i, j, 0]
        cm[-1] = 1
        np.matmul(cm.reshape(kh * kw + 1, m * rows).T, w2, out=out[blk].reshape(-1, o))
    return out


def bias_in_gemm(x_shape, w_shape, dtype):
    """Whether :func:`forward_im2col_bias` serves this convolution: one input channel,
    a non-empty output, float32/float64, and no algorithm forced by TAPEFLOW_CONV_ALGO
    other than im2col (one input channel always picks im2col on the book's shapes)."""
    return (x_shape[3] == 1 and 0 not in x_shape and 0 not in w_shape
            and np.dtype(dtype) in (np.float32, np.float64)
            and os.environ.get(_ENV) in (None, "", "0", "im2col"))


def filter_grad_im2col(x, dy, filter_shape, pads, strides, dilations):
    """Returns the filter gradient as GEMMs of im2col blocks (transposed) with dy, summed."""
    win = windows(_pad(x, pads), filter_shape[:2], dy.shape[1:3], strides, dilations)
    n, o = x.shape[0], dy.shape[3]
    k = filter_shape[0] * filter_shape[1] * filter_shape[2]
    dw = tmp = None
    per_image = dy.shape[1] * dy.shape[2] * k * x.itemsize
    for blk in _blocks(n, per_image, dy.shape[1] * dy.shape[2]):
        part = np.matmul(cols(win[blk]).T, dy[blk].reshape(-1, o), out=tmp)
        if dw is None:
            dw, tmp = part, np.empty_like(part)
        else:
            dw += part
    if dw is None:
        dw = np.zeros((k, o), dtype=np.result_type(x, dy))
    return dw.reshape(filter_shape)


def input_grad_im2col(dy, w, input_shape, pads, strides, dilations):
    """Returns the input gradient as one GEMM per kernel tap, each added into its strided
    slab (each tap's product is contiguous; only the destination is strided), a block of
    images at a time."""
    n, h, wd, c = input_shape
    kh, kw, _, o = w.shape
    oh, ow = dy.shape[1:3]
    (sh, sw), (dh, dw) = strides, dilations
    out = np.zeros((n, h + sum(pads[0]), wd + sum(pads[1]), c), dtype=dy.dtype)
    if oh and ow and n:
        wt = np.ascontiguousarray(w.transpose(0, 1, 3, 2))           # (kh, kw, out, in)
        per_image = out.nbytes // n
        prod = None
        for blk in _blocks(n, per_image, oh * ow):
            m = blk.stop - blk.start
            dy2 = dy[blk].reshape(-1, o)
            if prod is None or prod.shape[0] != m * oh * ow:
                prod = np.empty((m * oh * ow, c), dtype=dy.dtype)   # reused buffer
            prod4 = prod.reshape(m, oh, ow, c)
            dst = out[blk]
            for i in range(kh):
                for j in range(kw):
                    np.matmul(dy2, wt[i, j], out=prod)
                    dst[:, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                        j * dw:j * dw + sw * (ow - 1) + 1:sw, :] += prod4
    if any(pads[0]) or any(pads[1]):
        out = np.ascontiguousarray(out[:, pads[0][0]:pads[0][0] + h,
                                       pads[1][0]:pads[1][0] + wd])
    return out


def _phase_per_image(x_hw, w_shape, strides, itemsize):
    """(bytes, GEMM rows) per image of the phase algorithm's shifted-copy matrices."""
    kh, kw, _, o = w_shape
    pixels = x_hw[0] * x_hw[1]
    phases = strides[0] * strides[1]
    return pixels * kh * kw * o * itemsize // phases, max(pixels // phases, 1)


def forward_phase_blocked(x, w, out_hw, pads, strides, dilations):
    """:func:`forward_phase`, a block of images at a time."""
    out = np.empty((x.shape[0], *out_hw, w.shape[3]), dtype=np.result_type(x, w))
    for blk in _blocks(x.shape[0], *_phase_per_image(x.shape[1:3], w.shape, strides,
                                                      x.itemsize)):
        out[blk] = forward_phase(x[blk], w, out_hw, pads, strides, dilations)
    return out


def input_grad_phase_blocked(dy, w, input_shape, pads, strides, dilations):
    """:func:`input_grad_phase`, a block of images at a time."""
    out = np.empty(input_shape, dtype=dy.dtype)
    for blk in _blocks(input_shape[0], *_phase_per_image(input_shape[1:3], w.shape, strides,
                                                          dy.itemsize)):
        out[blk] = input_grad_phase(dy[blk], w, (blk.stop - blk.start,) + input_shape[1:],
                                    pads, strides, dilations)
    return out


def filter_grad_phase_blocked(x, dy, filter_shape, pads, strides, dilations):
    """:func:`filter_grad_phase`, a block of images at a time (the parts summed)."""
    dw = None
    for blk in _blocks(x.shape[0], *_phase_per_image(x.shape[1:3], filter_shape, strides,
                                                      x.itemsize)):
        part = filter_grad_phase(x[blk], dy[blk], filter_shape, pads, strides, dilations)
        dw = part if dw is None else dw.__iadd__(part)
    return dw


ALGORITHMS = {
    "forward": {"im2col": forward_im2col, "phase": forward_phase_blocked,
                "winograd": conv_winograd.forward},
    "input": {"im2col": input_grad_im2col, "phase": input_grad_phase_blocked,
              "winograd": conv_winograd.input_grad},
    "filter": {"im2col": filter_grad_im2col, "phase": filter_grad_phase_blocked,
               "winograd": conv_winograd.filter_grad},
}


def candidates(kind, k_hw, pads, strides, dilations, dtype=np.float32):
    """Returns the names of the algorithms that apply to this geometry and dtype (Winograd:
    float32 and float64 only; its transforms hold 1/2, and half precision loses too much)."""
    names = ["im2col", "phase"]
    if np.dtype(dtype) in (np.float32, np.float64) and conv_winograd.applies(
            k_hw, strides, dilations, pads if kind == "input" else None):
        names.append("winograd")
    return names


# -- the choice ----------------------------------------------------------------------------

def run(kind, a, b, shape, pads, strides, dilations):
    """Runs convolution primitive ``kind`` ("forward": a=x, b=w; "input": a=dy, b=w,
    shape=input shape; "filter": a=x, b=dy, shape=filter shape) with the algorithm chosen
    for this shape, measuring the candidates on the first call of a large enough shape.
    Returns the result array."""
    algos = ALGORITHMS[kind]
    forced = os.environ.get(_ENV)
    w_shape = shape if kind == "filter" else b.shape
    names = candidates(kind, w_shape[:2], pads, strides, dilations, a.dtype)
    if forced in names:
        return algos[forced](a, b, shape, pads, strides, dilations)
    key = (kind, a.shape, b.shape, shape, pads, strides, dilations, a.dtype.str)
    name = _CHOICES.get(key)
    if name is not None:
        return algos[name](a, b, shape, pads, strides, dilations)
    x_shape = shape if kind == "input" else a.shape
    out_hw = shape if kind == "forward" else a.shape[1:3] if kind == "input" else b.shape[1:3]
    macs = x_shape[0] * out_hw[0] * out_hw[1] * int(np.prod(w_shape))
    if len(_CHOICES) >= _MAX_SHAPES:            # e.g. images of ever new sizes: start over
        _CHOICES.clear()
    if forced == "0" or macs < AUTOTUNE_MIN_MACS or 0 in x_shape or 0 in w_shape \
            or len(names) == 1:
        _CHOICES[key] = names[0]
        return algos[names[0]](a, b, shape, pads, strides, dilations)
    # a shape's first call runs every candidate _ROUNDS times, alternating, and returns the
    # result of the one it keeps: every call of a shape gives the same bits
    clock = _clock()
    spent = {name: [] for name in names}
    results = {}
    for _ in range(_ROUNDS):
        for name in names:
            t = clock()
            results[name] = algos[name](a, b, shape, pads, strides, dilations)
            spent[name].append(clock() - t)
    best = min(names, key=lambda n: min(spent[n]))
    if min(spent[names[0]]) <= _MARGIN * min(spent[best]):   # another must win clearly
        best = names[0]
    _CHOICES[key] = best
    return results[best]


def _clock():
    """The clock the measurements use: this process's CPU time when BLAS runs one thread
    (other processes on a busy machine then do not count), the wall clock otherwise (with
    more BLAS threads CPU time would also count their idle spinning)."""
    one = any(os.environ.get(v) == "1" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                 "MKL_NUM_THREADS"))
    return time.process_time if one or os.cpu_count() == 1 else time.perf_counter


def chosen():
    """Returns a copy of the cached per-shape choices (for benchmarks and tests)."""
    return dict(_CHOICES)


def forget():
    """Clears the cached choices and measurements (the next calls measure again)."""
    _CHOICES.clear()
