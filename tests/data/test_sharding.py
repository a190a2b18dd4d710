"""Dataset.shard."""
import numpy as np
import pytest

import tapeflow as tf


def test_shard_keeps_every_nth_element():
    ds = tf.data.Dataset.range(10)
    assert [int(v) for v in ds.shard(3, 1)] == [1, 4, 7]
    assert int(ds.shard(3, 1).cardinality()) == 3 and int(ds.shard(3, 0).cardinality()) == 4
    assert int(ds.filter(lambda x: x > 2).shard(2, 0).cardinality()) == -2
    assert repr(ds.shard(3, 1)) == \
        "<_ShardDataset element_spec=TensorSpec(shape=(), dtype=tf.int64, name=None)>"


def test_shard_after_shuffle_and_before_batch():
    ds = tf.data.Dataset.from_tensor_slices(np.arange(6)).shard(2, 1).batch(2)
    assert [np.asarray(b).tolist() for b in ds] == [[1, 3], [5]]
    shuffled = tf.data.Dataset.range(10).shuffle(10, seed=3, reshuffle_each_iteration=False)
    parts = [sorted(int(v) for v in shuffled.shard(2, i)) for i in (0, 1)]
    assert sorted(parts[0] + parts[1]) == list(range(10))


@pytest.mark.parametrize("args,message", [
    ((0, 0), r"Number of shards must be greater than zero \(currently num_shards = 0\)"),
    ((3, 3), r"Index must be between 0 and 2 \(currently index = 3\)"),
    ((3, -1), r"Index must be between 0 and 2 \(currently index = -1\)")])
def test_shard_errors(args, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        tf.data.Dataset.range(10).shard(*args)
