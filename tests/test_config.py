"""tf.config: one CPU device, no-op device setters, threading settings."""

import tapeflow as tf


def test_physical_devices():
    cpus = tf.config.list_physical_devices("CPU")
    assert len(cpus) == 1
    assert cpus[0].name == "/physical_device:CPU:0" and cpus[0].device_type == "CPU"
    assert repr(cpus[0]) == "PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')"
    assert tf.config.list_physical_devices("GPU") == []
    assert tf.config.list_physical_devices() == cpus


def test_device_setters_are_noops():
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        tf.config.experimental.set_memory_growth(gpu, True)
    tf.config.set_visible_devices([], "GPU")
    tf.config.set_visible_devices(tf.config.list_physical_devices("CPU"))
    tf.config.experimental.set_memory_growth(tf.config.list_physical_devices("CPU")[0], True)
    assert tf.config.get_visible_devices("CPU") == tf.config.list_physical_devices("CPU")


def test_threading_getters_setters():
    th = tf.config.threading
    old = th.get_intra_op_parallelism_threads(), th.get_inter_op_parallelism_threads()
    assert old == (0, 0)
    try:
        th.set_intra_op_parallelism_threads(2)
        th.set_inter_op_parallelism_threads(3)
        assert th.get_intra_op_parallelism_threads() == 2
        assert th.get_inter_op_parallelism_threads() == 3
    finally:
        th.set_intra_op_parallelism_threads(old[0])
        th.set_inter_op_parallelism_threads(old[1])
