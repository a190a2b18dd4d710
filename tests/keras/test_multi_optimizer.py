"""MultiOptimizer / OptimizerMap without TensorFlow: routing by path and by function,
state, saving, and refusals."""
import numpy as np
import pytest

from tapeflow import keras

O = keras.optimizers


def _model():
    inp = keras.Input((3,))
    out = keras.layers.Dense(1, name="head")(keras.layers.Dense(4, name="encoder")(inp))
    return keras.Model(inp, out)


def test_each_group_moves_by_its_own_rule(tmp_path):
    model = _model()
    before = [w.copy() for w in model.get_weights()]
    opt = O.MultiOptimizer(O.OptimizerMap(O.SGD(0.5), {"encoder/.*": O.SGD(0.0)}))
    grads = [np.ones_like(w) for w in before]
    opt.apply(grads, model.trainable_variables)
    after = model.get_weights()
    np.testing.assert_array_equal(after[0], before[0])          # encoder: lr 0
    np.testing.assert_allclose(after[2], before[2] - 0.5)        # head: plain SGD
    assert int(opt.iterations.numpy()) == 1
    model.compile(opt, "mse")
    model.fit(np.ones((4, 3), "float32"), np.zeros((4, 1), "float32"), verbose=0)
    path = str(tmp_path / "multi.keras")
    model.save(path)
    again = keras.models.load_model(path)
    assert [type(o).__name__ for o in again.optimizer.optimizers] == ["SGD", "SGD"]
    for a, b in zip(again.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_function_selector_and_refusals():
    model = _model()
    adam, sgd = O.Adam(), O.SGD()
    opt = O.MultiOptimizer(lambda v: adam if "encoder" in v.path else sgd)
    opt.build(model.trainable_variables)
    assert opt.optimizers == [adam, sgd]
    with pytest.raises(AttributeError):
        opt.learning_rate = 0.1
    bad = O.MultiOptimizer(lambda v: O.LossScaleOptimizer(O.SGD()))
    with pytest.raises(ValueError, match="LossScaleOptimizer cannot be used"):
        bad.build(model.trainable_variables)
    with pytest.raises(ValueError, match="Multiple optimizers"):
        O.OptimizerMap(sgd, {"enc.*": adam, ".*der/.*": sgd})["encoder/kernel"]
    with pytest.raises(TypeError, match="default_optimizer"):
        O.OptimizerMap("sgd")
