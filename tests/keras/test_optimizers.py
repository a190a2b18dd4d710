"""Optimizer steps vs hand-computed NumPy (Keras 3's update rules)."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import optimizers

W0 = np.array([[1.0, -2.0], [0.5, 3.0]], np.float32)
G1 = np.array([[0.1, -0.2], [0.3, 0.0]], np.float32)
G2 = np.array([[-0.4, 0.5], [0.2, 1.0]], np.float32)


def run_two(opt, w0=W0, grads=(G1, G2)):
    v = tf.Variable(w0)
    for g in grads:
        opt.apply_gradients([(tf.constant(g), v)])
    return v.numpy()


def ref_loop(rule, state, w=W0, grads=(G1, G2)):
    w = w.astype(np.float64)
    for t, g in enumerate(grads, start=1):
        w = rule(w, g.astype(np.float64), state, t)
    return w


def check(opt, rule, state=None, **kw):
    got = run_two(opt, **kw)
    want = ref_loop(rule, {} if state is None else state, **kw)
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6)
    return got


def test_sgd_plain():
    check(optimizers.SGD(), lambda w, g, s, t: w - 0.01 * g)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum(nesterov):
    def rule(w, g, s, t):
        m = s.get("m", 0.0) * 0.9 - 0.1 * g
        s["m"] = m
        return w + (m * 0.9 - 0.1 * g if nesterov else m)
    check(optimizers.SGD(0.1, momentum=0.9, nesterov=nesterov), rule)


def test_sgd_momentum_must_be_float():
    with pytest.raises(ValueError, match="`momentum` must be a float"):
        optimizers.SGD(momentum=1)


@pytest.mark.parametrize("momentum,centered", [(0.0, False), (0.5, False), (0.0, True),
                                               (0.5, True)])
def test_rmsprop(momentum, centered):
    def rule(w, g, s, t):
        v = 0.9 * s.get("v", 0.0) + 0.1 * g * g
        s["v"] = v
        if centered:
            a = 0.9 * s.get("a", 0.0) + 0.1 * g
            s["a"] = a
            denom = v - a * a + 1e-7
        else:
            denom = v + 1e-7
        inc = 0.01 * g / np.sqrt(denom)
        if momentum:
            s["mom"] = momentum * s.get("mom", 0.0) + inc
            return w - s["mom"]
        return w - inc
    check(optimizers.RMSprop(0.01, momentum=momentum, centered=centered), rule)


def _adam_rule(lr, amsgrad=False, wd=0.0):
    def rule(w, g, s, t):
        w = w - w * wd * lr
        m = s.get("m", 0.0) + (g - s.get("m", 0.0)) * 0.1
        v = s.get("v", 0.0) + (g * g - s.get("v", 0.0)) * 0.001
        s["m"], s["v"] = m, v
        if amsgrad:
            s["vh"] = np.maximum(s.get("vh", 0.0), v)
            v = s["vh"]
        alpha = lr * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        return w - m * alpha / (np.sqrt(v) + 1e-7)
    return rule


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam(amsgrad):
    check(optimizers.Adam(0.1, amsgrad=amsgrad), _adam_rule(0.1, amsgrad))


def test_adamw_default_weight_decay():
    opt = optimizers.AdamW(0.1)
    assert opt.weight_decay == 0.004
    check(opt, _adam_rule(0.1, wd=0.004))
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)


def test_weight_decay_on_sgd():
    check(optimizers.SGD(0.1, weight_decay=0.5), lambda w, g, s, t: (w - w * 0.05) - 0.1 * g)


def test_adagrad():
    def rule(w, g, s, t):
        s["acc"] = s.get("acc", 0.1) + g * g
        return w - 0.1 * g / np.sqrt(s["acc"] + 1e-7)
    check(optimizers.Adagrad(0.1), rule)


def test_adadelta():
    def rule(w, g, s, t):
        ag = 0.95 * s.get("ag", 0.0) + 0.05 * g * g
        d = -np.sqrt(s.get("ad", 0.0) + 1e-7) * g / np.sqrt(ag + 1e-7)
        s["ag"], s["ad"] = ag, 0.95 * s.get("ad", 0.0) + 0.05 * d * d
        return w + 1.0 * d
    check(optimizers.Adadelta(1.0), rule)


def test_adamax():
    def rule(w, g, s, t):
        m = s.get("m", 0.0) + (g - s.get("m", 0.0)) * 0.1
        u = np.maximum(0.999 * s.get("u", 0.0), np.abs(g))
        s["m"], s["u"] = m, u
        return w - 0.1 * m / ((1 - 0.9 ** t) * (u + 1e-7))
    check(optimizers.Adamax(0.1), rule)


def test_nadam():
    def rule(w, g, s, t):
        u_t = 0.9 * (1 - 0.5 * 0.96 ** t)
        u_t1 = 0.9 * (1 - 0.5 * 0.96 ** (t + 1))
        s["up"] = up = s.get("up", 1.0) * u_t
        up1 = up * u_t1
        m = s.get("m", 0.0) + (g - s.get("m", 0.0)) * 0.1
        v = s.get("v", 0.0) + (g * g - s.get("v", 0.0)) * 0.001
        s["m"], s["v"] = m, v
        m_hat = u_t1 * m / (1 - up1) + (1 - u_t) * g / (1 - up)
        v_hat = v / (1 - 0.999 ** t)
        return w - m_hat * 0.1 / (np.sqrt(v_hat) + 1e-7)
    check(optimizers.Nadam(0.1), rule)


def test_lion():
    def rule(w, g, s, t):
        m = s.get("m", 0.0)
        w = w - 0.1 * np.sign(m * 0.9 + g * 0.1)
        s["m"] = m * 0.99 + g * 0.01
        return w
    check(optimizers.Lion(0.1), rule)
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.Lion(beta_1=0.0)


def test_clipnorm_clipvalue_global_clipnorm():
    def clipnorm(g):
        n = np.sqrt(np.sum(g * g))
        return g * 0.3 / max(n, 0.3)
    check(optimizers.SGD(0.1, clipnorm=0.3), lambda w, g, s, t: w - 0.1 * clipnorm(g))
    check(optimizers.SGD(0.1, clipvalue=0.25),
          lambda w, g, s, t: w - 0.1 * np.clip(g, -0.25, 0.25))
    # Global norm over two variables.
    a, b = tf.Variable([3.0]), tf.Variable([4.0])
    opt = optimizers.SGD(1.0, global_clipnorm=1.0)
    opt.apply_gradients([(tf.constant([3.0]), a), (tf.constant([4.0]), b)])
    np.testing.assert_allclose([a.numpy()[0], b.numpy()[0]], [3 - 0.6, 4 - 0.8], rtol=1e-6)
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and "):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def test_apply_gradients_returns_iterations_and_lr_is_float32_variable():
    opt = optimizers.RMSprop()
    v = tf.Variable([1.0])
    it = opt.apply_gradients(zip([tf.constant([1.0])], [v]))
    assert it is opt.iterations
    assert it.dtype == tf.int64 and int(it.numpy()) == 1
    assert opt.learning_rate.dtype == tf.float32
    assert isinstance(opt.learning_rate, keras.Variable)  # not a tf.Variable (Keras 3)
    assert not isinstance(opt.learning_rate, tf.Variable)
    assert opt.get_config()["learning_rate"] == float(np.float32(0.001))
    opt.learning_rate = 0.5
    np.testing.assert_allclose(opt.learning_rate.numpy(), 0.5)
    opt.apply([tf.constant([2.0])])
    assert int(opt.iterations.numpy()) == 2


def test_schedule_evaluated_at_iterations():
    sched = optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    opt = optimizers.SGD(sched)
    v = tf.Variable([0.0])
    opt.apply_gradients([(tf.constant([1.0]), v)])   # lr 0.1 at step 0
    opt.apply_gradients([(tf.constant([1.0]), v)])   # lr 0.05 at step 1
    np.testing.assert_allclose(v.numpy(), [-0.15], rtol=1e-6)
    np.testing.assert_allclose(float(opt.learning_rate), 0.025, rtol=1e-6)
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1
    cfg = opt.get_config()
    assert cfg["learning_rate"]["class_name"] == "ExponentialDecay"
    again = optimizers.SGD.from_config(cfg)
    assert isinstance(again._learning_rate, optimizers.schedules.ExponentialDecay)


def test_none_gradients_skipped_with_warning_and_all_none_raises():
    a, b = tf.Variable([1.0]), tf.Variable([1.0])
    opt = optimizers.SGD(1.0)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply_gradients([(tf.constant([1.0]), a), (None, b)])
    assert a.numpy()[0] == 0.0 and b.numpy()[0] == 1.0
    with pytest.raises(ValueError, match="No gradients provided for any variable."):
        opt.apply_gradients([(None, a), (None, b)])


def test_indexed_slices_gradient_from_gather():
    emb = tf.Variable(np.ones((4, 2), np.float32))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.gather(emb, [1, 3, 1]))
    g = tape.gradient(y, emb)
    optimizers.SGD(1.0).apply_gradients([(g, emb)])
    np.testing.assert_allclose(emb.numpy(), [[1, 1], [-1, -1], [1, 1], [0, 0]])


def test_training_reduces_loss_and_tape_values_stay_valid():
    w = tf.Variable([[0.5], [-0.3]])
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    y = tf.constant([[1.0], [2.0]])
    opt = optimizers.Adam(0.05)
    losses = []
    for _ in range(30):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
        old = w.numpy()
        held = tape._var_reads if hasattr(tape, "_var_reads") else None
        opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
        assert not np.array_equal(old, w.numpy())
        losses.append(float(loss))
        del held
    assert losses[-1] < losses[0] / 4


def test_old_value_not_mutated():
    v = tf.Variable([1.0, 2.0])
    before = v.read_value()
    optimizers.Adam(0.1).apply_gradients([(tf.constant([1.0, 1.0]), v)])
    np.testing.assert_array_equal(before.numpy(), [1.0, 2.0])


def test_get_serialize_deserialize_and_names():
    # Keras 3 names an optimizer after its snake_case class name, made unique per session.
    keras.backend.clear_session()
    for name, cls, lr, oname in [("sgd", optimizers.SGD, 0.01, "sgd"),
                                 ("rmsprop", optimizers.RMSprop, 0.001, "rm_sprop"),
                                 ("adam", optimizers.Adam, 0.001, "adam"),
                                 ("adamw", optimizers.AdamW, 0.001, "adam_w"),
                                 ("adagrad", optimizers.Adagrad, 0.001, "adagrad"),
                                 ("adadelta", optimizers.Adadelta, 0.001, "adadelta"),
                                 ("adamax", optimizers.Adamax, 0.001, "adamax"),
                                 ("nadam", optimizers.Nadam, 0.001, "nadam"),
                                 ("lion", optimizers.Lion, 0.001, "lion")]:
        o = optimizers.get(name)
        assert type(o) is cls and o.name == oname
        np.testing.assert_allclose(float(o.learning_rate.numpy()), lr, rtol=1e-6)
        d = optimizers.serialize(o)
        assert d["class_name"] == cls.__name__
        o2 = optimizers.deserialize(d)
        assert type(o2) is cls and o2.get_config() == o.get_config()
    assert optimizers.SGD().name == "sgd_1" and optimizers.Adam(name="x").name == "x"
    assert type(optimizers.get("RMSprop")) is optimizers.RMSprop
    opt = optimizers.Adam()
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get("nope")
    assert keras.optimizers.Adam is optimizers.Adam


def test_variables_and_unknown_kwarg():
    opt = optimizers.Adam(amsgrad=True)
    opt.build([tf.Variable([1.0, 2.0])])
    assert len(opt.variables) == 5   # iterations, learning_rate, m, v, v_hat
    with pytest.raises(ValueError, match="Argument\\(s\\) not recognized"):
        optimizers.Adam(foo=1)


def test_constraint_applied_after_step():
    v = tf.Variable([1.0, -1.0], constraint=lambda x: tf.maximum(x, 0.0))
    optimizers.SGD(1.0).apply_gradients([(tf.constant([0.5, 0.5]), v)])
    np.testing.assert_allclose(v.numpy(), [0.5, 0.0])


def test_ema_overwrites_weights():
    v = tf.Variable([1.0])
    opt = optimizers.SGD(1.0, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=2)
    opt.apply_gradients([(tf.constant([1.0]), v)])  # v=0, avg=0 (first step copies)
    np.testing.assert_allclose(v.numpy(), [0.0])
    opt.apply_gradients([(tf.constant([1.0]), v)])  # v=-1, avg=-0.5 -> overwritten
    np.testing.assert_allclose(v.numpy(), [-0.5])


def test_float64_variable_keeps_dtype():
    v = tf.Variable(np.array([1.0, 2.0]))
    optimizers.Adam(0.1).apply_gradients([(tf.constant(np.array([1.0, 1.0])), v)])
    assert v.dtype == tf.float64


def test_custom_optimizer_subclass_uses_its_update_step():
    class HalfSGD(optimizers.Optimizer):
        def __init__(self, learning_rate=0.1, **kwargs):
            super().__init__(learning_rate=learning_rate, name="half_sgd", **kwargs)

        def update_step(self, gradient, variable, learning_rate):
            self.assign_sub(variable, gradient * learning_rate * 0.5)

    v = tf.Variable([1.0, 2.0])
    opt = HalfSGD()
    opt.apply_gradients([(tf.constant([1.0, -2.0]), v)])
    np.testing.assert_allclose(v.numpy(), [0.95, 2.1], rtol=1e-6)

    class LoudAdam(optimizers.Adam):
        calls = 0

        def update_step(self, gradient, variable, learning_rate):
            LoudAdam.calls += 1
            super().update_step(gradient, variable, learning_rate)

    w = tf.Variable([1.0])
    LoudAdam(0.1).apply_gradients([(tf.constant([1.0]), w)])
    assert LoudAdam.calls == 1
    np.testing.assert_allclose(w.numpy(), [0.9], rtol=1e-5)


def test_save_and_load_own_variables():
    v = tf.Variable([1.0, 2.0])
    opt = optimizers.Adam(0.1)
    opt.apply_gradients([(tf.constant([1.0, 1.0]), v)])
    store = {}
    opt.save_own_variables(store)
    assert sorted(store) == ["0", "1", "2", "3"]
    fresh = optimizers.Adam(0.1)
    fresh.build([tf.Variable([0.0, 0.0])])
    fresh.load_own_variables(store)
    assert int(fresh.iterations.numpy()) == 1
    np.testing.assert_allclose(fresh.variables[2].numpy(), store["2"])
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        optimizers.Adam().load_own_variables(store)


def test_gradient_accumulation_applies_mean_every_n_steps():
    v = tf.Variable([1.0])
    opt = optimizers.SGD(1.0, gradient_accumulation_steps=2, clipvalue=0.5)
    opt.apply_gradients([(tf.constant([0.2]), v)])
    assert v.numpy()[0] == 1.0 and int(opt.iterations.numpy()) == 1
    opt.apply_gradients([(tf.constant([1.4]), v)])   # clipped to 0.5 first; mean 0.35
    np.testing.assert_allclose(v.numpy(), [0.65], rtol=1e-6)
    assert int(opt.iterations.numpy()) == 2


def test_exclude_from_weight_decay():
    a, b = tf.Variable([1.0]), tf.Variable([1.0], name="bias")
    opt = optimizers.AdamW(0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply_gradients([(tf.constant([0.0]), a), (tf.constant([0.0]), b)])
    np.testing.assert_allclose([a.numpy()[0], b.numpy()[0]], [0.95, 1.0], rtol=1e-6)


def test_callable_learning_rate_gets_iterations():
    v = tf.Variable([0.0])
    opt = optimizers.SGD(lambda step: 0.1 * (float(step) + 1))
    opt.apply_gradients([(tf.constant([1.0]), v)])   # lr 0.1
    opt.apply_gradients([(tf.constant([1.0]), v)])   # lr 0.2
    np.testing.assert_allclose(v.numpy(), [-0.3], rtol=1e-6)


def test_slot_names_and_order_as_keras():
    # Keras 3: slots are made variable by variable and named after "w:0" as "w_0_...".
    w = tf.Variable(np.ones((2,), np.float32), name="w")
    b = tf.Variable(np.ones((2,), np.float32), name="b")
    opt = optimizers.Adam(amsgrad=True)
    opt.build([w, b])
    assert [v.name for v in opt.variables] == [
        "iteration", "learning_rate", "w_0_momentum", "w_0_velocity", "b_0_momentum",
        "b_0_velocity", "w_0_velocity_hat", "b_0_velocity_hat"]
    opt = optimizers.Adamax()
    opt.build([w])
    assert [v.name for v in opt.variables][2:] == ["w_0_momentum", "w_0_norm"]
