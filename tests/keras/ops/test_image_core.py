"""keras.ops.image and keras.ops.core: behaviour, gradients, control flow under a tape."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from gradcheck import check_grads

ops = keras.ops
R = np.random.RandomState(3)
IMG = R.uniform(0, 1, (2, 6, 6, 3))


def test_resize_crop_pad_and_grayscale():
    assert ops.image.resize(IMG, (3, 4)).shape == (2, 3, 4, 3)
    first = ops.image.resize(IMG.transpose(0, 3, 1, 2), (3, 4), data_format="channels_first")
    np.testing.assert_allclose(first.numpy(), ops.image.resize(IMG, (3, 4)).numpy()
                               .transpose(0, 3, 1, 2), atol=1e-12)
    assert ops.image.crop_images(IMG, 1, 2, target_height=3, target_width=3).shape == \
        (2, 3, 3, 3)
    padded = ops.image.pad_images(IMG, 1, 2, target_height=8, target_width=9).numpy()
    assert padded.shape == (2, 8, 9, 3) and padded[:, 0].max() == 0
    np.testing.assert_allclose(padded[:, 1:7, 2:8], IMG)
    g = ops.image.rgb_to_grayscale(IMG).numpy()
    np.testing.assert_allclose(g[..., 0], IMG @ np.array([0.2989, 0.587, 0.114]), rtol=1e-6)


def test_hsv_round_trip_and_patches():
    back = ops.image.hsv_to_rgb(ops.image.rgb_to_hsv(IMG)).numpy()
    np.testing.assert_allclose(back, IMG, atol=1e-9)
    p = ops.image.extract_patches(IMG, 2).numpy()
    assert p.shape == (2, 3, 3, 12)
    np.testing.assert_allclose(p[0, 1, 2], IMG[0, 2:4, 4:6].reshape(-1))


def test_affine_identity_and_map_coordinates():
    ident = np.array([1, 0, 0, 0, 1, 0, 0, 0], "float64")
    np.testing.assert_allclose(ops.image.affine_transform(IMG, ident).numpy(), IMG)
    shifted = ops.image.affine_transform(IMG, np.array([1, 0, 1, 0, 1, 0, 0, 0.0]),
                                         interpolation="nearest").numpy()
    np.testing.assert_allclose(shifted[:, :, :-1], IMG[:, :, 1:])
    a = np.arange(12.0).reshape(3, 4)
    out = ops.image.map_coordinates(a, [np.array([0.5, 2.0]), np.array([1.0, 2.5])], 1)
    np.testing.assert_allclose(out.numpy(), [3.0, 10.5])


@pytest.mark.parametrize("name,fn", [
    ("extract_patches", lambda x: ops.image.extract_patches(x, 3, strides=2, padding="same")),
    ("rgb_to_grayscale", lambda x: ops.image.rgb_to_grayscale(x)),
    ("gaussian_blur", lambda x: ops.image.gaussian_blur(x)),
    ("crop_images", lambda x: ops.image.crop_images(x, 1, 1, 1, 1))])
def test_image_gradients(name, fn):
    check_grads(fn, [IMG[:1]], order=1, name=name)


def test_resize_gradient_is_the_adjoint():
    # resize computes in float32 (as TensorFlow), too coarse for finite differences: check
    # instead that its gradient is the adjoint of the (linear) resize, <v, R u> = <R^T v, u>.
    u = tf.constant(IMG[:1].astype("float32"))
    v = R.uniform(-1, 1, (1, 4, 3, 3)).astype("float32")
    with tf.GradientTape() as tape:
        tape.watch(u)
        y = ops.image.resize(u, (4, 3))
    rtv = tape.gradient(y, u, output_gradients=[tf.constant(v)]).numpy()
    np.testing.assert_allclose(np.sum(rtv * u.numpy()), np.sum(v * y.numpy()), rtol=1e-5)


def test_control_flow_is_differentiable_under_a_tape():
    x = tf.constant(np.array([1.0, 2.0]))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = ops.cond(ops.sum(x) > 0, lambda: x * x, lambda: -x)
        _, z = ops.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * 2.0), (0, y))
        carry, ys = ops.scan(lambda c, e: (c + e, c * e), ops.zeros((), dtype="float64"), z)
    np.testing.assert_allclose(tape.gradient(carry, x).numpy(), 16 * x.numpy())
    assert ys.shape == (2,)
    assert ops.fori_loop(0, 3, lambda i, v: v + i, 10) == 13
    assert ops.switch(5, [lambda: 1, lambda: 2]) == 2   # clamped to the last branch
    np.testing.assert_allclose(ops.associative_scan(lambda a, b: a * b,
                                                    np.arange(1.0, 5.0)).numpy(),
                               [1, 2, 6, 24])
    np.testing.assert_allclose(ops.map(lambda v: v * 2, np.ones((2, 2))).numpy(), 2)


def test_scatter_slice_and_casts():
    x = np.zeros((3, 3))
    np.testing.assert_allclose(ops.slice_update(x, (1, 1), np.ones((2, 2))).numpy().sum(), 4)
    np.testing.assert_allclose(ops.slice(np.arange(9).reshape(3, 3), (1, 0), (2, 2)).numpy(),
                               [[3, 4], [6, 7]])
    assert ops.scatter(np.array([[0], [0]]), np.array([1.0, 2.0]), (2,)).numpy().tolist() == \
        [3.0, 0.0]
    np.testing.assert_allclose(ops.scatter_update(x, np.array([[2, 2]]), np.array([5.0]))
                               .numpy()[2, 2], 5)
    assert ops.saturate_cast(np.array([-5.0, 300.0]), "uint8").numpy().tolist() == [0, 255]
    assert ops.cast(np.array([1.7]), "int32").dtype.name == "int32"
    assert ops.convert_to_tensor([1.0]).dtype.name == "float32"
    assert ops.is_tensor(ops.ones(2)) and not ops.is_tensor(np.ones(2))
    assert ops.shape(keras.Input((3,))) == (None, 3)


def test_stop_gradient_and_custom_gradient():
    x = tf.constant(np.array([1.0, 2.0]))

    @ops.custom_gradient
    def double(v):
        def grad(dy):
            return dy * 10.0
        return v * 2.0, grad
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        a = ops.stop_gradient(x) * x
        b = double(x)
    np.testing.assert_allclose(tape.gradient(a, x).numpy(), x.numpy())
    np.testing.assert_allclose(tape.gradient(b, x).numpy(), [10.0, 10.0])


def test_perspective_identity_and_scale_and_translate():
    pts = np.array([[0, 0], [5, 0], [0, 5], [5, 5]], "float64")
    np.testing.assert_allclose(ops.image.perspective_transform(IMG, pts, pts).numpy(), IMG,
                               atol=1e-6)
    same = ops.image.scale_and_translate(IMG, (2, 6, 6, 3), [1.0, 1.0], [0.0, 0.0], (1, 2),
                                         "linear")
    np.testing.assert_allclose(same.numpy(), IMG, atol=1e-12)
    check_grads(lambda x: ops.image.scale_and_translate(x, (1, 4, 3, 3), [0.7, 0.5],
                                                        [0.3, -0.2], (1, 2), "cubic"),
                [IMG[:1]], order=2, name="scale_and_translate")


def test_extract_patches_3d_and_elastic_transform():
    vol = R.uniform(0, 1, (1, 4, 4, 4, 2))
    p = ops.image.extract_patches_3d(vol, 2).numpy()
    assert p.shape == (1, 2, 2, 2, 16)
    np.testing.assert_allclose(p[0, 1, 0, 1], vol[0, 2:4, 0:2, 2:4].reshape(-1))
    check_grads(lambda v: ops.image.extract_patches_3d(v, 2, strides=1), [vol], order=1,
                name="extract_patches_3d")
    a = ops.image.elastic_transform(IMG, seed=1).numpy()
    b = ops.image.elastic_transform(IMG, seed=1).numpy()
    assert a.shape == IMG.shape and np.array_equal(a, b) and not np.allclose(a, IMG)
    assert ops.image.elastic_transform(IMG, alpha=0.0, seed=1).numpy() == pytest.approx(IMG)


def test_control_flow_traces_inside_tf_function():
    @tf.function
    def step(x):
        y = ops.cond(ops.sum(x) > 0, lambda: x * 2.0, lambda: -x)
        _, z = ops.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v + 1.0), (0, y))
        return ops.switch(ops.cast(ops.sum(z) > 100, "int32"), [lambda v: v, lambda v: -v], z)
    np.testing.assert_allclose(step(tf.constant(np.array([1.0, 2.0]))).numpy(), [5.0, 7.0])
    np.testing.assert_allclose(step(tf.constant(np.array([-1.0, -2.0]))).numpy(), [4.0, 5.0])
