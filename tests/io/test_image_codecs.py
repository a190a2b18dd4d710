"""tf.io image codecs (Pillow): shapes, dtypes, channel conversions as TensorFlow."""
import numpy as np
import pytest

pytest.importorskip("PIL", reason="tf.io image codecs need Pillow (the `viz`/`test` extras)")

import tapeflow as tf  # noqa: E402


def _img(c, dtype=np.uint8):
    return np.random.default_rng(c).integers(0, 256, (4, 6, c)).astype(dtype)


@pytest.mark.parametrize("c", [1, 2, 3, 4])
def test_png_round_trip(c):
    png = tf.io.encode_png(_img(c))
    assert png.dtype == tf.string and png.shape == ()
    out = tf.io.decode_png(png)
    assert out.dtype == tf.uint8 and out.shape == (4, 6, c)
    assert np.array_equal(out.numpy(), _img(c))


def test_channel_conversions():
    # expected values: TensorFlow 2.21 (libpng's fixed-point luma, truncated)
    x = np.array([[[0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255],
                   [3, 4, 5], [100, 150, 200], [1, 1, 1]]], np.uint8)
    png = tf.io.encode_png(x)
    assert tf.io.decode_png(png, channels=1).numpy()[..., 0].tolist() == \
        [[0, 76, 149, 29, 255, 3, 140, 1]]
    assert tf.io.decode_png(png, channels=4).numpy()[0, 1].tolist() == [255, 0, 0, 255]
    grey = tf.io.encode_png(x[..., :1])
    assert tf.io.decode_png(grey, channels=3).numpy()[0, 1].tolist() == [255, 255, 255]


def test_uint16_and_float():
    x = (np.arange(6, dtype=np.uint16).reshape(2, 3, 1) * 257)
    png = tf.io.encode_png(x)
    assert tf.io.decode_png(png, dtype=tf.uint16).numpy().tolist() == x.tolist()
    assert tf.io.decode_png(png).numpy().ravel().tolist() == [0, 1, 2, 3, 4, 5]
    f = tf.io.decode_image(tf.io.encode_png(_img(3)), dtype=tf.float32)
    assert f.dtype == tf.float32
    np.testing.assert_allclose(f.numpy(), _img(3) / 255.0, rtol=1e-6)


def test_jpeg():
    jpg = tf.io.encode_jpeg(_img(3), quality=90)
    assert tf.io.is_jpeg(jpg).numpy()
    assert tf.io.decode_jpeg(jpg).shape == (4, 6, 3)
    assert tf.io.decode_jpeg(jpg, channels=1).shape == (4, 6, 1)
    assert tf.io.decode_image(jpg).shape == (4, 6, 3)


def test_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Unknown image file format"):
        tf.io.decode_png(b"garbage")
    with pytest.raises(tf.errors.InvalidArgumentError, match="not in the list of allowed"):
        tf.io.encode_png(np.zeros((2, 2, 3), np.float32))


def test_tf_image_names_the_same_codecs():
    png = tf.io.encode_png(_img(3))
    assert tf.image.decode_png is tf.io.decode_png
    assert np.array_equal(tf.image.decode_image(png).numpy(), _img(3))
