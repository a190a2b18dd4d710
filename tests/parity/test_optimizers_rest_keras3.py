"""Muon and ScheduleFreeAdamW against Keras 3.15: four steps on the same gradients (weights,
every state variable, names, configs), with 2-D, 1-D, tall/wide and excluded variables."""
import numpy as np
import pytest

from tapeflow import keras

RNG = np.random.default_rng(0)
SHAPES = {"kernel": (4, 3), "tall": (6, 2), "bias": (3,), "embedding_table": (5, 2)}
INIT = {n: RNG.standard_normal(s).astype("float32") for n, s in SHAPES.items()}
GRADS = [{n: RNG.standard_normal(s).astype("float32") for n, s in SHAPES.items()}
         for _ in range(4)]

CASES = {
    "muon": lambda O: O.Muon(),
    "muon_tuned": lambda O: O.Muon(learning_rate=0.01, momentum=0.9, nesterov=False,
                                   ns_steps=3, rms_rate=None, adam_lr_ratio=0.5,
                                   weight_decay=0.1, adam_weight_decay=0.01),
    "muon_exclude": lambda O: O.Muon(exclude_layers=["tall"], exclude_embeddings=False),
    "schedule_free": lambda O: O.ScheduleFreeAdamW(),
    "schedule_free_warmup_wd": lambda O: O.ScheduleFreeAdamW(
        learning_rate=0.01, warmup_steps=3, weight_decay=0.05, beta_1=0.8),
}


def _run(k, make):
    opt = make(k.optimizers)
    vs = [k.Variable(INIT[n], name=n) for n in SHAPES]
    for g in GRADS:
        opt.apply_gradients([(g[n], v) for n, v in zip(SHAPES, vs)])
    return opt, [np.asarray(v.numpy()) for v in vs]


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
    assert keras.optimizers.get(keras.optimizers.serialize(mine)).get_config() == \
        mine.get_config()


def test_newton_schulz_matches_keras(rkeras):
    x = RNG.standard_normal((5, 3)).astype("float32")
    real = np.asarray(rkeras.optimizers.Muon().zeropower_via_newtonschulz5(x, 5))
    mine = keras.optimizers.Muon().zeropower_via_newtonschulz5(x, 5)
    np.testing.assert_allclose(mine, real, rtol=1e-5, atol=1e-6)


def _multi(k):
    inp = k.Input((3,))
    out = k.layers.Dense(1, name="head")(k.layers.Dense(4, name="encoder")(inp))
    model = k.Model(inp, out)
    model.set_weights([np.random.default_rng(i).standard_normal(w.shape).astype("float32")
                       for i, w in enumerate(model.get_weights())])
    O = k.optimizers
    return model, O.MultiOptimizer(O.OptimizerMap(O.SGD(0.1), {"encoder/.*": O.Adam(0.01)}))


def test_multi_optimizer_matches_keras(rkeras):
    results = []
    for k in (rkeras, keras):
        model, opt = _multi(k)
        grads = [np.random.default_rng(10 + i).standard_normal(w.shape).astype("float32")
                 for i, w in enumerate(model.get_weights())]
        for _ in range(3):
            opt.apply(grads, model.trainable_variables)
        results.append((model.get_weights(), [(v.name, tuple(v.shape)) for v in opt.variables],
                        opt.get_config(), int(opt.iterations.numpy())))
        with pytest.raises(AttributeError, match="sub-optimizers"):
            opt.learning_rate
    (rw, rv, rc, ri), (mw, mv, mc, mi) = results
    for r, m in zip(rw, mw):
        np.testing.assert_allclose(m, r, rtol=1e-5, atol=1e-6)
    assert (mv, mc, mi) == (rv, rc, ri)


def test_multi_optimizer_fit_matches_keras(rkeras):
    losses = []
    for k in (rkeras, keras):
        model, opt = _multi(k)
        model.compile(opt, "mse")
        x = np.random.default_rng(5).standard_normal((8, 3)).astype("float32")
        history = model.fit(x, np.ones((8, 1), "float32"), epochs=2, batch_size=4,
                            verbose=0, shuffle=False)
        losses.append(history.history["loss"])
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5)


def test_optimizer_map_lookup_matches_keras(rkeras):
    for k in (rkeras, keras):
        O = k.optimizers
        m = O.OptimizerMap(O.RMSprop(), {"decoder": O.Adam()})
        m["encoder/layer_0/dense"] = O.Adam(name="a2")
        m["encoder/.*"] = O.SGD()
        assert [type(m[p]).__name__ for p in ("decoder", "encoder/layer_0/dense",
                                              "encoder/x/query", "decoder/dense")] == \
            ["Adam", "Adam", "SGD", "RMSprop"]
        with pytest.raises(ValueError, match="already exists"):
            m["decoder"] = O.SGD()
        with pytest.raises(ValueError, match="cannot be LossScaleOptimizer"):
            m["x"] = O.LossScaleOptimizer(O.SGD())
