"""Tensors are values: a Tensor read from a variable or an optimizer slot before a step keeps
its value after the step (the optimizer rebinds fresh arrays, never writes into old ones)."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.keras import optimizers

OPTIMIZERS = [
    lambda: optimizers.SGD(0.1),
    lambda: optimizers.SGD(0.1, momentum=0.9),
    lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    lambda: optimizers.RMSprop(0.1),
    lambda: optimizers.RMSprop(0.1, momentum=0.5, centered=True),
    lambda: optimizers.Adam(0.1),
    lambda: optimizers.Adam(0.1, amsgrad=True),
    lambda: optimizers.AdamW(0.1),
    lambda: optimizers.Adagrad(0.1),
    lambda: optimizers.Adadelta(1.0),
    lambda: optimizers.Adamax(0.1),
    lambda: optimizers.Nadam(0.1),
    lambda: optimizers.Lion(0.1),
    lambda: optimizers.SGD(0.1, use_ema=True, ema_overwrite_frequency=3),
    lambda: optimizers.Adam(0.1, gradient_accumulation_steps=2),
    lambda: optimizers.LossScaleOptimizer(optimizers.Adam(0.1)),
]


@pytest.mark.parametrize("make", OPTIMIZERS, ids=lambda m: repr(m()._name if hasattr(
    m(), "_name") else type(m()).__name__))
def test_tensors_taken_before_a_step_keep_their_values(make):
    opt = make()
    w = tf.Variable(np.array([[1.0, -2.0], [3.0, 0.5]], np.float32))
    b = tf.Variable(np.array([0.25, -0.75], np.float32))
    grads = [tf.constant(np.array([[0.5, -1.0], [2.0, 0.1]], np.float32)),
             tf.constant(np.array([-0.3, 0.7], np.float32))]
    opt.apply_gradients(zip(grads, [w, b]))          # builds the slots, one step
    held = [tf.convert_to_tensor(v) for v in opt.variables] + [tf.convert_to_tensor(w),
                                                               w.read_value(), b.value()]
    copies = [h.numpy().copy() for h in held]
    for _ in range(4):
        opt.apply_gradients(zip(grads, [w, b]))
    for h, c in zip(held, copies):
        np.testing.assert_array_equal(h.numpy(), c)
    changed = sum(not np.array_equal(tf.convert_to_tensor(v).numpy(), c)
                  for v, c in zip(opt.variables, copies))
    assert changed >= 1      # the steps did update state (iterations at least)


def test_metric_state_reads_keep_their_values():
    from tapeflow import keras
    m = keras.metrics.Mean()
    m.update_state([1.0, 3.0])
    held = [tf.convert_to_tensor(v) for v in m.variables]
    before = [h.numpy().copy() for h in held]
    m.update_state([10.0])
    m.reset_state()
    for h, c in zip(held, before):
        np.testing.assert_array_equal(h.numpy(), c)
