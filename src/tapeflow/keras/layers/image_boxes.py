"""Dict inputs for the image preprocessing layers, as Keras 3 takes them:
``{"images", "labels", "bounding_boxes": {"boxes", "labels"}, "segmentation_masks"}``.

One transformation is drawn per call and applied to the images, the boxes (converted to
the layer's ``bounding_box_format``, which must be given when boxes are passed) and the
segmentation masks; labels pass through. Layers that support boxes define
``get_random_transformation``, ``transform_images`` and ``transform_bounding_boxes``.
"""
import numpy as np

from tapeflow.framework.tensor import Tensor


def _array(x):
    return x.numpy() if hasattr(x, "numpy") else np.asarray(x)


def call_on_dict(layer, data, training=True):
    """Returns ``data`` with each entry transformed by ``layer`` (one draw for all)."""
    if training is None:
        training = True
    out = dict(data)
    images = _array(data["images"])
    if images.ndim not in (3, 4):
        raise ValueError("Expected the input image to be rank 3 or 4. Received "
                         f"inputs.shape={images.shape}")
    batched = images.ndim == 4
    x = images if batched else images[None]
    transformation = layer.get_random_transformation(x, training=training)
    out["images"] = _unbatch(layer.transform_images(x, transformation, training=training),
                             batched)
    if "bounding_boxes" in data:
        if not getattr(layer, "bounding_box_format", None):
            raise ValueError(
                "You passed an input with a 'bounding_boxes' key, but you didn't specify a "
                "bounding box format. Pass a `bounding_box_format` argument to your "
                f"{layer.__class__.__name__} layer, e.g. `bounding_box_format='xyxy'`.")
        boxes = data["bounding_boxes"]
        dense = {"boxes": _array(boxes["boxes"]).astype(np.float32),
                 "labels": _array(boxes["labels"])}
        if not batched:
            dense = {k: v[None] for k, v in dense.items()}
        result = layer.transform_bounding_boxes(dense, transformation, training=training)
        out["bounding_boxes"] = {k: _unbatch(v, batched) for k, v in result.items()}
    if "segmentation_masks" in data:
        masks = _array(data["segmentation_masks"])
        masks = masks if batched else masks[None]
        transform = getattr(layer, "transform_segmentation_masks", None)
        result = transform(masks, transformation, training=training) if transform else \
            layer.transform_images(masks, transformation, training=training)
        out["segmentation_masks"] = _unbatch(result, batched)
    if "labels" in data:
        out["labels"] = data["labels"]
    return out


def _unbatch(value, batched):
    value = value if isinstance(value, Tensor) else Tensor(np.asarray(value))
    return value if batched else Tensor(value.numpy()[0])


def to_rel_xyxy(layer, boxes, height, width):
    """Returns ``boxes`` (a dict) with ``"boxes"`` in ``rel_xyxy`` (NumPy float32)."""
    from tapeflow.keras.utils.bounding_boxes import convert_format
    out = convert_format(boxes, layer.bounding_box_format, "rel_xyxy", height=height,
                         width=width)
    out["boxes"] = _array(out["boxes"]).astype(np.float32)
    return out


def from_rel_xyxy(layer, boxes, height, width):
    """Returns ``boxes`` (a dict) converted from ``rel_xyxy`` to the layer's format."""
    from tapeflow.keras.utils.bounding_boxes import convert_format
    return convert_format(boxes, "rel_xyxy", layer.bounding_box_format, height=height,
                          width=width)
