"""Engine context state is per thread: a tape on one thread never sees another's ops."""
import threading

import numpy as np

import tapeflow as tf
from tapeflow.framework import context


def test_dataset_map_on_a_worker_thread_is_not_recorded_on_the_main_tape():
    v = tf.Variable(2.0)
    w = tf.Variable(5.0)          # read only by the pipeline's map function
    worker_threads = set()

    def fn(i):
        worker_threads.add(threading.get_ident())
        return tf.cast(i, tf.float32) * v + w

    ds = tf.data.Dataset.range(40).map(fn, num_parallel_calls=2).prefetch(4)
    with tf.GradientTape() as tape:
        total = v * v
        for e in ds:            # elements made on the prefetch thread while we record
            total = total + e   # dataset elements are constants, as in TensorFlow
    assert worker_threads - {threading.get_ident()}   # the map ran on another thread
    # d/dv (v*v + sum(i*v + w)) would be 2v + sum(i) = 784 had the worker's ops leaked.
    assert float(tape.gradient(total, v)) == 4.0
    assert [x.name for x in tape.watched_variables()] == [v.name]
    assert not context.ACTIVE and not context.state.tapes


def test_two_threads_record_on_their_own_tapes_concurrently():
    v = tf.Variable(3.0)
    barrier = threading.Barrier(2)
    results = {}

    def work(key, power):
        with tf.GradientTape() as tape:
            barrier.wait()      # both tapes active at once
            y = v
            for _ in range(power - 1):
                y = y * v
            barrier.wait()
            results[key] = (float(tape.gradient(y, v)), len(tape.watched_variables()),
                            len(context.state.tapes))

    threads = [threading.Thread(target=work, args=(k, p)) for k, p in (("sq", 2), ("cube", 3))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["sq"] == (6.0, 1, 1)      # 2v
    assert results["cube"] == (27.0, 1, 1)   # 3v^2
    assert not context.ACTIVE


def test_a_tape_on_another_thread_does_not_make_this_thread_record():
    entered, done = threading.Event(), threading.Event()

    def hold():
        with tf.GradientTape():
            entered.set()
            done.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    entered.wait(10)
    try:
        assert context.ACTIVE                      # some thread records ...
        from tapeflow.framework import primitive
        assert not primitive.recording()           # ... but not this one
        x = tf.constant(np.float32(2.0))
        with tf.GradientTape() as mine:
            mine.watch(x)
            y = x * x
        assert float(mine.gradient(y, x)) == 4.0
    finally:
        done.set()
        t.join()


def test_layer_scope_and_training_flag_are_per_thread():
    from tapeflow import keras
    seen = {}

    class Probe(keras.layers.Layer):
        def call(self, x, training=None):
            seen[threading.get_ident()] = ([s.name for s in context.state.calls.scope],
                                           training)
            return x

    probe = Probe(name="probe")
    t = threading.Thread(target=lambda: probe(np.zeros((1, 1), np.float32), training=True))
    t.start()
    t.join()
    probe(np.zeros((1, 1), np.float32))
    assert sorted(seen.values(), key=str) == [(["probe"], None), (["probe"], True)]
    assert context.state.calls.scope == [] and context.state.calls.training is None


def test_swap_tapes_pauses_and_restores_this_threads_tapes():
    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        old = context.swap_tapes([])          # a recorder that must be alone pauses the rest
        try:
            y = x * x                         # not recorded on the outer tape
        finally:
            context.swap_tapes(old)
        z = x * 3.0
    assert outer.gradient([y, z], x).numpy() == 3.0
    assert not context.ACTIVE and context.state.tapes == []


def test_non_differentiable_ops_do_not_block_gradients():
    x = tf.constant([1.0, -2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        m = tf.greater(x, 0.0)               # no gradient: nothing recorded on the tape
        y = tf.reduce_sum(x * tf.cast(m, tf.float32))
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1.0, 0.0])


def test_name_scope_is_per_thread():
    names = {}
    inside, release = threading.Event(), threading.Event()

    def other():
        with tf.name_scope("worker"):
            inside.set()
            release.wait(10)
            names["worker"] = tf.Variable(1.0, name="w").name

    t = threading.Thread(target=other)
    t.start()
    inside.wait(10)
    names["main"] = tf.Variable(1.0, name="w").name   # the worker's scope is not ours
    release.set()
    t.join()
    assert names == {"worker": "worker/w:0", "main": "w:0"}
    assert context.state.name_scope == ""
