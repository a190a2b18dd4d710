"""tf.random: TensorFlow's seed semantics, distributions, stateless ops, Generator, errors."""
import numpy as np
import pytest

import tapeflow as tf


@pytest.fixture(autouse=True)
def _clear_global_seed():
    tf.random.set_seed(None)
    yield
    tf.random.set_seed(None)


def _np(t):
    return t.numpy()


# -- seed semantics (tf.random.set_seed docs) -----------------------------------------------

def test_no_seed_gives_different_values():
    assert not np.array_equal(_np(tf.random.uniform([8])), _np(tf.random.uniform([8])))


def test_global_seed_makes_program_repeatable():
    tf.random.set_seed(1234)
    a1, a2 = _np(tf.random.uniform([4])), _np(tf.random.uniform([4]))
    b1 = _np(tf.random.normal([4]))
    assert not np.array_equal(a1, a2)
    tf.random.set_seed(1234)
    np.testing.assert_array_equal(_np(tf.random.uniform([4])), a1)
    np.testing.assert_array_equal(_np(tf.random.uniform([4])), a2)
    np.testing.assert_array_equal(_np(tf.random.normal([4])), b1)
    tf.random.set_seed(4321)
    assert not np.array_equal(_np(tf.random.uniform([4])), a1)


def test_op_seed_only_uses_default_global_seed():
    a1, a2 = _np(tf.random.uniform([4], seed=1)), _np(tf.random.uniform([4], seed=1))
    assert not np.array_equal(a1, a2)            # repeated calls differ...
    tf.random.set_seed(None)                     # ...and restart like a new program
    np.testing.assert_array_equal(_np(tf.random.uniform([4], seed=1)), a1)
    np.testing.assert_array_equal(_np(tf.random.uniform([4], seed=1)), a2)
    assert tf.random.get_seed(1) == (87654321, 1)
    assert tf.random.get_seed(None) == (None, None)


def test_both_seeds_determine_sequence():
    tf.random.set_seed(7)
    a1, a2 = _np(tf.random.normal([3], seed=2)), _np(tf.random.normal([3], seed=2))
    other = _np(tf.random.normal([3], seed=3))
    assert not np.array_equal(a1, a2)
    assert not np.array_equal(a1, other)
    tf.random.set_seed(7)
    np.testing.assert_array_equal(_np(tf.random.normal([3], seed=2)), a1)
    np.testing.assert_array_equal(_np(tf.random.normal([3], seed=2)), a2)
    tf.random.set_seed(8)
    assert not np.array_equal(_np(tf.random.normal([3], seed=2)), a1)


def test_op_seed_streams_are_per_op_and_independent_of_unseeded_calls():
    tf.random.set_seed(5)
    u = _np(tf.random.uniform([3], seed=1))
    tf.random.set_seed(5)
    tf.random.normal([10])                       # unseeded and other-op calls in between
    tf.random.normal([3], seed=1)
    np.testing.assert_array_equal(_np(tf.random.uniform([3], seed=1)), u)


# -- distributions, shapes, dtypes -----------------------------------------------------------

def test_normal_distribution_and_dtype():
    tf.random.set_seed(0)
    x = tf.random.normal([100000], mean=2.0, stddev=3.0)
    assert x.dtype == tf.float32 and x.shape == (100000,)
    v = _np(x)
    assert abs(v.mean() - 2.0) < 0.03 and abs(v.std() - 3.0) < 0.03
    assert tf.random.normal([2, 3], dtype=tf.float64).dtype == tf.float64
    assert tf.random.normal((2, 3), dtype=tf.float16).dtype == tf.float16
    assert tf.random.normal(tf.constant([4, 1])).shape == (4, 1)
    assert tf.random.normal(tf.TensorShape([2, 2])).shape == (2, 2)
    assert tf.random.normal([0, 3]).shape == (0, 3)


def test_uniform_float_and_int():
    tf.random.set_seed(0)
    u = _np(tf.random.uniform([100000]))
    assert u.dtype == np.float32 and u.min() >= 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.01
    w = _np(tf.random.uniform([1000], minval=-2.0, maxval=5.0, dtype=tf.float64))
    assert w.dtype == np.float64 and w.min() >= -2 and w.max() < 5
    i = tf.random.uniform([10000], minval=3, maxval=7, dtype=tf.int32)
    assert i.dtype == tf.int32
    assert set(np.unique(_np(i))) == {3, 4, 5, 6}
    assert tf.random.uniform([2], maxval=10, dtype=tf.int64).dtype == tf.int64


def test_truncated_normal_within_two_stddev():
    tf.random.set_seed(0)
    t = _np(tf.random.truncated_normal([50000], mean=1.0, stddev=0.5))
    assert t.dtype == np.float32
    assert t.min() >= 0.0 and t.max() <= 2.0
    assert abs(t.mean() - 1.0) < 0.01
    assert abs(t.std() - 0.5 * 0.8796) < 0.01      # std of N(0,1) truncated at ±2


def test_shuffle_permutes_first_axis():
    x = np.arange(20).reshape(10, 2)
    tf.random.set_seed(3)
    s = _np(tf.random.shuffle(tf.constant(x)))
    assert s.shape == (10, 2)
    assert sorted(s[:, 0].tolist()) == list(range(0, 20, 2))
    np.testing.assert_array_equal(s[:, 1], s[:, 0] + 1)      # rows stay whole
    tf.random.set_seed(3)
    np.testing.assert_array_equal(_np(tf.random.shuffle(tf.constant(x))), s)


def test_categorical():
    tf.random.set_seed(0)
    logits = tf.math.log(tf.constant([[0.1, 0.2, 0.7], [1.0, 0.0, 0.0]]))
    s = tf.random.categorical(logits, 20000)
    assert s.dtype == tf.int64 and s.shape == (2, 20000)
    freq = np.bincount(_np(s)[0], minlength=3) / 20000
    np.testing.assert_allclose(freq, [0.1, 0.2, 0.7], atol=0.015)
    assert (_np(s)[1] == 0).all()                             # -inf logits never drawn
    assert tf.random.categorical(logits, 3, dtype=tf.int32).dtype == tf.int32


def test_gamma_and_poisson():
    tf.random.set_seed(0)
    g = tf.random.gamma([20000], alpha=[2.0, 5.0], beta=2.0)
    assert g.shape == (20000, 2) and g.dtype == tf.float32
    np.testing.assert_allclose(_np(g).mean(0), [1.0, 2.5], rtol=0.03)
    p = tf.random.poisson([20000], lam=3.0)
    assert p.shape == (20000,) and p.dtype == tf.float32
    assert abs(_np(p).mean() - 3.0) < 0.05


def test_random_ops_record_no_gradient_but_tensor_params_do():
    mean = tf.Variable(1.0)
    std = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        x = tf.random.normal([1000], mean=mean, stddev=std, seed=1)
        loss = tf.reduce_sum(x)
    dm, ds = tape.gradient(loss, [mean, std])
    np.testing.assert_allclose(_np(dm), 1000.0)
    np.testing.assert_allclose(_np(ds), (_np(x) - 1.0).sum() / 2.0, rtol=1e-4)


# -- argument errors ---------------------------------------------------------------------------

def test_argument_errors():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.random.normal([-1, 2])
    with pytest.raises(TypeError, match="Cannot convert 0.0"):   # as TensorFlow
        tf.random.normal([2], dtype=tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="'T' of float"):
        tf.random.uniform([2.5])
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be a vector"):
        tf.random.normal([[2]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="'dtype' of bool"):
        tf.random.poisson([2], 1.0, dtype=tf.bool)
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype tf.int32"):
        tf.random.uniform([2], dtype=tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need minval < maxval: 5 >= 5"):
        tf.random.uniform([2], minval=5, maxval=5, dtype=tf.int32)
    with pytest.raises(ValueError):
        tf.random.uniform([2], maxval=3, dtype=tf.string)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.random.categorical(tf.constant([1.0, 2.0]), 2)


# -- stateless ---------------------------------------------------------------------------------

def test_stateless_same_seed_same_values():
    a = tf.random.stateless_normal([3, 2], seed=[1, 2])
    b = tf.random.stateless_normal([3, 2], seed=tf.constant([1, 2], tf.int64))
    np.testing.assert_array_equal(_np(a), _np(b))
    assert a.dtype == tf.float32
    assert not np.array_equal(_np(a), _np(tf.random.stateless_normal([3, 2], seed=[1, 3])))
    u = tf.random.stateless_uniform([1000], seed=[4, 5], minval=1.0, maxval=2.0)
    np.testing.assert_array_equal(_np(u), _np(tf.random.stateless_uniform(
        [1000], seed=[4, 5], minval=1.0, maxval=2.0)))
    assert _np(u).min() >= 1 and _np(u).max() < 2
    i = tf.random.stateless_uniform([5], seed=[1, 1], minval=0, maxval=3, dtype=tf.int32)
    assert i.dtype == tf.int32 and set(_np(i)) <= {0, 1, 2}
    full = tf.random.stateless_uniform([4], seed=[1, 1], minval=None, maxval=None,
                                       dtype=tf.uint32)
    assert full.dtype == tf.uint32
    t = _np(tf.random.stateless_truncated_normal([1000], seed=[0, 9]))
    assert np.abs(t).max() <= 2
    c = tf.random.stateless_categorical(tf.zeros([2, 4]), 5, seed=[3, 3])
    assert c.shape == (2, 5) and c.dtype == tf.int64


def test_stateless_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"shape \[2\]"):
        tf.random.stateless_normal([2], seed=[1, 2, 3])
    with pytest.raises(ValueError, match="both None"):
        tf.random.stateless_uniform([2], seed=[1, 2], dtype=tf.int32)


# -- Generator -----------------------------------------------------------------------------------

def test_generator_reproducible_and_advancing():
    g1 = tf.random.Generator.from_seed(42)
    g2 = tf.random.Generator.from_seed(42)
    a = _np(g1.normal([5]))
    np.testing.assert_array_equal(_np(g2.normal([5])), a)
    assert not np.array_equal(_np(g1.normal([5])), a)          # the state advanced
    assert not np.array_equal(_np(tf.random.Generator.from_seed(43).normal([5])), a)
    u = g1.uniform([1000], minval=2, maxval=4, dtype=tf.int64)
    assert u.dtype == tf.int64 and set(np.unique(_np(u))) == {2, 3}
    assert g1.uniform([3]).dtype == tf.float32
    t = _np(g1.truncated_normal([1000], stddev=2.0))
    assert np.abs(t).max() <= 4.0
    with pytest.raises(ValueError):
        g1.uniform([2], dtype=tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError):
        g1.normal([-3])


def test_generator_state_copy_split_and_seeds():
    g = tf.random.Generator.from_seed(1)
    state = g.state
    assert state.dtype == tf.int64 and state.shape == (3,)
    clone = tf.random.Generator.from_state(state, alg="philox")
    copy = tf.random.Generator(copy_from=g)
    first = _np(g.normal([4]))
    np.testing.assert_array_equal(_np(clone.normal([4])), first)
    np.testing.assert_array_equal(_np(copy.normal([4])), first)
    seeds = g.make_seeds(3)
    assert seeds.shape == (2, 3) and seeds.dtype == tf.int64
    children = g.split(2)
    assert len(children) == 2
    c0, c1 = _np(children[0].normal([4])), _np(children[1].normal([4]))
    assert not np.array_equal(c0, c1)
    h = tf.random.Generator.from_seed(1)
    h.normal([4])
    h.make_seeds(3)
    np.testing.assert_array_equal(_np(h.split(2)[0].normal([4])), c0)   # splitting repeats
    g.reset_from_seed(1)
    np.testing.assert_array_equal(_np(g.normal([4])), first)


def test_global_generator():
    g = tf.random.get_global_generator()
    assert isinstance(g, tf.random.Generator)
    assert tf.random.get_global_generator() is g
    mine = tf.random.Generator.from_seed(9)
    tf.random.set_global_generator(mine)
    try:
        assert tf.random.get_global_generator() is mine
    finally:
        tf.random.set_global_generator(g)
    nd1 = _np(tf.random.Generator.from_non_deterministic_state().normal([4]))
    nd2 = _np(tf.random.Generator.from_non_deterministic_state().normal([4]))
    assert not np.array_equal(nd1, nd2)


def test_array_valued_parameters_broadcast():
    tf.random.set_seed(0)
    x = _np(tf.random.normal([3], mean=[0.0, 10.0, 100.0], stddev=np.array([1.0, 1.0, 0.0])))
    assert x[2] == 100.0 and abs(x[1] - 10.0) < 6
    u = _np(tf.random.uniform([1000, 2], minval=[0.0, 5.0], maxval=[1.0, 6.0]))
    assert (u[:, 0] < 1).all() and (u[:, 1] >= 5).all() and (u[:, 1] < 6).all()


def test_half_precision_and_scalar_shapes():
    assert tf.random.uniform([3], dtype=tf.float16).dtype == tf.float16
    assert tf.random.truncated_normal([3], dtype=tf.float16).dtype == tf.float16
    assert tf.random.uniform([]).shape == ()
    assert tf.random.normal(()).shape == ()


def test_generator_state_is_a_live_variable():
    g = tf.random.Generator.from_seed(3)
    assert isinstance(g.state, tf.Variable) and not g.state.trainable
    saved = g.state.numpy()
    a = _np(g.uniform([3]))
    assert not np.array_equal(g.state.numpy(), saved)          # drawing advanced it
    g.state.assign(saved)                                      # rewinding replays
    np.testing.assert_array_equal(_np(g.uniform([3])), a)
    g.reset(saved)
    g.skip(10)
    assert not np.array_equal(_np(g.uniform([3])), a)


def test_degenerate_parameters_as_tensorflow():
    g = tf.random.gamma([4], [-1.0, 0.0, 2.0], seed=3).numpy()
    assert np.isnan(g[:, 0]).all() and (g[:, 1] == np.finfo(np.float32).tiny).all()
    assert (g[:, 2] > 0).all()
    b = tf.random.Generator.from_seed(1).binomial([50, 3], counts=[5.0, -1.0, 3.0],
                                                  probs=[0.5, 0.5, 1.5]).numpy()
    assert b.dtype == np.int32 and (b[:, 1] == 0).all() and (b[:, 2] == 3).all()
    assert b[:, 0].max() <= 5
    with pytest.raises(tf.errors.InvalidArgumentError, match="'dtype' of float"):
        tf.random.Generator.from_seed(1).uniform_full_int([2], dtype=tf.float32)
    with pytest.raises(tf.errors.UnimplementedError):
        tf.random.Generator.from_seed("a")
    with pytest.raises(ValueError, match="Accepted dtypes"):
        tf.random.categorical(tf.zeros([1, 2]), 2, dtype=tf.float32)
