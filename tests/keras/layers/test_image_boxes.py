"""keras/layers/image_boxes.py: dict inputs (images + bounding boxes) for image layers."""
import numpy as np
import pytest

from tapeflow import keras


def _data():
    return {"images": np.zeros((1, 10, 10, 3), "float32"),
            "bounding_boxes": {"boxes": np.array([[[1.0, 2.0, 4.0, 6.0]]], "float32"),
                               "labels": np.array([[1]])}}


def test_horizontal_flip_moves_boxes_with_the_image():
    seen = set()
    for seed in range(3):
        out = keras.layers.RandomFlip("horizontal", seed=seed, bounding_box_format="xyxy")(
            _data(), training=True)
        box = tuple(np.asarray(out["bounding_boxes"]["boxes"]).ravel().tolist())
        assert box in {(1.0, 2.0, 4.0, 6.0), (6.0, 2.0, 9.0, 6.0)}   # kept, or mirrored
        seen.add(box)
    assert len(seen) == 2


def test_boxes_without_a_format_are_refused():
    with pytest.raises(ValueError, match="bounding_box_format"):
        keras.layers.RandomRotation(0.1, seed=0)(_data(), training=True)
