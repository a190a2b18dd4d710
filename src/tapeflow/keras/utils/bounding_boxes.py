"""``keras.utils.bounding_boxes``: converting, clipping, cropping and padding bounding boxes,
and their IoU / CIoU (Keras 3's formats and formulas, on NumPy arrays or Tensors).

Formats: ``xyxy``, ``yxyx``, ``xywh``, ``center_xywh``, ``center_yxhw`` (pixels) and
``rel_xyxy``, ``rel_yxyx``, ``rel_xywh``, ``rel_center_xywh`` (fractions of the image's
width and height). Functions take boxes ``(..., 4)`` or a dict ``{"boxes", "labels"}``.
"""
import numpy as np

from tapeflow.framework.tensor import Tensor

FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx",
           "rel_xywh", "rel_center_xywh")


def _arr(x, dtype=None):
    a = x.numpy() if hasattr(x, "numpy") else np.asarray(x)
    return a.astype(dtype) if dtype is not None else a


def _to_xyxy(b, fmt, h, w):
    x0, x1, x2, x3 = (b[..., i] for i in range(4))
    if fmt.startswith("rel_"):
        fmt = fmt[4:]
        scale = True
    else:
        scale = False
    if fmt == "xyxy":
        out = [x0, x1, x2, x3]
    elif fmt == "yxyx":
        out = [x1, x0, x3, x2]
    elif fmt == "xywh":
        out = [x0, x1, x0 + x2, x1 + x3]
    elif fmt == "center_xywh":
        out = [x0 - x2 / 2, x1 - x3 / 2, x0 + x2 / 2, x1 + x3 / 2]
    else:   # center_yxhw
        out = [x1 - x3 / 2, x0 - x2 / 2, x1 + x3 / 2, x0 + x2 / 2]
    if scale:
        out = [out[0] * w, out[1] * h, out[2] * w, out[3] * h]
    return out


def _from_xyxy(xyxy, fmt, h, w):
    x0, y0, x1, y1 = xyxy
    if fmt.startswith("rel_"):
        x0, y0, x1, y1 = x0 / w, y0 / h, x1 / w, y1 / h
        fmt = fmt[4:]
    if fmt == "xyxy":
        out = [x0, y0, x1, y1]
    elif fmt == "yxyx":
        out = [y0, x0, y1, x1]
    elif fmt == "xywh":
        out = [x0, y0, x1 - x0, y1 - y0]
    elif fmt == "center_xywh":
        out = [(x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0]
    else:
        out = [(y0 + y1) / 2, (x0 + x1) / 2, y1 - y0, x1 - x0]
    return np.stack(out, axis=-1)


def convert_format(boxes, source, target, height=None, width=None, dtype="float32"):
    """Returns ``boxes`` (an array, or a dict whose ``"boxes"`` it converts) in ``target``
    format.

    Raises:
      ValueError: for an unknown format, or relative/absolute conversion without
        ``height`` and ``width``.
    """
    if isinstance(boxes, dict):
        out = dict(boxes)
        out["boxes"] = convert_format(boxes["boxes"], source, target, height, width, dtype)
        return out
    source, target = source.lower(), target.lower()
    if source not in FORMATS or target not in FORMATS:
        raise ValueError(f"Invalid source or target format. Supported formats: {FORMATS}")
    if (source.startswith("rel_") != target.startswith("rel_")) and \
            (height is None or width is None):
        raise ValueError(
            "convert_format() must receive `height` and `width` transforming between "
            "relative and absolute formats.convert_format() received "
            f"source=`{source}`, target=`{target}, but height={height} and width={width}.")
    b = _arr(boxes, dtype)
    if source == target:
        return Tensor(b)
    h = None if height is None else np.asarray(height, b.dtype)
    w = None if width is None else np.asarray(width, b.dtype)
    return Tensor(_from_xyxy(_to_xyxy(b, source, h, w), target, h, w).astype(b.dtype))


def _xyxy(boxes, fmt, image_shape=None):
    h = w = None
    if image_shape is not None:
        h, w = image_shape[0], image_shape[1]
    return _to_xyxy(_arr(boxes, "float32"), fmt.lower(), h, w)


def compute_iou(boxes1, boxes2, bounding_box_format, use_masking=False, mask_val=-1,
                image_shape=None):
    """Returns the pairwise intersection over union ``(..., N, M)`` of ``boxes1 (..., N, 4)``
    and ``boxes2 (..., M, 4)``; with ``use_masking``, pairs involving a box whose values are
    all ``mask_val`` get ``mask_val``."""
    a0, a1, a2, a3 = (v[..., :, None] for v in _xyxy(boxes1, bounding_box_format,
                                                     image_shape))
    b0, b1, b2, b3 = (v[..., None, :] for v in _xyxy(boxes2, bounding_box_format,
                                                     image_shape))
    iw = np.maximum(np.minimum(a2, b2) - np.maximum(a0, b0), 0)
    ih = np.maximum(np.minimum(a3, b3) - np.maximum(a1, b1), 0)
    inter = iw * ih
    union = (a2 - a0) * (a3 - a1) + (b2 - b0) * (b3 - b1) - inter
    iou = np.clip(inter / np.maximum(union, np.float32(1e-8)), 0, 1).astype(np.float32)
    if use_masking:
        m1 = np.all(_arr(boxes1) == mask_val, axis=-1)[..., :, None]
        m2 = np.all(_arr(boxes2) == mask_val, axis=-1)[..., None, :]
        iou = np.where(m1 | m2, np.float32(mask_val), iou)
    return Tensor(iou)


def compute_ciou(boxes1, boxes2, bounding_box_format, image_shape=None):
    """Returns the elementwise complete IoU of matching boxes: IoU minus the normalized
    squared distance of the centres and an aspect-ratio term (Zheng et al., 2020)."""
    eps = np.float32(1e-7)
    x1, y1, x2, y2 = _xyxy(boxes1, bounding_box_format, image_shape)
    u1, v1, u2, v2 = _xyxy(boxes2, bounding_box_format, image_shape)
    w1, h1, w2, h2 = x2 - x1, y2 - y1 + eps, u2 - u1, v2 - v1 + eps
    inter = np.maximum(np.minimum(x2, u2) - np.maximum(x1, u1), 0) * \
        np.maximum(np.minimum(y2, v2) - np.maximum(y1, v1), 0)
    union = w1 * h1 + w2 * h2 - inter + eps
    iou = inter / union
    cw = np.maximum(x2, u2) - np.minimum(x1, u1)
    ch = np.maximum(y2, v2) - np.minimum(y1, v1)
    c2 = cw ** 2 + ch ** 2 + eps
    rho2 = ((u1 + u2 - x1 - x2) ** 2 + (v1 + v2 - y1 - y2) ** 2) / 4
    v = np.float32(4 / np.pi ** 2) * (np.arctan(w2 / h2) - np.arctan(w1 / h1)) ** 2
    alpha = v / (v - iou + (1 + eps))
    return Tensor((iou - (rho2 / c2 + v * alpha)).astype(np.float32))


def clip_to_image_size(bounding_boxes, height=None, width=None, bounding_box_format="xyxy"):
    """Returns the ``{"boxes", "labels"}`` dict with boxes clipped to the image and the
    labels of boxes left with no area set to -1 (``xyxy`` or ``rel_xyxy`` formats)."""
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError
    boxes = _arr(bounding_boxes["boxes"])
    labels = _arr(bounding_boxes.get("labels")) if "labels" in bounding_boxes else None
    hi_x, hi_y = (1.0, 1.0) if bounding_box_format == "rel_xyxy" else (width, height)
    x0, y0 = np.clip(boxes[..., 0], 0, hi_x), np.clip(boxes[..., 1], 0, hi_y)
    x1, y1 = np.clip(boxes[..., 2], 0, hi_x), np.clip(boxes[..., 3], 0, hi_y)
    clipped = np.stack([x0, y0, x1, y1], axis=-1).astype(boxes.dtype)
    out = dict(bounding_boxes)
    out["boxes"] = Tensor(clipped)
    if labels is not None:
        area = (x1 - x0) * (y1 - y0)
        out["labels"] = Tensor(np.where(area > 0, labels, -1).astype(labels.dtype))
    return out


def crop(boxes, top, left, height, width, bounding_box_format="xyxy"):
    """Returns ``xyxy`` boxes moved into the ``height x width`` window at ``(top, left)``
    and clipped to it."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError
    b = _arr(boxes)
    x0 = np.clip(b[..., 0] - left, 0, width)
    y0 = np.clip(b[..., 1] - top, 0, height)
    x1 = np.clip(b[..., 2] - left, 0, width)
    y1 = np.clip(b[..., 3] - top, 0, height)
    return Tensor(np.stack([x0, y0, x1, y1], axis=-1).astype(b.dtype))


def pad(boxes, top, left, height=None, width=None, bounding_box_format="xyxy"):
    """Returns ``xyxy`` boxes shifted by the ``top``/``left`` padding of their image."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError
    b = _arr(boxes)
    shift = np.array([left, top, left, top], b.dtype)
    return Tensor((b + shift).astype(b.dtype))


def _variance(variance):
    if variance is None:
        return None
    v = np.asarray(variance, np.float32)
    if v.shape[-1] != 4:
        raise ValueError(f"`variance` must be length 4, got {v}")
    return v


def encode_box_to_deltas(anchors, boxes, anchor_format, box_format,
                         encoding_format="center_yxhw", variance=None, image_shape=None):
    """Returns the deltas ``[(c - c_a) / s_a, log(s / s_a)]`` of ``boxes`` from
    ``anchors`` in ``encoding_format`` (``center_yxhw`` or ``center_xywh``), divided by
    ``variance`` if given."""
    from tapeflow.keras import config
    variance = _variance(variance)
    if encoding_format not in ("center_xywh", "center_yxhw"):
        raise ValueError("`encoding_format` should be one of 'center_xywh' or 'center_yxhw', "
                         f"got {encoding_format}")
    h, w = (None, None) if image_shape is None else image_shape[:2]
    a = _arr(convert_format(anchors, anchor_format, encoding_format, height=h, width=w))
    b = _arr(convert_format(boxes, box_format, encoding_format, height=h, width=w))
    eps = np.float32(config.epsilon())
    a_dim, b_dim = np.maximum(a[..., 2:], eps), np.maximum(b[..., 2:], eps)
    delta = np.concatenate([(b[..., :2] - a[..., :2]) / a_dim, np.log(b_dim / a_dim)],
                           axis=-1)
    if variance is not None:
        delta = delta / variance
    return Tensor(delta.astype(np.float32))


def decode_deltas_to_boxes(anchors, boxes_delta, anchor_format, box_format,
                           encoded_format="center_yxhw", variance=None, image_shape=None):
    """Returns the boxes (in ``box_format``) that ``boxes_delta`` encode relative to
    ``anchors`` (the inverse of ``encode_box_to_deltas``); dicts of levels map level by
    level."""
    variance = _variance(variance)
    if encoded_format not in ("center_xywh", "center_yxhw"):
        raise ValueError("`encoded_format` should be 'center_xywh' or 'center_yxhw', but got "
                         f"'{encoded_format}'.")
    h, w = (None, None) if image_shape is None else image_shape[:2]

    def decode(anchor, delta):
        a = _arr(convert_format(anchor, anchor_format, encoded_format, height=h, width=w))
        d = _arr(delta).astype(np.float32)
        if variance is not None:
            d = d * variance
        box = np.concatenate([d[..., :2] * a[..., 2:] + a[..., :2],
                              np.exp(d[..., 2:]) * a[..., 2:]], axis=-1)
        return convert_format(box, encoded_format, box_format, height=h, width=w)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode(anchor, boxes_delta[level]) for level, anchor in anchors.items()}
    return decode(anchors, boxes_delta)


def affine_transform(boxes, angle, translate_x, translate_y, scale, shear_x, shear_y, height,
                     width, center_x=None, center_y=None, bounding_box_format="xyxy"):
    """Returns ``xyxy`` boxes ``(batch, n, 4)`` moved by the per-image affine transform
    (angle and shears in degrees, translations as fractions of the size, about
    ``(center_x, center_y)`` in fractions, default the centre): the enclosing boxes of the
    transformed corners."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError
    b = _arr(boxes, "float32")
    f32 = np.float32
    cx = f32(0.5 if center_x is None else center_x) * f32(width - 1)
    cy = f32(0.5 if center_y is None else center_y) * f32(height - 1)
    rot = -_arr(angle, "float32") * f32(np.pi / 180.0)
    tx = -_arr(translate_x, "float32") * f32(width - 1)
    ty = -_arr(translate_y, "float32") * f32(height - 1)
    sx = -_arr(shear_x, "float32") * f32(np.pi / 180.0)
    sy = -_arr(shear_y, "float32") * f32(np.pi / 180.0)
    s = _arr(scale, "float32")
    a = np.cos(rot - sy) / np.cos(sy)
    bb = a * np.tan(sx) + np.sin(rot)
    c = -np.sin(rot - sy) / np.cos(sy)
    d = np.cos(rot) - c * np.tan(sx)
    a0, a1, b0, b1 = d * s, -bb * s, -c * s, a * s
    a2 = cx - a0 * (cx + tx) - a1 * (cy + ty)
    b2 = cy - b0 * (cx + tx) - b1 * (cy + ty)
    xs = np.stack([b[..., 0], b[..., 2], b[..., 2], b[..., 0]], axis=-1)
    ys = np.stack([b[..., 1], b[..., 1], b[..., 3], b[..., 3]], axis=-1)
    e = (slice(None), None, None)
    px = a0[e] * xs + a1[e] * ys + a2[e]
    py = b0[e] * xs + b1[e] * ys + b2[e]
    return Tensor(np.stack([px.min(-1), py.min(-1), px.max(-1), py.max(-1)],
                           axis=-1).astype(np.float32))
