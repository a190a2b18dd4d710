"""The concrete strategies, cluster resolvers and communication options (one process)."""
import json

import pytest

import tapeflow as tf

CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"


def test_one_device_and_mirrored_have_one_replica():
    o = tf.distribute.OneDeviceStrategy("/cpu:0")
    assert o.num_replicas_in_sync == 1 and o.extended.worker_devices == (CPU0,)
    m = tf.distribute.MirroredStrategy()
    assert m.num_replicas_in_sync == 1 and m.extended.worker_devices == (CPU0,)
    assert m.extended.parameter_devices == (CPU0,)
    assert m.cluster_resolver is None
    named = tf.distribute.MirroredStrategy(devices=["/gpu:0", "/gpu:1"])
    assert named.extended.worker_devices == (
        "/job:localhost/replica:0/task:0/device:GPU:0",
        "/job:localhost/replica:0/task:0/device:GPU:1")
    with pytest.raises(ValueError, match="No duplicates allowed"):
        tf.distribute.MirroredStrategy(devices=["/cpu:0", "/CPU:0"])


def test_multi_worker_without_mpi_is_one_worker(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    w = tf.distribute.MultiWorkerMirroredStrategy()
    assert type(w).__name__ == "CollectiveAllReduceStrategy"
    assert w.num_replicas_in_sync == 1
    assert w.cluster_resolver.task_type is None and w.cluster_resolver.task_id is None
    assert w.extended.should_checkpoint and not w.extended._in_multi_worker_mode()


def test_tf_config_without_mpi_says_how_to_launch(monkeypatch):
    monkeypatch.setenv("TF_CONFIG", json.dumps({
        "cluster": {"worker": ["localhost:12345", "localhost:23456"]},
        "task": {"type": "worker", "index": 1}}))
    r = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    assert (r.task_type, r.task_id) == ("worker", 1)
    assert r.cluster_spec().as_dict() == {"worker": ["localhost:12345", "localhost:23456"]}
    with pytest.raises(RuntimeError, match=r"mpirun -np 2 python"):
        tf.distribute.MultiWorkerMirroredStrategy()


def test_tf_config_with_one_worker_is_fine(monkeypatch):
    monkeypatch.setenv("TF_CONFIG", json.dumps({
        "cluster": {"worker": ["localhost:12345"]}, "task": {"type": "worker", "index": 0}}))
    w = tf.distribute.MultiWorkerMirroredStrategy()
    assert (w.cluster_resolver.task_type, w.cluster_resolver.task_id) == ("worker", 0)


def test_communication_options():
    CO = tf.distribute.experimental.CommunicationOptions
    o = CO(timeout_seconds=5)
    assert str(o) == ("Options(bytes_per_pack=0,timeout_seconds=5, "
                       "implementation=CommunicationImplementation.AUTO)")
    assert CO(implementation="ring").implementation is \
        tf.distribute.experimental.CommunicationImplementation.RING
    with pytest.raises(ValueError, match="bytes_per_pack must be non-negative"):
        CO(bytes_per_pack=-1)
    w = tf.distribute.MultiWorkerMirroredStrategy(communication_options=o)
    assert w.extended._world.timeout == 5


def test_cross_device_ops_and_input_options_are_accepted():
    d = tf.distribute
    for ops in (d.HierarchicalCopyAllReduce(num_packs=2), d.NcclAllReduce(),
                d.ReductionToOneDevice()):
        assert isinstance(ops, d.CrossDeviceOps)
        assert d.MirroredStrategy(cross_device_ops=ops).num_replicas_in_sync == 1
    with pytest.raises(ValueError, match="NCCL all-reduce requires num_packs >= 0"):
        d.NcclAllReduce(num_packs=-1)
    opts = d.InputOptions()
    assert opts.experimental_fetch_to_device is True
    assert opts.experimental_replication_mode is d.InputReplicationMode.PER_WORKER
    s = d.MirroredStrategy()
    ds = s.experimental_distribute_dataset(tf.data.Dataset.range(2).batch(2), options=opts)
    assert [list(map(int, b)) for b in ds] == [[0, 1]]
    assert s.run(lambda: 3, options=d.RunOptions()) == 3


def test_tpu_and_parameter_server_say_what_to_use_instead():
    with pytest.raises(NotImplementedError, match="MirroredStrategy"):
        tf.distribute.cluster_resolver.TPUClusterResolver.connect()
    with pytest.raises(NotImplementedError, match="MirroredStrategy"):
        tf.distribute.TPUStrategy(None)
    with pytest.raises(NotImplementedError, match="MultiWorkerMirroredStrategy"):
        tf.distribute.ParameterServerStrategy(None)
