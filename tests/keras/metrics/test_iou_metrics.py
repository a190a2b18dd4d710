"""keras/metrics/iou_metrics.py: IoU and BinaryIoU."""
import pytest

from tapeflow import keras


def test_iou_of_the_target_class():
    m = keras.metrics.IoU(num_classes=2, target_class_ids=[1])
    m.update_state([0, 1, 1, 0], [0, 1, 0, 0])        # class 1: 1 hit, union 2
    assert float(m.result()) == pytest.approx(0.5)
    b = keras.metrics.BinaryIoU(target_class_ids=[1], threshold=0.5)
    b.update_state([0, 1, 1, 0], [0.2, 0.7, 0.4, 0.1])
    assert float(b.result()) == pytest.approx(0.5)
