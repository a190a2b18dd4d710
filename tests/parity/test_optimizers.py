"""Parity of ``keras.optimizers`` with Keras 3: five steps on the same variables and gradients."""
import re

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras

RNG = np.random.RandomState(3)
INIT = [RNG.normal(size=(3, 2)).astype("float32"), RNG.normal(size=(2,)).astype("float32")]
GRADS = [[RNG.normal(size=(3, 2)).astype("float32") * (k + 1),
          RNG.normal(size=(2,)).astype("float32")] for k in range(5)]

# (class name, constructor kwargs)
CASES = [
    ("SGD", {}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.8, "nesterov": True}),
    ("SGD", {"learning_rate": 0.1, "weight_decay": 0.05}),
    ("RMSprop", {}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"momentum": 0.5, "rho": 0.8}),
    ("RMSprop", {"centered": True, "momentum": 0.3, "epsilon": 1e-3}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.05, "amsgrad": True}),
    ("Adam", {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-4}),
    ("AdamW", {}),
    ("AdamW", {"weight_decay": 0.1, "learning_rate": 0.02, "amsgrad": True}),
    ("Adagrad", {}),
    ("Adagrad", {"initial_accumulator_value": 0.5, "learning_rate": 0.1}),
    ("Adadelta", {}),
    ("Adadelta", {"learning_rate": 1.0, "rho": 0.9}),
    ("Adamax", {}),
    ("Adamax", {"learning_rate": 0.01, "beta_1": 0.7}),
    ("Nadam", {}),
    ("Nadam", {"learning_rate": 0.01, "beta_2": 0.9}),
    ("Lion", {}),
    ("Lion", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9}),
    ("SGD", {"learning_rate": 0.1, "clipnorm": 1.0}),
    ("SGD", {"learning_rate": 0.1, "clipvalue": 0.5}),
    ("SGD", {"learning_rate": 0.1, "global_clipnorm": 1.5}),
    ("Adam", {"learning_rate": 0.01, "clipnorm": 0.5}),
    ("Adam", {"learning_rate": 0.01, "use_ema": True, "ema_momentum": 0.9}),
    ("RMSprop", {"learning_rate": 0.01, "global_clipnorm": 0.7}),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _run(module, var_cls, cls, kwargs, steps=5):
    opt = getattr(module.optimizers, cls)(**kwargs)
    variables = [var_cls(v.copy()) for v in INIT]
    lrs = []
    for k in range(steps):
        opt.apply_gradients(list(zip([g for g in GRADS[k]], variables)))
        lrs.append(float(np.asarray(opt.learning_rate)))
    return opt, [np.asarray(v.numpy()) for v in variables], lrs


@pytest.mark.parametrize("cls,kwargs", CASES, ids=IDS)
def test_five_steps(rtf, rkeras, cls, kwargs):
    ours, a, lr_a = _run(keras, tf.Variable, cls, kwargs)
    theirs, b, lr_b = _run(rkeras, rtf.Variable, cls, kwargs)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=2e-5, atol=1e-6)
    assert int(ours.iterations.numpy()) == int(theirs.iterations.numpy()) == 5
    np.testing.assert_allclose(lr_a, lr_b, rtol=1e-6)


def _dtype(x):
    return getattr(x.dtype, "name", x.dtype)


def _base(name):
    return re.sub(r"_\d+$", "", name)


@pytest.mark.parametrize("cls,kwargs", CASES, ids=IDS)
def test_configs(rkeras, cls, kwargs):
    ours = getattr(keras.optimizers, cls)(**kwargs)
    theirs = getattr(rkeras.optimizers, cls)(**kwargs)
    a, b = ours.get_config(), theirs.get_config()
    a["name"], b["name"] = _base(a["name"]), _base(b["name"])
    assert a.keys() == b.keys()
    for key in b:
        if isinstance(b[key], float):
            assert a[key] == pytest.approx(b[key], rel=1e-6), key
        else:
            assert a[key] == b[key], key
    again = type(ours).from_config(ours.get_config())
    assert again.get_config() == ours.get_config()


SCHEDULES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5}),
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5,
                          "staircase": True}),
    ("PiecewiseConstantDecay", {"boundaries": [1, 3], "values": [0.1, 0.05, 0.01]}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 4}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 4, "alpha": 0.1}),
    ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 4, "warmup_target": 0.1,
                     "warmup_steps": 2}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 0.5}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 3,
                         "end_learning_rate": 0.01, "power": 2.0}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 2}),
]


@pytest.mark.parametrize("name,kwargs", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_schedules_drive_the_same_steps(rtf, rkeras, name, kwargs):
    if not hasattr(keras.optimizers.schedules, name):
        pytest.skip(f"tapeflow has no {name}")
    ours_s = getattr(keras.optimizers.schedules, name)(**kwargs)
    theirs_s = getattr(rkeras.optimizers.schedules, name)(**kwargs)
    for step in range(7):
        np.testing.assert_allclose(float(ours_s(step)), float(theirs_s(step)), rtol=1e-6,
                                   atol=1e-9)
    assert ours_s.get_config() == theirs_s.get_config()
    for cls in ("SGD", "Adam"):
        ours, a, lr_a = _run(keras, tf.Variable, cls, {"learning_rate": ours_s})
        theirs, b, lr_b = _run(rkeras, rtf.Variable, cls, {"learning_rate": theirs_s})
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=2e-5, atol=1e-6)
        np.testing.assert_allclose(lr_a, lr_b, rtol=1e-6)


def test_learning_rate_assignment(rtf, rkeras):
    ours, theirs = keras.optimizers.Adam(0.01), rkeras.optimizers.Adam(0.01)
    ours.learning_rate = 0.5
    theirs.learning_rate = 0.5
    assert float(np.asarray(ours.learning_rate)) == float(np.asarray(theirs.learning_rate))
    ours.learning_rate.assign(0.25)
    theirs.learning_rate.assign(0.25)
    assert float(np.asarray(ours.learning_rate)) == float(np.asarray(theirs.learning_rate))


def test_iterations_and_variables(rtf, rkeras):
    ours = keras.optimizers.Adam()
    theirs = rkeras.optimizers.Adam()
    ov = [tf.Variable(v.copy()) for v in INIT]
    tv = [rtf.Variable(v.copy()) for v in INIT]
    ours.build(ov)
    theirs.build(tv)
    assert len(ours.variables) == len(theirs.variables)
    assert _dtype(ours.iterations) == _dtype(theirs.iterations)
    ours.apply_gradients(zip(GRADS[0], ov))
    theirs.apply_gradients(zip(GRADS[0], tv))
    assert int(ours.iterations) == int(theirs.iterations.numpy()) == 1


def test_none_gradients(rtf, rkeras):
    ours, theirs = keras.optimizers.SGD(0.1), rkeras.optimizers.SGD(0.1)
    ov = [tf.Variable(v.copy()) for v in INIT]
    tv = [rtf.Variable(v.copy()) for v in INIT]
    with pytest.warns(UserWarning, match="Gradients do not exist for variables") as theirs_w:
        theirs.apply_gradients([(GRADS[0][0], tv[0]), (None, tv[1])])
    with pytest.warns(UserWarning, match="Gradients do not exist for variables") as ours_w:
        ours.apply_gradients([(GRADS[0][0], ov[0]), (None, ov[1])])
    assert str(ours_w[0].message) == str(theirs_w[0].message)
    for x, y in zip(ov, tv):
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-6)


def test_invalid_clipping_raises_the_same(rkeras):
    with pytest.raises(ValueError) as theirs:
        rkeras.optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(type(theirs.value)):
        keras.optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop", "adamw", "nadam", "adagrad"])
def test_get_by_name(rkeras, name):
    ours, theirs = keras.optimizers.get(name), rkeras.optimizers.get(name)
    assert type(ours).__name__ == type(theirs).__name__
    a, b = ours.get_config(), theirs.get_config()
    a["name"], b["name"] = _base(a["name"]), _base(b["name"])
    assert a == b


def test_loss_scale_optimizer(rtf, rkeras):
    ours = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1), initial_scale=8.0,
                                               dynamic_growth_steps=2)
    theirs = rkeras.optimizers.LossScaleOptimizer(rkeras.optimizers.SGD(0.1),
                                                  initial_scale=8.0, dynamic_growth_steps=2)
    ov = [tf.Variable(v.copy()) for v in INIT]
    tv = [rtf.Variable(v.copy()) for v in INIT]
    scales = ([], [])
    for k in range(5):
        grads = [g * 8.0 for g in GRADS[k]]
        if k == 2:
            grads[0] = grads[0].copy()
            grads[0][0, 0] = np.inf
        ours.apply_gradients(zip(grads, ov))
        theirs.apply_gradients(zip(grads, tv))
        scales[0].append(float(np.asarray(ours.dynamic_scale)))
        scales[1].append(float(np.asarray(theirs.dynamic_scale)))
    assert scales[0] == scales[1]
    for x, y in zip(ov, tv):
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-5, atol=1e-6)
    assert int(ours.iterations.numpy()) == int(theirs.iterations.numpy())
    assert float(ours.scale_loss(tf.constant(2.0))) == float(theirs.scale_loss(2.0))


@pytest.mark.parametrize("cls,kwargs", [("Adam", {}), ("SGD", {"momentum": 0.9}),
                                        ("RMSprop", {"centered": True, "momentum": 0.5}),
                                        ("Adam", {"amsgrad": True}), ("Nadam", {}),
                                        ("Adadelta", {}), ("Lion", {})])
def test_slot_variable_names(rtf, rkeras, cls, kwargs):
    names = []
    for module, var_cls in ((keras, tf.Variable), (rkeras, rtf.Variable)):
        opt = getattr(module.optimizers, cls)(**kwargs)
        opt.build([var_cls(INIT[0].copy(), name="w"), var_cls(INIT[1].copy(), name="b")])
        # Keras numbers its unnamed "variable"s per session: compare without the number.
        names.append([(re.sub(r"^variable_\d+$", "variable", v.name), tuple(v.shape))
                      for v in opt.variables])
    assert names[0] == names[1]
    layer_names = []
    for module in (keras, rkeras):
        layer = module.layers.Dense(2, name="dense_x")
        layer.build((None, 3))
        opt = getattr(module.optimizers, cls)(**kwargs)
        opt.build(layer.trainable_variables)
        layer_names.append([re.sub(r"^variable_\d+$", "variable", v.name)
                            for v in opt.variables])
    assert layer_names[0] == layer_names[1]
