"""Winograd F(2x2, 3x3) convolutions: stride 1, 3x3 kernels, no dilation (NHWC, HWIO).

Each 2x2 block of outputs comes from a 4x4 input tile with 16 multiplications per channel
pair instead of 36: ``Y = A^T [(G g G^T) * (B^T d B)] A``. The input transform copies the
tiles into 16 contiguous slabs and applies B with eight whole-array adds (faster than
strided views or one GEMM with ``kron(B^T, B^T)``, measured); the
output transform is one GEMM with ``kron(A^T, A^T)`` (4x16) over all tiles; and the
16 element-wise products summed over channels are one batched GEMM of
``(tiles, c) @ (c, o)``, so BLAS does almost all of the work:

- forward: input tiles -> V (16, tiles, c); filters -> U (16, c, o); M = V @ U; outputs
  ``A^T M A``;
- input gradient: the forward of ``dy`` with the kernel rotated by 180 degrees and its
  channel axes swapped (a stride-1 correlation with "full" padding);
- filter gradient: ``G^T [sum over tiles V^T Z] G`` with ``Z = A dY A^T`` per output tile
  (the adjoint of the forward with respect to U).

Exact in real arithmetic (the matrices hold 0, +-1 and 1/2); in float32 the results differ
from a direct convolution by rounding only (relative ~1e-6 for the book's layer sizes).
"""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

_BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=np.float64)
_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype=np.float64)
_AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=np.float64)
_KA = np.kron(_AT, _AT)          # (4, 16): flat transformed product -> flat 2x2 output


def applies(k_hw, strides, dilations, pads=None):
    """Whether a convolution of this geometry can use F(2x2, 3x3) (for the input gradient,
    ``pads`` must be at most 2 on every side)."""
    ok = tuple(k_hw) == (3, 3) and tuple(strides) == (1, 1) and tuple(dilations) == (1, 1)
    return ok and (pads is None or all(0 <= p <= 2 for pair in pads for p in pair))


def _tiles(x, pads, th, tw):
    """Returns the input's 4x4 tiles (stride 2) as a (16, n*th*tw, c) matrix."""
    n, h, w, c = x.shape
    extra_h = 2 * th + 2 - (h + pads[0][0] + pads[0][1])
    extra_w = 2 * tw + 2 - (w + pads[1][0] + pads[1][1])
    xp = np.pad(x, ((0, 0), (pads[0][0], pads[0][1] + max(extra_h, 0)),
                    (pads[1][0], pads[1][1] + max(extra_w, 0)), (0, 0)))
    d = np.empty((4, 4, n, th, tw, c), dtype=x.dtype)
    for p in range(4):           # the tiles, one contiguous slab per tile position
        for q in range(4):
            d[p, q] = xp[:, p:p + 2 * th - 1:2, q:q + 2 * tw - 1:2]
    r = np.empty_like(d)
    _bt(d, r)                    # B^T along the tile rows (whole slabs)
    _bt([d_q for d_q in r.transpose(1, 0, 2, 3, 4, 5)], d.transpose(1, 0, 2, 3, 4, 5))
    return d.reshape(16, n * th * tw, c)    # then B along the columns, into d's buffer


def _bt(d, out):
    """Writes ``B^T d`` (d: four equally shaped arrays) into ``out[0..3]``: one ufunc each."""
    np.subtract(d[0], d[2], out=out[0])
    np.add(d[1], d[2], out=out[1])
    np.subtract(d[2], d[1], out=out[2])
    np.subtract(d[1], d[3], out=out[3])


BLOCK_BYTES = 4 << 20       # transformed tiles per block of images (see _blocks)
BLOCK_MIN_TILES = 1024


def _blocks(n, tiles_per_image, channels, itemsize):
    """Yields ``slice``s of the batch: about BLOCK_BYTES of transformed input tiles each (they
    then stay in cache through their GEMMs), at least BLOCK_MIN_TILES tiles."""
    per_image = 16 * tiles_per_image * channels * itemsize
    step = max(1, BLOCK_BYTES // max(per_image, 1),
               -(-BLOCK_MIN_TILES // max(tiles_per_image, 1)))
    for b in range(0, n, step):
        yield slice(b, min(b + step, n))


def _filter_transform(w, dtype):
    g = _G.astype(dtype)
    u = np.tensordot(g, np.tensordot(g, w, axes=(1, 0)), axes=(1, 1))     # [b, a, c, o]
    return np.ascontiguousarray(u.transpose(1, 0, 2, 3)).reshape(16, *w.shape[2:])


def forward(x, w, out_hw, pads, strides=(1, 1), dilations=(1, 1)):
    """Returns conv2d(x, w) for a 3x3 stride-1 kernel by Winograd F(2x2, 3x3), a block of
    images at a time."""
    n, c, o = x.shape[0], x.shape[3], w.shape[3]
    oh, ow = out_hw
    th, tw = -(-oh // 2), -(-ow // 2)
    u = _filter_transform(w, x.dtype)
    ka = _KA.astype(x.dtype)
    full = np.empty((n, th, 2, tw, 2, o), dtype=x.dtype)
    for blk in _blocks(n, th * tw, c, x.itemsize):
        m = np.matmul(_tiles(x[blk], pads, th, tw), u)          # (16, tiles, o)
        k = blk.stop - blk.start
        y = (ka @ m.reshape(16, -1)).reshape(2, 2, k, th, tw, o)
        full[blk] = y.transpose(2, 3, 0, 4, 1, 5)
    out = full.reshape(n, 2 * th, 2 * tw, o)
    if (2 * th, 2 * tw) != (oh, ow):
        out = np.ascontiguousarray(out[:, :oh, :ow])
    return out


def input_grad(dy, w, input_shape, pads, strides=(1, 1), dilations=(1, 1)):
    """Returns the input gradient of a 3x3 stride-1 convolution (pads at most 2)."""
    rot = np.ascontiguousarray(w[::-1, ::-1].transpose(0, 1, 3, 2))
    full = ((2 - pads[0][0], 2 - pads[0][1]), (2 - pads[1][0], 2 - pads[1][1]))
    return forward(dy, rot, tuple(input_shape[1:3]), full)


def filter_grad(x, dy, filter_shape, pads, strides=(1, 1), dilations=(1, 1)):
    """Returns the filter gradient of a 3x3 stride-1 convolution by Winograd (the products
    of a block of images at a time, summed)."""
    n, oh, ow, o = dy.shape
    c = x.shape[3]
    th, tw = -(-oh // 2), -(-ow // 2)
    kat = _KA.T.astype(dy.dtype)
    du = None
    for blk in _blocks(n, th * tw, c, x.itemsize):
        k = blk.stop - blk.start
        v = _tiles(x[blk], pads, th, tw)                         # (16, tiles, c)
        dyt = np.zeros((2, 2, k, th, tw, o), dtype=dy.dtype)
        for r in range(2):
            for s in range(2):
                src = dy[blk, r::2, s::2]
                dyt[r, s, :, :src.shape[1], :src.shape[2]] = src
        z = (kat @ dyt.reshape(4, -1)).reshape(16, k * th * tw, o)
        part = np.matmul(v.transpose(0, 2, 1), z)
        du = part if du is None else du.__iadd__(part)
    du = du.reshape(4, 4, c, o)
    gt = _G.T.astype(du.dtype)
    dw = np.tensordot(gt, np.tensordot(gt, du, axes=(1, 0)), axes=(1, 1))  # [j, i, c, o]
    return np.ascontiguousarray(dw.transpose(1, 0, 2, 3)).astype(np.result_type(x, dy),
                                                                 copy=False)
