import numpy as np
import pytest

from tapeflow import keras
from tapeflow.keras.utils.image_utils import resize_array, smart_resize

PIL = pytest.importorskip("PIL")


def test_save_load_roundtrip_png(tmp_path):
    x = np.random.RandomState(0).randint(0, 256, (6, 5, 3)).astype(np.float32)
    p = str(tmp_path / "a.png")
    keras.utils.save_img(p, x, scale=False)
    img = keras.utils.load_img(p)
    assert img.size == (5, 6) and img.mode == "RGB"
    arr = keras.utils.img_to_array(img)
    assert arr.dtype == np.float32 and arr.shape == (6, 5, 3)
    np.testing.assert_array_equal(arr, x)
    gray = keras.utils.img_to_array(keras.utils.load_img(p, color_mode="grayscale"))
    assert gray.shape == (6, 5, 1)
    small = keras.utils.load_img(p, target_size=(3, 2))
    assert small.size == (2, 3)
    assert keras.utils.img_to_array(img, data_format="channels_first").shape == (3, 6, 5)


def test_array_to_img_scales_and_checks_rank():
    img = keras.utils.array_to_img(np.linspace(0, 1, 12).reshape(2, 2, 3))
    arr = np.asarray(img)
    assert arr.min() == 0 and arr.max() == 255
    with pytest.raises(ValueError, match="rank 3"):
        keras.utils.array_to_img(np.zeros((2, 2)))


def test_bilinear_and_nearest_resize_follow_tf_image_resize():
    a = np.arange(16, dtype=np.float32).reshape(4, 4, 1)
    # tf.image.resize(a, (2, 2)) == [[2.5, 4.5], [10.5, 12.5]] (half-pixel centres)
    np.testing.assert_allclose(resize_array(a, (2, 2))[..., 0], [[2.5, 4.5], [10.5, 12.5]])
    np.testing.assert_allclose(resize_array(a, (8, 8))[0, :, 0],
                               [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.0])
    np.testing.assert_array_equal(resize_array(a, (2, 2), "nearest")[..., 0], [[5, 7], [13, 15]])
    assert resize_array(a, (3, 5), "bicubic").shape == (3, 5, 1)


def test_smart_resize_crops_centre():
    a = np.arange(24, dtype=np.float32).reshape(4, 6, 1)
    out = smart_resize(a, (2, 2), interpolation="nearest")
    # centre crop 4x4 (columns 1..4), then nearest down to 2x2
    np.testing.assert_array_equal(out[..., 0], [[8, 10], [20, 22]])


def test_missing_pillow_message(monkeypatch):
    import builtins
    real = builtins.__import__

    def fake(name, *a, **k):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("no PIL")
        return real(name, *a, **k)
    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ImportError, match=r'pip install "tapeflow\[viz\]"'):
        keras.utils.load_img("x.png")
