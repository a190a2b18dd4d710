"""keras/utils/bounding_boxes.py: format conversion, IoU, clipping."""
import numpy as np
import pytest

from tapeflow import keras

bb = keras.utils.bounding_boxes


def test_convert_iou_and_clip():
    boxes = np.array([[10.0, 20.0, 30.0, 60.0]])
    np.testing.assert_array_equal(
        np.asarray(bb.convert_format(boxes, source="xyxy", target="xywh")), [[10, 20, 20, 40]])
    np.testing.assert_array_equal(
        np.asarray(bb.convert_format(boxes, source="xyxy", target="center_xywh")),
        [[20, 40, 20, 40]])
    iou = bb.compute_iou(np.array([[0.0, 0, 2, 2]]), np.array([[1.0, 1, 3, 3]]),
                         bounding_box_format="xyxy")
    assert float(np.asarray(iou)[0, 0]) == pytest.approx(1 / 7)
    clipped = bb.clip_to_image_size({"boxes": np.array([[-5.0, 2, 30, 8]]),
                                     "labels": np.array([1])},
                                    bounding_box_format="xyxy", height=10, width=20)
    np.testing.assert_array_equal(np.asarray(clipped["boxes"]), [[0, 2, 20, 8]])
