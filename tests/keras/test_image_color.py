"""Color preprocessing layers: documented transforms with fixed factors, seeding, layouts,
inference passthrough and configs."""
import numpy as np
import pytest

from tapeflow import keras

L = keras.layers
RNG = np.random.default_rng(0)
IMG = RNG.uniform(0, 255, (2, 4, 5, 3)).astype("float32")


def test_random_brightness_fixed_delta_and_clip():
    out = L.RandomBrightness((0.2, 0.2))(IMG).numpy()
    np.testing.assert_allclose(out, np.clip(IMG + 51.0, 0, 255), rtol=1e-6)
    assert L.RandomBrightness(0.2).factor == (-0.2, 0.2)
    np.testing.assert_array_equal(L.RandomBrightness(0.5)(IMG, training=False).numpy(), IMG)
    with pytest.raises(ValueError, match="factor"):
        L.RandomBrightness(2.0)


def test_random_grayscale_always_and_channels_first():
    gray = L.RandomGrayscale(1.0)(IMG).numpy()
    expect = (IMG @ np.array([0.2989, 0.5870, 0.1140], np.float32))[..., None]
    np.testing.assert_allclose(gray, np.broadcast_to(expect, IMG.shape), rtol=1e-5)
    cf = L.RandomGrayscale(1.0, data_format="channels_first")(np.moveaxis(IMG, -1, 1))
    np.testing.assert_allclose(np.moveaxis(cf.numpy(), 1, -1), gray, rtol=1e-5)
    np.testing.assert_array_equal(L.RandomGrayscale(0.0)(IMG).numpy(), IMG)


def test_auto_contrast_stretches_to_the_range():
    out = L.AutoContrast()(IMG * 0.5 + 10).numpy()
    np.testing.assert_allclose(out.min(axis=(1, 2)), 0, atol=1e-3)
    np.testing.assert_allclose(out.max(axis=(1, 2)), 255, rtol=1e-5)


def test_solarization_zero_threshold_inverts():
    np.testing.assert_allclose(L.Solarization(0, 0)(IMG).numpy(), 255 - IMG, rtol=1e-6)


def test_invert_posterize_degenerate_sharpen():
    np.testing.assert_allclose(L.RandomInvert((1.0, 1.0))(IMG).numpy(), 255 - IMG)
    post = L.RandomPosterization((3, 3))(IMG).numpy()
    np.testing.assert_array_equal(post, (IMG.astype(np.uint8) >> 5 << 5).astype(np.float32))
    same = L.RandomColorDegeneration((0.0, 0.0))(IMG).numpy()
    np.testing.assert_allclose(same, IMG, rtol=1e-6)
    keep = L.RandomSharpness((0.5, 0.5))(IMG).numpy()   # factor 0.5: unchanged
    np.testing.assert_allclose(keep, IMG, rtol=1e-5)


def test_saturation_half_and_hue_zero_keep_images():
    np.testing.assert_allclose(L.RandomSaturation((0.5, 0.5))(IMG / 255.0).numpy(),
                               IMG / 255.0, atol=1e-5)
    np.testing.assert_allclose(L.RandomHue((0.0, 0.0))(IMG).numpy(), IMG, atol=1e-3)


def test_equalization_flattens_the_histogram():
    x = RNG.normal(100, 5, (1, 32, 32, 1)).clip(0, 255).astype("float32")
    out = L.Equalization()(x).numpy()
    assert out.min() == 0 and out.max() == 255
    hist = np.histogram(out, bins=4, range=(0, 256))[0]
    assert hist.min() > 0.15 * x.size


def test_seeded_layers_repeat_and_single_images_work():
    a = L.RandomBrightness(0.5, seed=1)(IMG).numpy()
    b = L.RandomBrightness(0.5, seed=1)(IMG).numpy()
    np.testing.assert_array_equal(a, b)
    single = L.RandomInvert((1.0, 1.0))(IMG[0])
    assert single.shape == IMG.shape[1:]


@pytest.mark.parametrize("make", [
    lambda: L.RandomBrightness(0.1), lambda: L.RandomGrayscale(0.3), lambda: L.AutoContrast(),
    lambda: L.Solarization(0.1, 0.2), lambda: L.RandomInvert(0.4),
    lambda: L.RandomPosterization(4), lambda: L.RandomColorDegeneration(0.2),
    lambda: L.RandomSaturation(0.2), lambda: L.RandomHue(0.2), lambda: L.RandomSharpness(0.2),
    lambda: L.Equalization(bins=64), lambda: L.RandomColorJitter(brightness_factor=0.1)])
def test_config_round_trip(make):
    layer = make()
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    sym = layer(keras.Input((4, 5, 3)))
    assert sym.shape == (None, 4, 5, 3)


def test_mixup_blends_images_and_labels_with_the_same_weights():
    x = RNG.uniform(0, 255, (8, 3, 3, 1)).astype("float32")
    labels = np.eye(8, dtype="float32")
    out = L.MixUp(alpha=0.5, seed=3)({"images": x, "labels": labels})
    y, lab = out["images"].numpy(), out["labels"].numpy()
    for i in range(8):
        w = lab[i, i] if lab[i].max() < 1 else 1.0
        other = [j for j in range(8) if j != i and lab[i, j] > 0]
        expect = w * x[i] + (1 - w) * (x[other[0]] if other else x[i])
        np.testing.assert_allclose(y[i], expect, rtol=1e-4, atol=1e-3)
    np.testing.assert_array_equal(L.MixUp()(x, training=False).numpy(), x)


def test_cutmix_pastes_a_box_and_weights_labels_by_its_area():
    x = np.stack([np.full((40, 40, 1), float(i)) for i in range(4)]).astype("float32")
    out = L.CutMix(seed=0)({"images": x, "labels": np.eye(4, dtype="float32")})
    y, lab = out["images"].numpy(), out["labels"].numpy()
    for i in range(4):
        kept = np.mean(y[i] == i)
        if lab[i, i] < 1:     # a box came from another image: label weight = kept area
            np.testing.assert_allclose(lab[i, i], kept, atol=0.06)
    assert L.CutMix().get_config()["factor"] == (0, 1.0)


def test_random_gaussian_blur_fixed_sigma_matches_a_convolution():
    x = RNG.uniform(0, 255, (1, 5, 5, 1)).astype("float32")
    out = L.RandomGaussianBlur(factor=(1.0, 1.0), sigma=(0.5, 0.5))(x).numpy()
    k1 = np.exp(-0.5 * (np.arange(3) - 1) ** 2 / (0.5 + 1e-6) ** 2)
    k1 /= k1.sum()
    pad = np.pad(x[0, ..., 0], 1)
    expect = sum(k1[i] * k1[j] * pad[i:i + 5, j:j + 5] for i in range(3) for j in range(3))
    np.testing.assert_allclose(out[0, ..., 0], expect, rtol=1e-4)
    with pytest.raises(ValueError, match="odd"):
        L.RandomGaussianBlur(kernel_size=4)
