"""owned_array: a variable's array may be written in place only when nothing else holds
it; optimizers then update in place with the same numbers as when they allocate."""
import numpy as np

import tapeflow as tf
from tapeflow.framework.graph.buffers import owned_array


def test_owned_only_while_no_tensor_or_view_holds_the_array():
    v = tf.Variable(np.ones((3, 3), "float32"))
    assert owned_array(v) is not None
    held = v.read_value()
    assert owned_array(v) is None
    del held
    view = v._tensor._value[0]
    assert owned_array(v) is None
    del view
    ident = tf.identity(v)
    assert owned_array(v) is None
    del ident
    assert owned_array(v) is not None
    with tf.GradientTape():
        y = v * 2.0     # the tape's record holds the variable's value
        assert owned_array(v) is None
    del y


def test_in_place_rmsprop_equals_allocating_and_never_changes_a_held_tensor():
    from tapeflow import keras
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(70, 40)).astype("float32") for _ in range(4)]

    def run(hold):
        v = tf.Variable(np.linspace(-1, 1, 2800, dtype="float32").reshape(70, 40))
        opt = keras.optimizers.RMSprop(0.01)
        kept = []
        for g in grads:
            if hold:
                kept.append((v.read_value(), v.read_value().numpy()))
            opt.apply_gradients([(tf.constant(g), v)])
        for t, before in kept:   # what a user held never changed
            np.testing.assert_array_equal(t.numpy(), before)
        return v.numpy(), opt.variables[-1].numpy()
    in_place, allocating = run(False), run(True)
    for a, b in zip(in_place, allocating):
        np.testing.assert_array_equal(a, b)
