"""tf.distribute parity: the strategy API on one machine, side by side with TensorFlow
(class names, contexts, num_replicas_in_sync, reduce/gather results and dtypes, errors)."""
import json
import re

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras


def libs(rtf):
    return [(tf, "tapeflow"), (rtf, "tensorflow")]


def _class_of(obj):
    """The class name in a default object repr: ``<pkg.mod.Class object at 0x..>``."""
    m = re.match(r"<[\w.]*\.(\w+) object at 0x[0-9a-f]+>", repr(obj))
    assert m, repr(obj)
    return m.group(1)


def _value(t):
    a = np.asarray(t)
    return a.dtype.name, a.shape, a.tolist()


def test_default_strategy(rtf):
    out = []
    for lib, _ in libs(rtf):
        s = lib.distribute.get_strategy()
        rc = lib.distribute.get_replica_context()
        out.append((_class_of(s), s.num_replicas_in_sync, lib.distribute.has_strategy(),
                    lib.distribute.in_cross_replica_context(), _class_of(rc),
                    int(rc.replica_id_in_sync_group), rc.num_replicas_in_sync))
    assert out[0] == out[1]


@pytest.mark.parametrize("make", [
    lambda lib: lib.distribute.MirroredStrategy(),
    lambda lib: lib.distribute.MirroredStrategy(["/cpu:0"]),
    lambda lib: lib.distribute.OneDeviceStrategy("/cpu:0"),
    lambda lib: lib.distribute.MultiWorkerMirroredStrategy()])
def test_strategies_on_one_machine(rtf, make, monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    out = []
    for lib, _ in libs(rtf):
        s = make(lib)
        with s.scope():
            inside = (lib.distribute.get_strategy() is s, lib.distribute.has_strategy(),
                      lib.distribute.in_cross_replica_context(),
                      lib.distribute.get_replica_context() is None)
        run = s.run(lambda: (lib.distribute.in_cross_replica_context(),
                             lib.distribute.get_strategy() is s,
                             _value(lib.distribute.get_replica_context()
                                    .replica_id_in_sync_group)))
        resolver = s.cluster_resolver
        out.append((_class_of(s), s.num_replicas_in_sync, tuple(s.extended.worker_devices),
                    inside, run, None if resolver is None else
                    (resolver.task_type, resolver.task_id), s.extended.should_checkpoint))
    assert out[0] == out[1]


REDUCE_CASES = [
    ("SUM", [1, 2], None), ("sum", [1.5, 2.0], None), ("MEAN", [[1.0, 2.0], [3.0, 4.0]], 1),
    ("MEAN", [1, 2], 0), ("SUM", [[1, 2], [3, 4]], 0), ("MEAN", 3.0, None),
    ("MEAN", np.array([1.0, 4.0]), 0)]


@pytest.mark.parametrize("op,value,axis", REDUCE_CASES)
def test_reduce(rtf, op, value, axis):
    out = []
    for lib, _ in libs(rtf):
        s = lib.distribute.MirroredStrategy()
        out.append(_value(s.reduce(op, lib.constant(value), axis=axis)))
    assert out[0] == out[1]


def test_reduce_op_and_errors(rtf):
    out = []
    for lib, _ in libs(rtf):
        R = lib.distribute.ReduceOp
        s = lib.distribute.MirroredStrategy()
        try:
            s.reduce("BAD", lib.constant(1.0), axis=None)
        except Exception as e:  # noqa: BLE001
            err = (type(e).__name__, str(e))
        nested = s.reduce(R.SUM, {"a": lib.constant(1.0), "b": [lib.constant([2, 3])]},
                          axis=None)
        out.append((repr(R.SUM), str(R.MEAN), R("MEAN").value, err,
                    _value(nested["a"]), _value(nested["b"][0])))
    assert out[0] == out[1]


def test_run_gather_all_reduce_and_local_results(rtf):
    out = []
    for lib, _ in libs(rtf):
        s = lib.distribute.MirroredStrategy()

        def step(x):
            ctx = lib.distribute.get_replica_context()
            return (ctx.all_reduce("SUM", x), ctx.all_reduce(lib.distribute.ReduceOp.MEAN,
                                                             {"m": x * 2}),
                    ctx.all_gather(lib.constant([[1, 2]]), axis=0), ctx.num_replicas_in_sync)

        a, b, g, n = s.run(step, args=(lib.constant([1.0, 2.0]),))
        local = s.experimental_local_results(lib.constant(3.0))
        out.append((_value(a), _value(b["m"]), _value(g), n,
                    _value(s.gather(lib.constant([[1.0, 2.0]]), axis=0)),
                    type(local).__name__, len(local), _value(local[0]),
                    s.run(lambda v: v * 2, args=(3,))))
    assert out[0] == out[1]


def test_mixing_strategies_error(rtf):
    out = []
    for lib, _ in libs(rtf):
        m, o = lib.distribute.MirroredStrategy(), lib.distribute.OneDeviceStrategy("/cpu:0")
        try:
            with m.scope():
                with o.scope():
                    pass
        except RuntimeError as e:
            msg = re.sub(r"<[^>]*\.(\w+) object at 0x[0-9a-f]+>", r"<\1>", str(e))
            out.append(msg)
    assert len(out) == 2 and out[0] == out[1]


def test_input_context(rtf):
    out = []
    for lib, _ in libs(rtf):
        ic = lib.distribute.InputContext(2, 1, 4)
        try:
            ic.get_per_replica_batch_size(7)
        except ValueError as e:
            err = str(e)
        d = lib.distribute.InputContext()
        out.append((ic.num_input_pipelines, ic.input_pipeline_id, ic.num_replicas_in_sync,
                    ic.get_per_replica_batch_size(8), err, d.num_input_pipelines,
                    d.input_pipeline_id, d.num_replicas_in_sync))
    assert out[0] == out[1]


def test_distributed_datasets_on_one_replica(rtf):
    out = []
    for lib, _ in libs(rtf):
        s = lib.distribute.MirroredStrategy()
        ds = lib.data.Dataset.from_tensor_slices(
            (np.arange(10, dtype=np.float32), np.arange(10))).batch(4)
        plain = [(_value(x), _value(y)) for x, y in s.experimental_distribute_dataset(ds)]
        seen = []

        def fn(ctx):
            seen.append((ctx.num_input_pipelines, ctx.input_pipeline_id,
                         ctx.num_replicas_in_sync))
            return lib.data.Dataset.range(6).batch(ctx.get_per_replica_batch_size(4))

        from_fn = [_value(b) for b in s.distribute_datasets_from_function(fn)]
        out.append((plain, from_fn, seen))
    assert out[0] == out[1]


def test_auto_shard_policy_and_shard(rtf):
    out = []
    for lib, _ in libs(rtf):
        P = lib.data.experimental.AutoShardPolicy
        ds = lib.data.Dataset.range(10)
        errors = []
        for args in ((0, 0), (3, 3), (3, -1)):
            try:
                ds.shard(*args)
                list(ds.shard(*args))
            except lib.errors.InvalidArgumentError as e:
                errors.append(re.search(r"(Number of shards|Index must)[^\[]*", str(e))
                              .group(0).strip())
        out.append(([repr(p) for p in P], int(P.DATA),
                    repr(lib.data.Options().experimental_distribute.auto_shard_policy),
                    [int(v) for v in ds.shard(3, 1)], int(ds.shard(3, 0).cardinality()),
                    int(ds.filter(lambda x: x > 2).shard(2, 0).cardinality()),
                    repr(ds.shard(3, 1)), errors))
    assert out[0] == out[1]


def test_cluster_resolver_and_communication_options(rtf, monkeypatch):
    monkeypatch.setenv("TF_CONFIG", json.dumps({
        "cluster": {"worker": ["localhost:12345", "localhost:23456"]},
        "task": {"type": "worker", "index": 1}}))
    out = []
    for lib, _ in libs(rtf):
        r = lib.distribute.cluster_resolver.TFConfigClusterResolver()
        co = lib.distribute.experimental.CommunicationOptions(timeout_seconds=5)
        out.append((r.task_type, r.task_id, r.cluster_spec().as_dict(), str(co),
                    str(lib.distribute.experimental.CommunicationImplementation.RING)))
    assert out[0] == out[1]


def test_compute_average_loss(rtf):
    out = []
    for lib, _ in libs(rtf):
        per_example = lib.constant([1.0, 2.0, 3.0, 4.0])
        s = lib.distribute.MirroredStrategy()
        in_replica = s.run(lambda: lib.nn.compute_average_loss(per_example))
        out.append((_value(lib.nn.compute_average_loss(per_example)),
                    _value(lib.nn.compute_average_loss(per_example, global_batch_size=8)),
                    _value(in_replica),
                    _value(lib.nn.scale_regularization_loss(lib.constant(3.0)))))
    assert out[0] == out[1]


def test_fit_in_mirrored_scope_matches(rtf, rkeras):
    x = np.linspace(-1, 1, 24, dtype=np.float32).reshape(12, 2)
    y = (x[:, :1] * 2 - x[:, 1:]).astype(np.float32)
    histories = []
    for lib, k in ((tf, keras), (rtf, rkeras)):
        strategy = lib.distribute.MirroredStrategy()
        with strategy.scope():
            model = k.Sequential([k.Input((2,)), k.layers.Dense(1)])
            model.set_weights([np.array([[0.5], [-0.25]], np.float32),
                               np.array([0.1], np.float32)])
            model.compile(k.optimizers.SGD(0.1), "mse", metrics=["mae"])
        h = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
        assert model.distribute_strategy is strategy
        histories.append((h.history, [np.asarray(w) for w in model.get_weights()]))
    (h1, w1), (h2, w2) = histories
    assert sorted(h1) == sorted(h2)
    for key in h1:
        np.testing.assert_allclose(h1[key], h2[key], rtol=1e-5)
    for a, b in zip(w1, w2):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_set_strategy_values_from_function_merge_call_and_iterator(rtf):
    out = []
    for lib, _ in libs(rtf):
        s = lib.distribute.MirroredStrategy()
        lib.distribute.experimental_set_strategy(s)
        try:
            state = (lib.distribute.get_strategy() is s, lib.distribute.has_strategy(),
                     lib.distribute.in_cross_replica_context())
        finally:
            lib.distribute.experimental_set_strategy(None)
        after = (lib.distribute.has_strategy(), _class_of(lib.distribute.get_strategy()))
        values = s.experimental_local_results(s.experimental_distribute_values_from_function(
            lambda ctx: (ctx.replica_id_in_sync_group, ctx.num_replicas_in_sync)))
        merged = s.run(lambda: lib.distribute.get_replica_context().merge_call(
            lambda strategy, v: (strategy is s, lib.distribute.in_cross_replica_context(), v),
            args=(7,)))
        it = iter(s.experimental_distribute_dataset(lib.data.Dataset.range(3).batch(2)))
        got = [_value(it.get_next()), _value(next(it))]
        try:
            it.get_next()
        except lib.errors.OutOfRangeError as e:
            got.append(type(e).__name__)
        out.append((state, after, values, merged, got))
    assert out[0] == out[1]


def test_options_objects_are_accepted(rtf):
    out = []
    for lib, _ in libs(rtf):
        d = lib.distribute
        m = d.MirroredStrategy(cross_device_ops=d.HierarchicalCopyAllReduce(num_packs=2))
        m2 = d.MirroredStrategy(cross_device_ops=d.ReductionToOneDevice())
        n = d.NcclAllReduce()
        ds = m.experimental_distribute_dataset(lib.data.Dataset.range(4).batch(2),
                                               options=d.InputOptions())
        try:
            d.HierarchicalCopyAllReduce(num_packs=-1)
        except ValueError as e:
            err = str(e)
        out.append((m.num_replicas_in_sync, m2.num_replicas_in_sync,
                    isinstance(n, d.CrossDeviceOps), repr(d.InputOptions()),
                    [repr(x) for x in d.InputReplicationMode],
                    [_value(b) for b in ds], err))
    assert out[0] == out[1]


def test_default_strategy_scope_and_run_change_nothing(rtf):
    out = []
    for lib, _ in libs(rtf):
        d = lib.distribute.get_strategy()
        with d.scope():
            inside = (lib.distribute.has_strategy(), lib.distribute.in_cross_replica_context(),
                      lib.distribute.get_replica_context() is not None)
            m = lib.distribute.MirroredStrategy()
            with m.scope():
                nested = lib.distribute.get_strategy() is m
        ran = d.run(lambda: (lib.distribute.has_strategy(),
                             lib.distribute.in_cross_replica_context()))
        try:
            d.extended.worker_devices
        except RuntimeError as e:
            err = str(e)
        out.append((inside, nested, ran, _value(d.reduce("SUM", lib.constant([1.0]), None)),
                    err))
    assert out[0] == out[1]
