"""tf.distribute's option objects: TensorFlow's defaults and class relations."""
import tapeflow as tf


def test_input_and_run_options_defaults():
    o = tf.distribute.InputOptions()
    assert o.experimental_fetch_to_device is True
    assert o.experimental_per_replica_buffer_size == 1
    assert o.experimental_replication_mode == tf.distribute.InputReplicationMode.PER_WORKER
    assert tf.distribute.RunOptions().experimental_enable_dynamic_batch_size is True


def test_cross_device_ops_are_accepted():
    ops = tf.distribute.HierarchicalCopyAllReduce(num_packs=1)
    assert isinstance(ops, tf.distribute.CrossDeviceOps)
    assert issubclass(tf.distribute.NcclAllReduce, tf.distribute.CrossDeviceOps)
    assert issubclass(tf.distribute.ReductionToOneDevice, tf.distribute.CrossDeviceOps)
