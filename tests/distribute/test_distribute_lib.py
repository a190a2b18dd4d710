"""The strategy API on one process: contexts, run, reduce, gather, ReduceOp, InputContext."""
import numpy as np
import pytest

import tapeflow as tf
from fake_world import fake_strategy


def test_default_strategy_and_contexts():
    s = tf.distribute.get_strategy()
    assert type(s).__name__ == "_DefaultDistributionStrategy"
    assert s is tf.distribute.get_strategy()
    assert s.num_replicas_in_sync == 1
    assert not tf.distribute.has_strategy()
    assert not tf.distribute.in_cross_replica_context()
    ctx = tf.distribute.get_replica_context()
    assert ctx.replica_id_in_sync_group == 0 and ctx.num_replicas_in_sync == 1


def test_scope_enters_the_cross_replica_context():
    m = tf.distribute.MirroredStrategy()
    with m.scope() as entered:
        assert entered is m
        assert tf.distribute.get_strategy() is m
        assert tf.distribute.has_strategy()
        assert tf.distribute.in_cross_replica_context()
        assert tf.distribute.get_replica_context() is None
        inside = m.run(lambda: (tf.distribute.in_cross_replica_context(),
                                tf.distribute.get_replica_context()))
        assert inside[0] is False and inside[1].strategy is m
    assert not tf.distribute.has_strategy()


def test_run_outside_scope_uses_the_strategy():
    m = tf.distribute.MirroredStrategy()
    assert m.run(lambda: tf.distribute.get_strategy() is m)
    assert m.run(lambda x: x * 2, args=(3,)) == 6
    assert m.run(lambda x=1: x, kwargs={"x": 5}) == 5
    rid = m.run(lambda: tf.distribute.get_replica_context().replica_id_in_sync_group)
    assert rid.dtype == tf.int32 and int(rid) == 0


def test_mixing_strategies_raises():
    m, o = tf.distribute.MirroredStrategy(), tf.distribute.OneDeviceStrategy("/cpu:0")
    with m.scope():
        with pytest.raises(RuntimeError, match="Mixing different tf.distribute.Strategy"):
            with o.scope():
                pass
    assert not tf.distribute.has_strategy()   # the failed scope left nothing behind


def test_reduce_op():
    R = tf.distribute.ReduceOp
    assert R("SUM") is R.SUM and R.MEAN.value == "MEAN"
    assert repr(R.SUM) == "<ReduceOp.SUM: 'SUM'>" and str(R.MEAN) == "ReduceOp.MEAN"
    with pytest.raises(ValueError, match="'BAD' is not a valid ReduceOp"):
        tf.distribute.MirroredStrategy().reduce("BAD", tf.constant(1.0), axis=None)


def test_reduce_one_replica():
    m = tf.distribute.MirroredStrategy()
    np.testing.assert_array_equal(m.reduce("sum", tf.constant([1, 2]), axis=None), [1, 2])
    out = m.reduce("MEAN", tf.constant([[1.0, 2.0], [3.0, 4.0]]), axis=1)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out, [1.5, 3.5])
    mean_int = m.reduce("MEAN", tf.constant([1, 2]), axis=0)
    assert mean_int.dtype == tf.float64 and float(mean_int) == 1.5
    nested = m.reduce(tf.distribute.ReduceOp.SUM, {"a": tf.constant(1.0)}, axis=None)
    assert float(nested["a"]) == 1.0


def test_reduce_and_gather_over_workers():
    s = fake_strategy(4)
    assert s.num_replicas_in_sync == 4
    np.testing.assert_allclose(s.reduce("SUM", tf.constant([1.0, 2.0]), axis=None), [4, 8])
    np.testing.assert_allclose(s.reduce("MEAN", tf.constant([1.0, 2.0]), axis=None), [1, 2])
    # MEAN over an axis: every element of every replica counts once
    np.testing.assert_allclose(s.reduce("MEAN", tf.constant([1.0, 3.0]), axis=0), 2.0)
    g = s.gather(tf.constant([[1, 2]]), axis=0)
    assert g.shape == (4, 2)
    g1 = s.gather(tf.constant([[1, 2]]), axis=1)
    np.testing.assert_array_equal(g1, [[1, 2, 1, 2, 1, 2, 1, 2]])


def test_all_reduce_in_replica_context_is_differentiable():
    s = fake_strategy(2)
    x = tf.Variable([1.0, 2.0])

    def step():
        ctx = tf.distribute.get_replica_context()
        with tf.GradientTape() as tape:
            y = ctx.all_reduce("SUM", x * x)
            loss = tf.reduce_sum(y)
        return y, tape.gradient(loss, x), ctx.all_reduce("MEAN", {"v": tf.constant(3.0)})

    y, g, mean = s.run(step)
    np.testing.assert_allclose(y, [2.0, 8.0])
    # 2x from x^2, times the backward all-reduce of the ones over 2 workers (without it: 2x)
    np.testing.assert_allclose(g, [4.0, 8.0])
    assert float(mean["v"]) == 3.0


def test_merge_call_and_local_results():
    m = tf.distribute.MirroredStrategy()
    out = m.run(lambda: tf.distribute.get_replica_context().merge_call(
        lambda strategy, v: (strategy is m, tf.distribute.in_cross_replica_context(), v),
        args=(7,)))
    assert out == (True, True, 7)
    assert m.experimental_local_results(tf.constant(3.0))[0].numpy() == 3.0


def test_input_context():
    ic = tf.distribute.InputContext(2, 1, 4)
    assert (ic.num_input_pipelines, ic.input_pipeline_id, ic.num_replicas_in_sync) == (2, 1, 4)
    assert ic.get_per_replica_batch_size(8) == 2
    with pytest.raises(ValueError, match="The `global_batch_size` 7 is not divisible by "
                                         "`num_replicas_in_sync` 4"):
        ic.get_per_replica_batch_size(7)
    d = tf.distribute.InputContext()
    assert (d.num_input_pipelines, d.input_pipeline_id, d.num_replicas_in_sync) == (1, 0, 1)


def test_distribute_datasets_from_function():
    seen = []

    def fn(ctx):
        seen.append(ctx)
        return tf.data.Dataset.range(4).batch(ctx.get_per_replica_batch_size(2))

    out = list(tf.distribute.MirroredStrategy().distribute_datasets_from_function(fn))
    assert [list(np.asarray(b)) for b in out] == [[0, 1], [2, 3]]
    assert (seen[0].num_input_pipelines, seen[0].input_pipeline_id) == (1, 0)


def test_set_strategy():
    m = tf.distribute.MirroredStrategy()
    tf.distribute.experimental_set_strategy(m)
    try:
        assert tf.distribute.get_strategy() is m
        assert tf.distribute.in_cross_replica_context()
    finally:
        tf.distribute.experimental_set_strategy(None)
    assert not tf.distribute.has_strategy()


def test_compute_average_loss_and_regularization_under_replicas():
    per_example = tf.constant([1.0, 2.0, 3.0, 4.0])
    assert float(tf.nn.compute_average_loss(per_example)) == 2.5
    s = fake_strategy(2)
    with s.scope():
        # the global batch is 2 replicas x 4 examples
        assert float(tf.nn.compute_average_loss(per_example)) == 1.25
        assert float(tf.nn.scale_regularization_loss(tf.constant(3.0))) == 1.5
        assert float(tf.nn.compute_average_loss(per_example, global_batch_size=2)) == 5.0


def test_all_reduce_and_synchronized_moments_gradients():
    from gradcheck import check_grads
    from tapeflow.keras.trainers.distribute_support import synchronized_moments
    s = fake_strategy(3)
    x = np.random.default_rng(0).normal(size=(5, 2))

    def reduced(t):
        return tf.distribute.get_replica_context().all_reduce("MEAN", t * t)

    def moments(t):
        mean, var = synchronized_moments(t, [0])
        return mean * 2.0 + var

    s.run(lambda: check_grads(reduced, [x], order=2, name="all_reduce"))
    s.run(lambda: check_grads(moments, [x], order=2, name="synchronized_moments"))


def test_mpi_launch_without_mpi4py_says_what_to_install(monkeypatch):
    import sys
    from tapeflow.distribute import collective
    monkeypatch.setattr(collective, "_world", None)
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    monkeypatch.setenv("PMI_SIZE", "2")
    monkeypatch.setenv("PMI_RANK", "0")
    with pytest.raises(ImportError, match=r'pip install "tapeflow\[mpi\]"'):
        tf.distribute.MultiWorkerMirroredStrategy()
    assert collective._world is None


def test_docstring_examples():
    import doctest
    from tapeflow.distribute import distribute_lib
    result = doctest.testmod(distribute_lib, extraglobs={"tf": tf})
    assert result.attempted > 0 and result.failed == 0
