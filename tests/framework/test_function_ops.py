"""Traced and eager give identical results: every row of the op table, and random programs.

Each traced function is called first on one sample (the trace) and then on another (a
replay), so an op that escaped the recording hook would show up as a stale value.
"""
import importlib.util
import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tapeflow as tf

_spec = importlib.util.spec_from_file_location(
    "_op_table", os.path.join(os.path.dirname(__file__), "..", "ops", "test_op_table.py"))
_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_table)
TABLE = _table.TABLE


def _close(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("row", TABLE, ids=[r.name for r in TABLE])
def test_op_table_row_traced_equals_eager(row):
    f = tf.function(row.fn)
    first = [tf.constant(a) for a in _table._args(row, seed=0)]
    second = [tf.constant(a) for a in _table._args(row, seed=1)]
    _close(f(*first).numpy(), row.fn(*first).numpy())
    _close(f(*second).numpy(), row.fn(*second).numpy())
    # the gradient through a traced call is the eager gradient
    floats = [t for t in second if t.dtype.is_floating]
    with tf.GradientTape() as tape:
        tape.watch(floats)
        y = tf.reduce_sum(f(*second))
    with tf.GradientTape() as tape2:
        tape2.watch(floats)
        y2 = tf.reduce_sum(row.fn(*second))
    for g, g2 in zip(tape.gradient(y, floats), tape2.gradient(y2, floats)):
        if g2 is None:
            assert g is None
        else:
            _close(tf.convert_to_tensor(g).numpy(), tf.convert_to_tensor(g2).numpy())


UNARY = [tf.sin, tf.tanh, tf.nn.relu, tf.math.sigmoid, tf.square, tf.abs, tf.exp,
         lambda x: tf.transpose(x), lambda x: x[1:], lambda x: tf.reduce_sum(x, 0, True),
         lambda x: tf.nn.softmax(x), lambda x: tf.cumsum(x, axis=1),
         lambda x: tf.reverse(x, [0]), lambda x: tf.where(x > 0, x, 0.5 * x),
         lambda x: tf.reshape(x, [-1, 2]) if x.shape.num_elements() % 2 == 0 else x,
         lambda x: tf.concat([x, x], 0), lambda x: tf.clip_by_value(x, -0.5, 0.5),
         lambda x: tf.cast(tf.argmax(x, axis=0), x.dtype),
         lambda x: tf.gather(x, [0, 0], axis=1) if x.shape[1] else x,
         lambda x: tf.tile(x, [1, 2]), lambda x: tf.math.reduce_max(x, 1, keepdims=True)]
BINARY = [tf.add, tf.subtract, tf.multiply, tf.maximum,
          lambda a, b: tf.matmul(a, tf.transpose(b)), lambda a, b: a * 2.0 - b]


def _program(steps):
    def run(x, y):
        pool = [x, y]
        for kind, i, j, k in steps:
            a = pool[i % len(pool)]
            if kind == 0 or len(pool) < 2:
                out = UNARY[k % len(UNARY)](a)
            else:
                b = pool[j % len(pool)]
                if a.shape != b.shape:
                    b = tf.ones_like(a)
                out = BINARY[k % len(BINARY)](a, b)
            if out.shape.rank != 2 or 0 in out.shape or out.shape.num_elements() > 4096:
                out = a
            pool.append(out)
        return pool[-1], tf.reduce_sum(pool[-1] * pool[-1])
    return run


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 20), st.integers(0, 20),
                          st.integers(0, 40)), min_size=1, max_size=8),
       st.integers(1, 4), st.integers(1, 4))
def test_random_programs_traced_equal_eager(steps, n, m):
    prog = _program(steps)
    f = tf.function(prog)
    rng = np.random.default_rng(n * 7 + m)
    for _ in range(2):
        x = tf.constant(rng.normal(size=(n, m)))
        y = tf.constant(rng.normal(size=(n, m)))
        for a, b in zip(f(x, y), prog(x, y)):
            _close(a.numpy(), b.numpy())
    assert f.experimental_get_tracing_count() == 1


_SWEEP_INPUTS = {
    "vec": lambda rng: rng.uniform(0.1, 2, 6).astype(np.float32),
    "mat": lambda rng: (rng.uniform(0.1, 2, (4, 4)) + 3 * np.eye(4)).astype(np.float32),
    "img": lambda rng: rng.uniform(0, 1, (1, 4, 4, 3)).astype(np.float32),
    "ivec": lambda rng: rng.integers(0, 4, 6).astype(np.int32),
}
_NOT_PURE = {"function", "print", "py_function", "numpy_function", "Variable", "constant",
             "convert_to_tensor"}


def _one_arg_callables():
    seen, out = set(), []
    for mod in (tf, tf.math, tf.nn, tf.linalg, tf.image):
        for name in dir(mod):
            fn = getattr(mod, name, None)
            if name.startswith("_") or name in _NOT_PURE or "random" in name or \
                    "dropout" in name or not callable(
                    fn) or isinstance(fn, type) or id(fn) in seen:
                continue
            seen.add(id(fn))
            out.append((f"{mod.__name__}.{name}", fn))
    return out


def _num(a):
    """An array to compare: complex results (``tf.complex``, ``tf.signal``) stay complex."""
    return a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)


def test_every_one_argument_callable_traced_equals_eager():
    """Each public callable of tf, tf.math, tf.nn, tf.linalg and tf.image that accepts one
    of the sample tensors gives the eager result when replayed on another sample."""
    rng = np.random.default_rng(0)
    checked, wrong = 0, []
    for name, fn in _one_arg_callables():
        for gen in _SWEEP_INPUTS.values():
            try:
                with np.errstate(all="ignore"):
                    if not isinstance(fn(tf.constant(gen(rng))), tf.Tensor):
                        break
            except Exception:  # noqa: BLE001 - not applicable to this input
                continue
            f = tf.function(lambda x, fn=fn: fn(x))
            with np.errstate(all="ignore"):
                f(tf.constant(gen(rng)))
                b = tf.constant(gen(rng))
                got, want = f(b).numpy(), fn(b).numpy()
            checked += 1
            if got.shape != want.shape or not np.allclose(
                    _num(got), _num(want), rtol=1e-5, equal_nan=True):
                wrong.append(name)
            break
    assert checked > 100 and not wrong, wrong


_PAIRS = {
    "vv": lambda rng: (rng.uniform(0.1, 2, 6).astype(np.float32),
                       rng.uniform(0.1, 2, 6).astype(np.float32)),
    "mm": lambda rng: (rng.uniform(0.1, 2, (4, 4)).astype(np.float32),
                       rng.uniform(0.1, 2, (4, 4)).astype(np.float32)),
    "vi": lambda rng: (rng.uniform(0.1, 2, 6).astype(np.float32),
                       rng.integers(0, 4, 6).astype(np.int32)),
    "v_scalar": lambda rng: (rng.uniform(0.1, 2, 6).astype(np.float32),
                             np.int32(rng.integers(1, 4))),
    "m_axis": lambda rng: (rng.uniform(0.1, 2, (4, 3)).astype(np.float32),
                           np.int32(rng.integers(0, 2))),
    "ii": lambda rng: (rng.integers(0, 4, 6).astype(np.int32),
                       rng.integers(0, 4, 6).astype(np.int32)),
}
_HIGHER_ORDER = {"cond", "while_loop", "map_fn", "scan", "foldl", "foldr", "vectorized_map",
                 "switch_case", "case"}


def test_every_two_argument_callable_traced_equals_eager():
    """The same for public callables taking two tensors (values, indices, counts, shapes):
    three replays on new samples give the eager results."""
    rng = np.random.default_rng(0)
    checked, wrong = 0, []
    for name, fn in _one_arg_callables():
        if name.rsplit(".", 1)[1] in _HIGHER_ORDER:
            continue
        for gen in _PAIRS.values():
            try:
                with np.errstate(all="ignore"):
                    if not isinstance(fn(*map(tf.constant, gen(rng))), tf.Tensor):
                        break
            except Exception:  # noqa: BLE001 - not applicable to these inputs
                continue
            f = tf.function(lambda x, y, fn=fn: fn(x, y))
            with np.errstate(all="ignore"):
                try:
                    f(*map(tf.constant, gen(rng)))
                except Exception:  # noqa: BLE001 - these values are invalid for fn
                    continue
                for _ in range(3):
                    a, b = map(tf.constant, gen(rng))
                    try:
                        want = fn(a, b).numpy()
                    except Exception:  # noqa: BLE001 - these values are invalid for fn
                        continue
                    got = f(a, b).numpy()
                    if got.shape != want.shape or not np.allclose(
                            _num(got), _num(want), rtol=1e-5,
                            equal_nan=True):
                        wrong.append(name)
                        break
            checked += 1
            break
    assert checked > 80 and not wrong, wrong
