"""keras/layers/image_clahe.py: ContrastLimitedAdaptiveHistogramEqualization."""
import numpy as np

from tapeflow import keras


def test_output_stays_in_value_range_and_flat_image_stays_flat():
    layer = keras.layers.ContrastLimitedAdaptiveHistogramEqualization(
        value_range=(0, 255), tile_grid_size=(2, 2))
    img = np.random.default_rng(0).integers(0, 256, (1, 16, 16, 3)).astype("float32")
    out = np.asarray(layer(img))
    assert out.shape == img.shape and out.min() >= 0 and out.max() <= 255
    flat = np.asarray(layer(np.full((1, 16, 16, 3), 100.0, "float32")))
    assert np.ptp(flat) < 1e-3
