"""Distributed datasets: which part of every global batch each worker reads."""
import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tapeflow as tf
from fake_world import fake_strategy
from tapeflow.distribute.input_lib import split_element, split_sizes


def batches(dist):
    return [np.asarray(b).tolist() for b in dist]


def test_split_sizes_follow_tensorflow_rebatching():
    # checked against TF 2.21's MultiWorkerMirroredStrategy on two workers
    assert split_sizes(8, 2) == [4, 4]
    assert split_sizes(5, 2) == [3, 2]
    assert split_sizes(3, 2) == [2, 1]     # short last batches
    assert split_sizes(2, 2) == [1, 1]
    assert split_sizes(1, 2) == [1, 0]


@pytest.mark.parametrize("rank", [0, 1])
def test_data_sharding_gives_each_worker_its_part_of_every_global_batch(rank):
    ds = tf.data.Dataset.range(10).batch(4)
    got = batches(fake_strategy(2, rank).experimental_distribute_dataset(ds))
    # the short last batch [8, 9] is split evenly too (TensorFlow, two workers)
    expected = [[[0, 1], [4, 5], [8]], [[2, 3], [6, 7], [9]]][rank]
    assert got == expected


def test_nested_elements_are_split_leaf_by_leaf():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6)
    ds = tf.data.Dataset.from_tensor_slices({"x": x, "y": y}).batch(6)
    (b,) = list(fake_strategy(3, 2).experimental_distribute_dataset(ds))
    np.testing.assert_array_equal(b["x"], x[4:6])
    np.testing.assert_array_equal(b["y"], y[4:6])


def test_off_policy_gives_every_worker_all_the_pieces():
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = \
        tf.data.experimental.AutoShardPolicy.OFF
    ds = tf.data.Dataset.range(8).batch(4).with_options(options)
    assert batches(fake_strategy(2, 1).experimental_distribute_dataset(ds)) == \
        [[0, 1], [2, 3], [4, 5], [6, 7]]


def _file_pipeline(tmp_path, n_files):
    for i in range(n_files):
        (tmp_path / f"f{i}.txt").write_text(str(i))
    pattern = str(tmp_path / "*.txt")
    return tf.data.Dataset.list_files(pattern, shuffle=False).flat_map(
        lambda name: tf.data.Dataset.from_tensors(name)).batch(2)


@pytest.mark.parametrize("policy", ["FILE", "AUTO"])
def test_file_sharding_reads_every_nth_file(tmp_path, policy):
    ds = _file_pipeline(tmp_path, 4)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = \
        getattr(tf.data.experimental.AutoShardPolicy, policy)
    ds = ds.with_options(options) if policy == "FILE" else ds
    got = [[os.path.basename(n.decode()) for n in np.asarray(b).tolist()]
           for b in fake_strategy(2, 1).experimental_distribute_dataset(ds)]
    assert got == [["f1.txt"], ["f3.txt"]]   # files 1 and 3, split per replica


def test_file_sharding_errors(tmp_path):
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = \
        tf.data.experimental.AutoShardPolicy.FILE
    with pytest.raises(tf.errors.NotFoundError, match="unshardable source dataset"):
        fake_strategy(2).experimental_distribute_dataset(
            tf.data.Dataset.range(4).batch(2).with_options(options))
    with pytest.raises(tf.errors.InvalidArgumentError, match="1 input files but 2 workers"):
        fake_strategy(2).experimental_distribute_dataset(
            _file_pipeline(tmp_path, 1).with_options(options))


def test_one_worker_reads_everything_and_iterator_api():
    ds = tf.data.Dataset.range(4).batch(2)
    dist = tf.distribute.MirroredStrategy().experimental_distribute_dataset(ds)
    it = iter(dist)
    np.testing.assert_array_equal(it.get_next(), [0, 1])
    np.testing.assert_array_equal(next(it), [2, 3])
    with pytest.raises(tf.errors.OutOfRangeError):
        it.get_next()
    assert dist.element_spec == ds.element_spec


def test_element_spec_has_an_unknown_per_replica_batch():
    ds = tf.data.Dataset.from_tensor_slices(np.zeros((8, 3), np.float32)).batch(4)
    spec = fake_strategy(2).experimental_distribute_dataset(ds).element_spec
    assert spec.shape.as_list() == [None, 3] and spec.dtype == tf.float32


def test_auto_shard_policy_options():
    P = tf.data.experimental.AutoShardPolicy
    assert [int(p) for p in P] == [-1, 0, 1, 2, 3]
    assert repr(P.AUTO) == "<AutoShardPolicy.AUTO: 0>"
    assert tf.data.Options().experimental_distribute.auto_shard_policy == P.AUTO


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 40), replicas=st.integers(1, 8), cols=st.integers(1, 3))
def test_split_element_partitions_every_batch(n, replicas, cols):
    x = np.arange(n * cols, dtype=np.float32).reshape(n, cols)
    pieces = split_element((tf.constant(x), tf.constant(np.arange(n))), replicas)
    assert len(pieces) == replicas
    sizes = [p[0].shape[0] for p in pieces]
    assert sum(sizes) == n and max(sizes) - min(sizes) <= 1
    assert sizes == sorted(sizes, reverse=True)      # the first replicas take the extras
    np.testing.assert_array_equal(np.concatenate([np.asarray(p[0]) for p in pieces]), x)
    np.testing.assert_array_equal(np.concatenate([np.asarray(p[1]) for p in pieces]),
                                  np.arange(n))
