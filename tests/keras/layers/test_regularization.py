"""tapeflow.keras.layers.regularization: noise/dropout layers and ActivityRegularization."""
import numpy as np

from tapeflow import keras


def test_noise_layers_are_identity_at_inference():
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    for layer in (keras.layers.GaussianNoise(0.5), keras.layers.GaussianDropout(0.3),
                  keras.layers.AlphaDropout(0.3)):
        np.testing.assert_array_equal(layer(x).numpy(), x)
        np.testing.assert_array_equal(layer(x, training=False).numpy(), x)


def test_noise_layers_perturb_in_training_with_expected_statistics():
    x = np.ones((200, 100), np.float32)
    noisy = keras.layers.GaussianNoise(0.5, seed=1)(x, training=True).numpy()
    assert abs(noisy.mean() - 1.0) < 0.02 and abs(noisy.std() - 0.5) < 0.02
    drop = keras.layers.GaussianDropout(0.2, seed=1)(x, training=True).numpy()
    # multiplicative noise of mean 1 and std sqrt(rate / (1 - rate)) = 0.5
    assert abs(drop.mean() - 1.0) < 0.02 and abs(drop.std() - 0.5) < 0.02


def test_activity_regularization_adds_loss():
    layer = keras.layers.ActivityRegularization(l1=0.1, l2=0.01)
    x = np.array([[1.0, -2.0, 3.0]], np.float32)
    out = layer(x)
    np.testing.assert_array_equal(out.numpy(), x)
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0]), 0.1 * 6.0 + 0.01 * 14.0, rtol=1e-6)
