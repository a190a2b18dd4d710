"""tf.GradientTape: watching, sources and targets of every shape, higher order, jacobians."""
import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads


def _np(t):
    return tf.convert_to_tensor(t).numpy()


# -- basics from the seed chapter ------------------------------------------------------

def test_gradient_of_variable_square():
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        out = v * v
    g = tape.gradient(out, v)
    assert repr(g) == "<tf.Tensor: shape=(), dtype=float32, numpy=6.0>"


def test_watched_constant():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = x * x
    assert str(tape.gradient(out, x)) == "tf.Tensor(4.0, shape=(), dtype=float32)"


def test_unwatched_constant_gives_none():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        out = x * x
    assert tape.gradient(out, x) is None


def test_second_order_acceleration():
    time = tf.Variable(0.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            position = 4.9 * time ** 2
        speed = inner.gradient(position, time)
    acceleration = outer.gradient(speed, time)
    assert float(speed) == 0.0
    assert np.isclose(float(acceleration), 9.8)
    assert acceleration.dtype == tf.float32


def test_third_order():
    x = tf.Variable(2.0)
    with tf.GradientTape() as t3:
        with tf.GradientTape() as t2:
            with tf.GradientTape() as t1:
                y = x ** 3
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    assert float(d1) == 12.0 and float(d2) == 12.0 and float(d3) == 6.0


# -- sources and targets -----------------------------------------------------------------

def test_sources_structures_are_kept():
    a = tf.Variable(1.0)
    b = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y = a * b + b
    assert isinstance(tape.gradient(y, [a, b]), list)
    ga, gb = tape.gradient(y, (a, b))
    assert float(ga) == 2.0 and float(gb) == 2.0
    assert isinstance(tape.gradient(y, (a, b)), tuple)
    d = tape.gradient(y, {"x": a, "y": [b]})
    assert set(d) == {"x", "y"} and float(d["x"]) == 2.0 and float(d["y"][0]) == 2.0


def test_non_scalar_target_is_summed():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    np.testing.assert_allclose(_np(tape.gradient(y, x)), [2.0, 4.0, 6.0])


def test_list_of_targets_is_summed():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y1 = x * 2.0
        y2 = x * x
    assert float(tape.gradient([y1, y2], x)) == 8.0


def test_output_gradients_weight_the_target():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    g = tape.gradient(y, x, output_gradients=tf.constant([10.0, 100.0]))
    np.testing.assert_allclose(_np(g), [20.0, 400.0])


def test_unconnected_none_and_zero():
    x = tf.Variable([1.0, 2.0])
    z = tf.Variable(5.0)
    with tf.GradientTape(persistent=True) as tape:
        y = tf.reduce_sum(x * 2.0)
    assert tape.gradient(y, z) is None
    g = tape.gradient(y, z, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert repr(g) == "<tf.Tensor: shape=(), dtype=float32, numpy=0.0>"
    gs = tape.gradient(y, [x, z], unconnected_gradients="zero")
    np.testing.assert_allclose(_np(gs[0]), [2.0, 2.0])
    assert float(gs[1]) == 0.0
    with pytest.raises(ValueError):
        tape.gradient(y, z, unconnected_gradients="bogus")


def test_target_is_the_source():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
    np.testing.assert_allclose(_np(tape.gradient(x, x)), [1.0, 1.0])


def test_intermediate_tensor_as_source():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        h = x * 3.0
        y = h * h
    gh, gx = tape.gradient(y, [h, x])
    assert float(gh) == 12.0 and float(gx) == 36.0


def test_bad_source_raises():
    x = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = x * 2.0
    with pytest.raises(ValueError):
        tape.gradient(y, "x")


# -- tape lifetime -------------------------------------------------------------------------

def test_non_persistent_tape_used_twice_raises():
    x = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent GradientTape"):
        tape.gradient(y, x)


def test_persistent_tape_used_twice():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    assert float(tape.gradient(z, x)) == 108.0
    assert float(tape.gradient(y, x)) == 6.0
    del tape


def test_gradient_inside_context():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x
        g = tape.gradient(y, x)
    assert float(g) == 4.0


def test_stop_recording():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x
        with tape.stop_recording():
            z = x * x * x
        w = y + z
    assert float(tape.gradient(w, x)) == 4.0  # z is a constant to the tape


def test_stop_recording_outside_raises():
    tape = tf.GradientTape()
    with pytest.raises(RuntimeError, match="not recording"):
        with tape.stop_recording():
            pass


def test_reset():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        _ = x * x
        tape.reset()
        z = x * x * x
    assert float(tape.gradient(z, x)) == 12.0


def test_reset_forgets_records():
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
        tape.reset()
    assert tape.gradient(y, x) is None


def test_reenter_active_tape_raises():
    tape = tf.GradientTape()
    with tape:
        with pytest.raises(ValueError):
            tape.__enter__()


# -- what gets watched ---------------------------------------------------------------------

def test_watched_variables_in_order():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    with tf.GradientTape() as tape:
        _ = b * a
    assert [v.name for v in tape.watched_variables()] == ["b:0", "a:0"]


def test_watch_accessed_variables_false():
    a = tf.Variable(1.0)
    b = tf.Variable(2.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(a)
        y = a * b
    ga, gb = tape.gradient(y, [a, b])
    assert float(ga) == 2.0 and gb is None
    assert tape.watched_variables() == (a,)


def test_non_trainable_variable_not_watched():
    v = tf.Variable(1.0, trainable=False)
    with tf.GradientTape() as tape:
        y = v * v
    assert tape.gradient(y, v) is None
    assert tape.watched_variables() == ()


def test_non_trainable_variable_watched_explicitly():
    v = tf.Variable(3.0, trainable=False)
    with tf.GradientTape() as tape:
        tape.watch(v)
        y = v * v
    assert float(tape.gradient(y, v)) == 6.0


def test_integer_tensors_and_variables_have_no_gradient():
    i = tf.constant(3)
    iv = tf.Variable(1)
    assert iv.dtype == tf.int32
    with tf.GradientTape() as tape:
        tape.watch(i)
        y = i * i + iv
    assert tape.gradient(y, [i, iv]) == [None, None]
    assert tape.watched_variables() == ()


def test_watch_nest_and_bad_object():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch({"a": a, "rest": [b]})
        y = a * b
        with pytest.raises(ValueError):
            tape.watch("nope")
    ga, gb = tape.gradient(y, [a, b])
    assert float(ga) == 2.0 and float(gb) == 1.0


def test_stop_gradient():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * tf.stop_gradient(x)
    assert float(tape.gradient(y, x)) == 3.0


def test_variable_read_before_and_after_assign():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        a = v * 1.0
        v.assign(5.0)
        b = v * v
        y = a + b
    assert float(tape.gradient(y, v)) == 11.0  # 1 + 2*5, both reads count


def test_gradient_flows_through_many_ops():
    def f(x, y):
        return tf.reduce_sum(tf.square(tf.matmul(x, y) - 1.0) * 0.5 + x[:, :1] * 2.0)
    check_grads(f, [np.random.rand(3, 2), np.random.rand(2, 4)], order=2)


def test_backward_prunes_and_frees(monkeypatch):
    import tapeflow.framework.tape as tape_mod

    x = tf.constant(1.0)
    other = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch([x, other])
        junk = other
        for _ in range(5):
            junk = junk * 1.5  # watched, but cannot reach x
        y = x * 3.0 + 1.0
        y = y + junk * 0.0
    records = list(tape._records)
    calls = []
    for op in {id(r.op): r.op for r in records}.values():
        def counted(r, *d, _fn=op.grad_fn):
            calls.append(r.op.name)
            return _fn(r, *d)
        monkeypatch.setattr(op, "grad_fn", counted)
    grads = tape_mod._backward(records, [y], [None], {id(x)})
    assert float(grads[id(x)]) == 3.0
    assert calls == ["AddV2", "AddV2", "Mul"]  # the junk chain is never visited
    assert set(grads) == {id(x)}  # intermediate gradients were freed once used


def test_multi_output_op_with_unused_outputs():
    x = tf.constant([1.0, 2.0, 3.0, 4.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        a, _ = tf.split(x, 2)
        y = tf.reduce_sum(a * 2.0)
        parts = tf.unstack(x)
        z = parts[1] * parts[3]
    np.testing.assert_allclose(_np(tape.gradient(y, x)), [2.0, 2.0, 0.0, 0.0])
    np.testing.assert_allclose(_np(tape.gradient(z, x)), [0.0, 4.0, 0.0, 2.0])


def test_output_gradients_dtype_must_match():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0
    with pytest.raises(ValueError):
        tape.gradient(y, x, output_gradients=[tf.constant([1.0, 1.0], dtype=tf.float64)])


# -- IndexedSlices -------------------------------------------------------------------------

def test_gather_gradient_is_indexed_slices():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with tf.GradientTape() as tape:
        rows = tf.gather(v, [0, 2, 0])
        y = tf.reduce_sum(rows * 2.0)
    g = tape.gradient(y, v)
    assert isinstance(g, tf.IndexedSlices)
    np.testing.assert_allclose(tf.convert_to_tensor(g).numpy(),
                               [[4.0, 4.0], [0.0, 0.0], [2.0, 2.0]])
    v.assign_sub(tf.convert_to_tensor(g) * 0.5)
    np.testing.assert_allclose(v.numpy(), [[-1.0, 0.0], [3.0, 4.0], [4.0, 5.0]])


def test_gather_gradient_accumulates_with_dense():
    v = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.gather(v, [1])) + tf.reduce_sum(v * v)
    g = tape.gradient(y, v)
    np.testing.assert_allclose(_np(g), [2.0, 5.0, 6.0])


# -- jacobians -----------------------------------------------------------------------------

def test_jacobian():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = x * x * tf.constant([[1.0], [3.0], [5.0]])
    j = tape.jacobian(y, x)
    assert j.shape == tf.TensorShape([3, 2, 2])
    expect = np.zeros((3, 2, 2))
    for i, c in enumerate([1.0, 3.0, 5.0]):
        expect[i] = np.diag([2.0 * c, 4.0 * c])
    np.testing.assert_allclose(j.numpy(), expect)


def test_jacobian_unconnected_is_none():
    x = tf.Variable([1.0, 2.0])
    z = tf.Variable([1.0])
    with tf.GradientTape() as tape:
        y = x * 2.0
    assert tape.jacobian(y, z) is None


def test_batch_jacobian():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    w = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.matmul(x * x, w)
    j = tape.batch_jacobian(y, x)
    assert j.shape == tf.TensorShape([2, 3, 2])
    xn = x.numpy()
    expect = np.stack([w.numpy().T * (2 * xn[b])[None, :] for b in range(2)])
    np.testing.assert_allclose(j.numpy(), expect)


# -- UnconnectedGradients ------------------------------------------------------------------

def test_unconnected_gradients_enum():
    assert tf.UnconnectedGradients.NONE.value == "none"
    assert tf.UnconnectedGradients.ZERO.value == "zero"
