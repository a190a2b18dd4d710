"""Keras 3's color preprocessing layers with fixed (deterministic) factors against Keras
3.15: outputs, dtypes, configs and inference passthrough."""
import numpy as np
import pytest

from tapeflow import keras

RNG = np.random.default_rng(0)
IMG = RNG.uniform(0, 255, (2, 5, 6, 3)).astype("float32")
IMG1 = RNG.uniform(0, 1, (2, 5, 6, 3)).astype("float32")
IMG_CF = np.ascontiguousarray(np.moveaxis(IMG, -1, 1))

CASES = {
    "brightness": (lambda k: k.layers.RandomBrightness((0.2, 0.2)), IMG),
    "brightness_unit_range": (lambda k: k.layers.RandomBrightness(
        (-0.3, -0.3), value_range=(0, 1)), IMG1),
    "grayscale": (lambda k: k.layers.RandomGrayscale(1.0), IMG),
    "grayscale_channels_first": (lambda k: k.layers.RandomGrayscale(
        1.0, data_format="channels_first"), IMG_CF),
    "auto_contrast": (lambda k: k.layers.AutoContrast(), IMG),
    "auto_contrast_unit_range": (lambda k: k.layers.AutoContrast(value_range=(0, 1)), IMG1),
    "solarization_invert": (lambda k: k.layers.Solarization(0, 0), IMG),
    "invert": (lambda k: k.layers.RandomInvert((1.0, 1.0)), IMG),
    "posterization": (lambda k: k.layers.RandomPosterization((3, 3)), IMG),
    "color_degeneration": (lambda k: k.layers.RandomColorDegeneration((0.3, 0.3)), IMG),
    "saturation": (lambda k: k.layers.RandomSaturation((0.7, 0.7), value_range=(0, 1)), IMG1),
    "hue_zero": (lambda k: k.layers.RandomHue((0.0, 0.0)), IMG),
    "sharpness": (lambda k: k.layers.RandomSharpness((0.8, 0.8)), IMG),
    "sharpness_blur": (lambda k: k.layers.RandomSharpness((0.1, 0.1), value_range=(0, 1)),
                       IMG1),
    "equalization": (lambda k: k.layers.Equalization(), IMG),
    "equalization_16_bins": (lambda k: k.layers.Equalization(bins=16, value_range=(0, 1)),
                             IMG1),
    "gaussian_blur": (lambda k: k.layers.RandomGaussianBlur(factor=(1.0, 1.0),
                                                            sigma=(0.8, 0.8)), IMG),
    "gaussian_blur_5": (lambda k: k.layers.RandomGaussianBlur(
        factor=(1.0, 1.0), kernel_size=5, sigma=(0.3, 0.3)), IMG),
    "color_jitter": (lambda k: k.layers.RandomColorJitter(
        brightness_factor=(0.1, 0.1), saturation_factor=(0.6, 0.6)), IMG),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_keras(rkeras, case):
    make, x = CASES[case]
    real, mine = make(rkeras), make(keras)
    want, got = np.asarray(real(x)), mine(x).numpy()
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(mine(x, training=False).numpy(),
                               np.asarray(real(x, training=False)), rtol=1e-4, atol=1e-3)
    real_config, mine_config = real.get_config(), mine.get_config()
    real_config.pop("name"), mine_config.pop("name")
    assert mine_config == real_config


@pytest.mark.parametrize("name", ["MixUp", "CutMix"])
def test_mixing_layers_config_and_inference_match_keras(rkeras, name):
    real, mine = getattr(rkeras.layers, name)(), getattr(keras.layers, name)()
    real_config, mine_config = real.get_config(), mine.get_config()
    real_config.pop("name"), mine_config.pop("name")
    assert mine_config == real_config
    np.testing.assert_allclose(mine(IMG, training=False).numpy(),
                               np.asarray(real(IMG, training=False)))
    assert mine(IMG).shape == tuple(real(IMG).shape)
