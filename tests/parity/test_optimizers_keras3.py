"""Adafactor, Ftrl, Lamb and use_ema against Keras 3.15 (four steps on the same gradients:
weights, every state variable, names, configs), and SwapEMAWeights inside fit/evaluate."""
import numpy as np
import pytest

from tapeflow import keras

RNG = np.random.default_rng(0)
W0 = RNG.standard_normal((4, 3)).astype("float32")
B0 = RNG.standard_normal((3,)).astype("float32")
GRADS = [(RNG.standard_normal((4, 3)).astype("float32"),
          RNG.standard_normal((3,)).astype("float32")) for _ in range(4)]

CASES = {
    "adafactor": lambda O: O.Adafactor(),
    "adafactor_absolute_lr": lambda O: O.Adafactor(learning_rate=0.5, relative_step=False,
                                                   clip_threshold=0.5),
    "ftrl": lambda O: O.Ftrl(),
    "ftrl_regularized": lambda O: O.Ftrl(
        learning_rate=0.1, l1_regularization_strength=0.01, l2_regularization_strength=0.1,
        l2_shrinkage_regularization_strength=0.05, beta=0.2, learning_rate_power=-0.7),
    "lamb": lambda O: O.Lamb(),
    "lamb_weight_decay": lambda O: O.Lamb(learning_rate=0.01, weight_decay=0.1),
    "lamb_ema": lambda O: O.Lamb(use_ema=True),
    "adam_ema": lambda O: O.Adam(use_ema=True, ema_momentum=0.5),
    "sgd_ema_overwrite": lambda O: O.SGD(0.1, use_ema=True, ema_momentum=0.9,
                                         ema_overwrite_frequency=3),
}


def _run(k, make):
    opt = make(k.optimizers)
    w, b = k.Variable(W0, name="kernel"), k.Variable(B0, name="bias")
    for gw, gb in GRADS:
        opt.apply_gradients([(gw, w), (gb, b)])
    return opt, [np.asarray(w.numpy()), np.asarray(b.numpy())]


@pytest.mark.parametrize("case", sorted(CASES))
def test_optimizer_matches_keras(rkeras, case):
    real, real_w = _run(rkeras, CASES[case])
    mine, mine_w = _run(keras, CASES[case])
    for r, m in zip(real_w, mine_w):
        np.testing.assert_allclose(m, r, rtol=1e-5, atol=1e-6)
    assert ([(v.name, tuple(v.shape)) for v in mine.variables]
            == [(v.name, tuple(v.shape)) for v in real.variables])
    for r, m in zip(real.variables, mine.variables):
        np.testing.assert_allclose(np.asarray(m.numpy(), np.float64),
                                   np.asarray(r.numpy(), np.float64), rtol=1e-4, atol=1e-6)
    assert mine.get_config() == real.get_config()


@pytest.mark.parametrize("swap_on_epoch", [False, True])
def test_swap_ema_weights_in_fit_matches_keras(rkeras, swap_on_epoch):
    x = RNG.standard_normal((32, 4)).astype("float32")
    y = RNG.standard_normal((32, 1)).astype("float32")
    results = []
    for k in (rkeras, keras):
        k.utils.set_random_seed(0)
        model = k.Sequential([k.Input((4,)), k.layers.Dense(3, kernel_initializer="ones"),
                              k.layers.Dense(1, kernel_initializer="ones")])
        model.compile(k.optimizers.SGD(0.01, use_ema=True, ema_momentum=0.8), "mse")
        history = model.fit(x, y, epochs=3, batch_size=8, verbose=0, shuffle=False,
                            validation_data=(x, y),
                            callbacks=[k.callbacks.SwapEMAWeights(swap_on_epoch)])
        pred = model.predict(x, verbose=0, callbacks=[k.callbacks.SwapEMAWeights()])
        results.append((history.history, model.get_weights(), np.asarray(pred)))
    (rh, rw, rp), (mh, mw, mp) = results
    assert sorted(mh) == sorted(rh)
    for key in rh:
        np.testing.assert_allclose(mh[key], rh[key], rtol=1e-5)
    for r, m in zip(rw, mw):
        np.testing.assert_allclose(m, r, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mp, rp, rtol=1e-5, atol=1e-6)
