"""keras/callbacks/swap_ema_weights.py: evaluation runs on the EMA weights, training resumes on
its own (values checked against Keras 3.15)."""
import numpy as np

from tapeflow import keras


def test_evaluation_swaps_in_the_moving_average_and_back():
    m = keras.Sequential([keras.Input((2,)),
                          keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")])
    opt = keras.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=None)
    m.compile(optimizer=opt, loss="mse")
    kernel = m.trainable_variables[0]
    for _ in range(2):
        opt.apply_gradients([(np.ones((2, 1), "float32"), kernel)])
    trained = np.asarray(kernel.numpy()).copy()
    np.testing.assert_allclose(trained.ravel(), [0.8, 0.8], rtol=1e-6)
    cb = keras.callbacks.SwapEMAWeights()
    cb.set_model(m)
    cb.on_test_begin()
    np.testing.assert_allclose(np.asarray(kernel.numpy()).ravel(), [0.85, 0.85], rtol=1e-6)
    cb.on_test_end()
    np.testing.assert_allclose(np.asarray(kernel.numpy()), trained, rtol=1e-6)
