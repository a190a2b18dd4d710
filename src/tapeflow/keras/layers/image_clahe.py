"""``ContrastLimitedAdaptiveHistogramEqualization`` (CLAHE), as Keras 3 computes it.

Images (in ``value_range``, mapped to [0, 255]) are cut into ``tile_grid_size`` tiles
(padded symmetrically to a whole number of tiles); each tile's 256-bin histogram per
channel is clipped at ``clip_limit * pixels / 256`` with the excess spread evenly, turned
into a CDF mapping, and each pixel's value is the bilinear blend of the mappings of the
four nearest tile centres (edge tiles replicated).
"""
import numpy as np

from tapeflow.keras.layers.image_color import _ColorLayer, _rescale


def clahe(images, clip_limit=4.0, tile_grid_size=(8, 8)):
    """Returns CLAHE of float NHWC ``images`` with values in [0, 255] (float32)."""
    x = np.asarray(images, np.float32)
    n, h, w, c = x.shape
    gh, gw = tile_grid_size
    th, tw = -(-h // gh), -(-w // gw)
    ph, pw = th * gh - h, tw * gw - w
    if ph or pw:
        x = np.pad(x, [(0, 0), (0, ph), (0, pw), (0, 0)], mode="symmetric")
    pixels = np.clip(x.astype(np.int32), 0, 255)
    # (n, gh, gw, c, th * tw) values per tile and channel.
    tiles = pixels.reshape(n, gh, th, gw, tw, c).transpose(0, 1, 3, 5, 2, 4)
    tiles = tiles.reshape(n, gh, gw, c, th * tw)
    offsets = np.arange(n * gh * gw * c).reshape(n, gh, gw, c, 1) * 256
    hists = np.bincount((tiles + offsets).ravel(), minlength=n * gh * gw * c * 256)
    hists = hists.reshape(n, gh, gw, c, 256).astype(np.float32)
    if clip_limit > 0:
        limit = np.float32(clip_limit * (th * tw) / 256.0)
        clipped = np.clip(hists, 0, limit)
        excess = np.sum(hists - clipped, axis=-1, keepdims=True)
        hists = clipped + excess / np.float32(256.0)
    cdf = np.cumsum(hists, axis=-1, dtype=np.float32)
    cdf_min = cdf.min(axis=-1, keepdims=True)
    denom = np.float32(th * tw) - cdf_min
    denom = np.where(denom == 0, np.float32(1), denom)
    mapping = np.clip((cdf - cdf_min) * np.float32(255.0) / denom, 0, 255)
    mapping = np.pad(mapping, [(0, 0), (1, 1), (1, 1), (0, 0), (0, 0)], mode="edge")

    def grid(size, tile, count):
        g = (np.arange(size, dtype=np.float32) - np.float32(tile / 2.0)) / np.float32(tile)
        g = g + np.float32(1.0)
        lo = np.floor(g)
        weight = g - lo
        return (np.clip(lo, 0, count + 1).astype(int), np.clip(lo + 1, 0, count + 1).astype(int),
                weight)
    y0, y1, wy = grid(th * gh, th, gh)
    x0, x1, wx = grid(tw * gw, tw, gw)
    b = np.arange(n)[:, None, None, None]
    ch = np.arange(c)[None, None, None, :]
    yy0, yy1, wyy = y0[None, :, None, None], y1[None, :, None, None], wy[None, :, None, None]
    xx0, xx1, wxx = x0[None, None, :, None], x1[None, None, :, None], wx[None, None, :, None]
    nw, ne = mapping[b, yy0, xx0, ch, pixels], mapping[b, yy0, xx1, ch, pixels]
    sw, se = mapping[b, yy1, xx0, ch, pixels], mapping[b, yy1, xx1, ch, pixels]
    top = nw * (1.0 - wxx) + ne * wxx
    bottom = sw * (1.0 - wxx) + se * wxx
    out = top * (1.0 - wyy) + bottom * wyy
    return out[:, :h, :w, :].astype(np.float32)


class ContrastLimitedAdaptiveHistogramEqualization(_ColorLayer):
    """Contrast-limited adaptive histogram equalization of images in ``value_range``.

    Args:
      value_range: the images' value range.
      clip_limit: histogram clip, as a multiple of the mean bin count (0: no clipping).
      tile_grid_size: ``(rows, columns)`` of tiles.
    """

    always = True

    def __init__(self, value_range=(0, 255), clip_limit=4.0, tile_grid_size=(8, 8),
                 data_format=None, **kwargs):
        super().__init__(value_range=None, data_format=data_format, **kwargs)
        self.value_range = value_range
        self.clip_limit = clip_limit
        self.tile_grid_size = tile_grid_size

    def _transform(self, x, dtype):
        lo, hi = self.value_range
        y = clahe(_rescale(x, (lo, hi), (0, 255)), self.clip_limit, tuple(self.tile_grid_size))
        return _rescale(y, (0, 255), (lo, hi)).astype(np.float32)

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "clip_limit": self.clip_limit,
                       "tile_grid_size": self.tile_grid_size, "data_format": self.data_format})
        return config
