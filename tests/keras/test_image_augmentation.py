"""Augmentation layers: active only in training, seeded, batch or single image, configs."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.keras.layers import image_augmentation as IA


def _imgs(n=4, h=8, w=10, c=3, seed=0):
    return np.random.RandomState(seed).uniform(0, 255, (n, h, w, c)).astype(np.float32)


def test_random_flip_is_identity_at_inference_and_flips_in_training():
    x = _imgs()
    layer = IA.RandomFlip("horizontal", seed=3)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    y = layer(x, training=True).numpy()
    for i in range(len(x)):
        assert np.array_equal(y[i], x[i]) or np.array_equal(y[i], x[i, :, ::-1])
    assert any(not np.array_equal(y[i], x[i]) for i in range(len(x)))  # seed 3 flips some


def test_seeded_layers_repeat():
    x = _imgs()
    a = IA.RandomRotation(0.2, seed=7)(x, training=True).numpy()
    b = IA.RandomRotation(0.2, seed=7)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)


def test_rotation_by_zero_and_half_turn():
    x = _imgs(1, 5, 5, 1)
    np.testing.assert_allclose(IA.RandomRotation((0.0, 0.0))(x, training=True).numpy(), x,
                               atol=1e-4)
    half = IA.RandomRotation((0.5, 0.5), interpolation="nearest")(x, training=True).numpy()
    np.testing.assert_allclose(half[0, :, :, 0], x[0, ::-1, ::-1, 0], atol=1e-3)


def test_zoom_and_translation_keep_shape_and_values_in_range():
    x = _imgs()
    for layer in (IA.RandomZoom(0.3, seed=1), IA.RandomTranslation(0.2, 0.2, seed=1),
                  IA.RandomTranslation(0.3, 0.3, fill_mode="constant", fill_value=-1.0, seed=2)):
        y = layer(x, training=True).numpy()
        assert y.shape == x.shape and y.dtype == np.float32
        assert y.max() <= 255.0 + 1e-3
    shifted = IA.RandomTranslation((0.25, 0.25), (0, 0), fill_mode="constant",
                                   interpolation="nearest")(x, training=True).numpy()
    np.testing.assert_allclose(shifted[:, 2:], x[:, :-2], atol=1e-3)
    np.testing.assert_array_equal(shifted[:, :2], 0.0)


def test_contrast_keeps_the_mean_and_clips():
    x = _imgs()
    y = IA.RandomContrast(0.5, seed=0)(x, training=True).numpy()
    assert y.min() >= 0 and y.max() <= 255
    with pytest.raises(ValueError, match="factor"):
        IA.RandomContrast(-0.1)


def test_crops_and_resizing():
    x = _imgs(2, 8, 12, 3)
    crop = IA.RandomCrop(4, 5, seed=0)
    assert crop(x, training=True).shape == (2, 4, 5, 3)
    assert crop(x, training=False).shape == (2, 4, 5, 3)
    center = IA.CenterCrop(4, 6)(x).numpy()
    np.testing.assert_array_equal(center, x[:, 2:6, 3:9])
    assert IA.Resizing(16, 6)(x).shape == (2, 16, 6, 3)
    assert IA.Resizing(4, 4, crop_to_aspect_ratio=True)(x).shape == (2, 4, 4, 3)


def test_single_images_work_as_in_dataset_map():
    img = _imgs(1)[0]
    y = IA.RandomFlip(seed=1)(img)
    assert y.shape == img.shape
    z = IA.Resizing(4, 5)(tf.constant(img))
    assert z.shape == (4, 5, 3)


@pytest.mark.parametrize("layer", [IA.RandomFlip("vertical", seed=1), IA.RandomRotation(0.1),
                                   IA.RandomZoom(0.2, 0.1), IA.RandomTranslation(0.1, 0.2),
                                   IA.RandomContrast(0.3), IA.RandomCrop(3, 3),
                                   IA.Resizing(3, 4), IA.CenterCrop(2, 2)])
def test_config_round_trip(layer):
    cfg = layer.get_config()
    assert type(layer).from_config(cfg).get_config() == cfg
