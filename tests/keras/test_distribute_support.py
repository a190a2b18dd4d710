"""Keras under a strategy, in one process: one replica changes nothing; with a stand-in
world of 2 identical workers, losses are scaled, gradients go in one fused all-reduce per
step, and a non-chief worker writes no files."""
import os

import numpy as np
import pytest

import tapeflow as tf
from fake_world import fake_strategy
from tapeflow import keras


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(32, 4)).astype("float32"), rng.integers(0, 3, 32)


def _model():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3)])
    model.compile(keras.optimizers.Adam(0.01),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


@pytest.mark.parametrize("make", [tf.distribute.MirroredStrategy,
                                  tf.distribute.MultiWorkerMirroredStrategy,
                                  lambda: tf.distribute.OneDeviceStrategy("/cpu:0")])
def test_one_replica_strategy_trains_exactly_as_without(make):
    x, y = _data()
    plain = _model()
    h1 = plain.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    with make().scope():
        model = _model()
    h2 = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert h1.history == h2.history
    for a, b in zip(plain.weights, model.weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert model.evaluate(x, y, verbose=0) == plain.evaluate(x, y, verbose=0)


def test_losses_are_scaled_by_the_replicas_in_scope():
    y, p = tf.constant([[1.0], [2.0]]), tf.constant([[0.0], [0.0]])
    mse = keras.losses.MeanSquaredError()
    assert float(mse(y, p)) == 2.5
    with fake_strategy(2).scope():
        assert float(mse(y, p)) == 1.25            # Keras: 1/num_replicas_in_sync
        assert float(keras.losses.MeanSquaredError(reduction="sum")(y, p)) == 5.0


def test_fit_uses_one_fused_all_reduce_per_step():
    x, y = _data()
    strategy = fake_strategy(2, rank=0)
    with strategy.scope():
        model = _model()
    world = strategy.extended._world
    world.calls.clear()
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    shapes = tuple(tuple(v.shape) for v in model.trainable_variables)
    gradient_calls = [c for c in world.calls if c == ("allreduce", shapes)]
    assert len(gradient_calls) == 32 // 8    # one per step, all gradients together


def test_a_non_chief_worker_writes_no_files(tmp_path):
    x, y = _data()
    strategy = fake_strategy(2, rank=1)
    with strategy.scope():
        model = _model()
    from tapeflow.distribute import collective
    saved = collective._world
    collective._world = strategy.extended._world    # this process is worker 1
    try:
        before = [np.asarray(w).copy() for w in model.weights]
        model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[
            keras.callbacks.ModelCheckpoint(str(tmp_path / "m.weights.h5"),
                                            save_weights_only=True),
            keras.callbacks.BackupAndRestore(str(tmp_path / "backup")),
            keras.callbacks.TensorBoard(str(tmp_path / "tb"))])
    finally:
        collective._world = saved
    assert os.listdir(tmp_path) == []
    assert any(not np.array_equal(a, np.asarray(b)) for a, b in zip(before, model.weights))


def test_synchronized_batchnorm_uses_the_global_statistics():
    x = tf.constant(np.arange(12, dtype=np.float32).reshape(6, 2))
    bn = keras.layers.BatchNormalization(synchronized=True, momentum=0.0)
    local = bn(x, training=True)
    strategy = fake_strategy(2)
    synced = strategy.run(lambda: bn(x, training=True))
    # identical workers: the global statistics equal the local ones
    np.testing.assert_allclose(synced, local, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.moving_mean, np.asarray(x).mean(0), rtol=1e-6)
    # one fused reduction of the sums, the sums of squares and the counts
    assert ("allreduce", ((1, 2), (1, 2), (1, 2))) in strategy.extended._world.calls


def test_the_model_keeps_the_strategy_it_was_created_under():
    m = tf.distribute.MirroredStrategy()
    with m.scope():
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")       # outside the scope: the model's strategy stays
    assert model.distribute_strategy is m
    plain = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    assert plain.distribute_strategy is tf.distribute.get_strategy()
    with m.scope():
        plain.compile("sgd", "mse")
    assert plain.distribute_strategy is m


def test_train_on_batch_runs_in_the_replica_context():
    x, y = _data()
    strategy = fake_strategy(2)
    with strategy.scope():
        model = _model()
    world = strategy.extended._world
    world.calls.clear()
    model.train_on_batch(x[:8], y[:8])
    shapes = tuple(tuple(v.shape) for v in model.trainable_variables)
    assert ("allreduce", shapes) in world.calls     # gradients summed over the workers
