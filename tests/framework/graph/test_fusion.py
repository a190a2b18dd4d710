"""framework/graph/fusion.py: elementwise chains write into their dead input's buffer
(``out=``) in a replay, with results bit-identical to eager and no array a user can see
ever written."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import tapeflow as tf

_UNARY = [tf.negative, tf.square, tf.abs, tf.exp]      # exp: not in the out= table
_BINARY = [tf.add, tf.subtract, tf.multiply, tf.maximum, tf.minimum]


def _program(steps):
    """Returns ``f(x, y, c)`` running ``steps`` (a random elementwise program) and
    returning some of its intermediates."""
    def f(x, y, c):
        vals = [x, y, c]
        for kind, a, b, op, keep in steps:
            u, v = vals[a % len(vals)], vals[b % len(vals)]
            vals.append(_UNARY[op % 4](u) if kind == 0 else _BINARY[op % 5](u, v))
        return [vals[-1]] + [v for v, (*_, keep) in zip(vals[3:], steps) if keep]
    return f


_step = st.tuples(st.integers(0, 1), st.integers(0, 40), st.integers(0, 40),
                  st.integers(0, 9), st.booleans())


@settings(max_examples=40, deadline=None)
@given(steps=st.lists(_step, min_size=1, max_size=12), seed=st.integers(0, 2**16),
       shape=st.sampled_from([(5,), (3, 4), (2, 1, 3)]), dtype=st.sampled_from(
           ["float32", "float64", "int32"]))
def test_random_elementwise_programs_replay_bit_identical_to_eager(steps, seed, shape, dtype):
    rng = np.random.default_rng(seed)
    x, y = (rng.normal(size=shape) * 3).astype(dtype), (rng.normal(size=shape) * 3).astype(dtype)
    c = tf.constant((rng.normal(size=shape[-1:]) * 2).astype(dtype))   # broadcast capture
    if dtype == "int32":           # exp has no integer kernel
        steps = [(k, a, b, op if op % 4 != 3 else 0, keep) for k, a, b, op, keep in steps]
    fn = _program(steps)
    traced = tf.function(lambda x, y: fn(x, y, c))
    xt, yt = tf.constant(x), tf.constant(y)
    with np.errstate(over="ignore"):
        eager = [t.numpy() for t in fn(xt, yt, c)]
        for _ in range(3):         # trace, then replays
            got = [t.numpy() for t in traced(xt, yt)]
            assert len(got) == len(eager)
            for g, e in zip(got, eager):
                assert g.dtype == e.dtype and g.shape == e.shape
                np.testing.assert_array_equal(g, e)
    np.testing.assert_array_equal(xt.numpy(), x)       # arguments never written
    np.testing.assert_array_equal(yt.numpy(), y)


def test_a_chain_allocates_once_and_held_tensors_never_change():
    c = tf.constant([1.0, 2.0, 3.0])
    v = tf.Variable([0.5, 0.5, 0.5])

    @tf.function
    def f(x):
        a = x * 2.0             # allocates
        b = a + c               # writes into a
        d = b - v               # writes into b
        return tf.square(d)     # writes into d

    x = tf.constant([1.0, -1.0, 4.0])
    first = f(x)
    kept = first.numpy().copy()
    src = f.get_concrete_function(x).graph.source
    assert src.count("out=") == 3, src
    second = f(x)
    assert first is not second and first.numpy() is not second.numpy()
    np.testing.assert_array_equal(first.numpy(), kept)       # an earlier result unchanged
    np.testing.assert_array_equal(second.numpy(), kept)
    np.testing.assert_array_equal(x.numpy(), [1.0, -1.0, 4.0])
    np.testing.assert_array_equal(c.numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(v.numpy(), [0.5, 0.5, 0.5])


def test_an_intermediate_with_another_reader_or_returned_is_never_written():
    seen = []

    def keep(t):
        seen.append(t)
        return t

    @tf.function
    def f(x):
        a = x * 2.0
        tf.py_function(keep, [a], tf.float32)   # a second reader holds ``a``
        b = a + 1.0
        e = x * 3.0                              # returned: an output
        return b, e, e - 1.0

    x = tf.constant([1.0, 2.0])
    for _ in range(3):
        b, e, g = f(x)
        np.testing.assert_array_equal(b.numpy(), [3.0, 5.0])
        np.testing.assert_array_equal(e.numpy(), [3.0, 6.0])
        np.testing.assert_array_equal(g.numpy(), [2.0, 5.0])
    replayed = seen[1:]                          # seen[0]: the trace's symbolic tensor
    assert len(replayed) >= 2
    assert all(np.array_equal(t.numpy(), [2.0, 4.0]) for t in replayed)


def test_shape_polymorphic_replay_falls_back_when_out_does_not_fit():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32),
                                  tf.TensorSpec([None], tf.float32)])
    def f(x, y):
        return (x * 2.0) + y

    for n, m in [(3, 3), (4, 4), (1, 5), (5, 1), (2, 2)]:
        x = np.arange(n, dtype="float32")
        y = np.arange(m, dtype="float32") + 10
        np.testing.assert_array_equal(f(tf.constant(x), tf.constant(y)).numpy(), x * 2 + y)


def test_scalars_and_dtype_changes_do_not_fuse():
    @tf.function
    def f(x):
        s = tf.reduce_sum(x) * 2.0     # a 0-d result: a NumPy scalar, never an out= target
        return s + 1.0

    x = tf.constant([1.0, 2.0])
    assert float(f(x)) == 7.0 and float(f(x)) == 7.0
    assert "out=" not in f.get_concrete_function(x).graph.source


def test_identity_views_and_variables_arrays_are_never_written():
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]])

    @tf.function
    def f(x):
        a = tf.identity(x) + 1.0         # identity returns the argument's own array
        b = tf.reshape(x * 2.0, [4]) - 1.0   # a view of an intermediate
        c = tf.matmul(x, w) + 1.0        # matmul does not start a chain
        d = tf.identity(w) * 2.0         # the variable's array
        return a, b, c, d

    x0 = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
    x = tf.constant(x0)
    for _ in range(3):
        a, b, c, d = f(x)
        np.testing.assert_array_equal(a.numpy(), x0 + 1)
        np.testing.assert_array_equal(b.numpy(), (x0 * 2).reshape(4) - 1)
        np.testing.assert_array_equal(c.numpy(), x0 @ w.numpy() + 1)
        np.testing.assert_array_equal(d.numpy(), w.numpy() * 2)
    np.testing.assert_array_equal(x.numpy(), x0)
    np.testing.assert_array_equal(w.numpy(), [[1.0, 2.0], [3.0, 4.0]])
