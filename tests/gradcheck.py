"""Directional finite-difference gradient checks (first and second order), in float64.

    check_grads(f, [x, y], order=2)

``f`` takes Tensors and returns a Tensor. For random directions ``u`` (inputs)
and ``v`` (output), the check compares ``<v, (f(x+eps u) - f(x-eps u)) / 2eps>``
with ``<vjp(v), u>`` where ``vjp`` comes from GradientTape. Order 2 applies the
same check to the function ``x -> <vjp(v), w>`` built with nested tapes.
"""
import numpy as np

import tapeflow as tf


def _as64(a):
    return np.asarray(a, dtype=np.float64)


def _vdot(a, b):
    return float(np.sum(_as64(a) * _as64(b)))


def numeric_dir_deriv(f, xs, us, eps=1e-6):
    """Returns the central difference of ``f`` at ``xs`` along directions ``us``."""
    plus = f(*[tf.constant(x + eps * u) for x, u in zip(xs, us)])
    minus = f(*[tf.constant(x - eps * u) for x, u in zip(xs, us)])
    return (_as64(plus) - _as64(minus)) / (2 * eps)


def vjp(f, xs, v):
    """Returns the gradients of ``<v, f(xs)>`` wrt each of ``xs`` (zeros where None)."""
    ts = [tf.constant(x) for x in xs]
    with tf.GradientTape() as tape:
        for t in ts:
            tape.watch(t)
        out = f(*ts)
    gs = tape.gradient(out, ts, output_gradients=[tf.constant(v)])
    return [np.zeros_like(x) if g is None else _as64(tf.convert_to_tensor(g))
            for x, g in zip(xs, gs)]


def check_grads(f, args, order=2, rtol=1e-5, atol=1e-6, seed=0, name=None):
    """Checks reverse-mode gradients of ``f`` against central differences.

    Args:
      f: function of Tensors returning one Tensor.
      args: list of float64 NumPy arrays (the point to check at).
      order: 1 or 2.

    Raises:
      AssertionError: naming the op, shapes, both values and the seed on mismatch.
    """
    rng = np.random.RandomState(seed)
    xs = [_as64(a) for a in args]
    out = _as64(f(*[tf.constant(x) for x in xs]))
    us = [rng.standard_normal(x.shape) for x in xs]
    v = rng.standard_normal(out.shape)
    numeric = _vdot(v, numeric_dir_deriv(f, xs, us))
    analytic = sum(_vdot(g, u) for g, u in zip(vjp(f, xs, v), us))
    label = name or getattr(f, "__name__", "f")
    assert np.isclose(numeric, analytic, rtol=rtol, atol=atol), (
        f"first-order gradient mismatch for {label} at shapes {[x.shape for x in xs]}: "
        f"numeric {numeric!r} vs analytic {analytic!r} (seed {seed})")
    if order >= 2:
        ws = [rng.standard_normal(x.shape) for x in xs]

        def g(*ts):
            # <vjp(v), w> as a differentiable function of the inputs
            with tf.GradientTape() as tape:
                for t in ts:
                    tape.watch(t)
                o = f(*ts)
            grads = tape.gradient(o, list(ts), output_gradients=[tf.constant(v)])
            total = tf.constant(0.0, dtype=tf.float64)
            for gr, w in zip(grads, ws):
                if gr is not None:
                    total = total + tf.reduce_sum(tf.convert_to_tensor(gr) * tf.constant(w))
            return total

        check_grads(g, xs, order=order - 1, rtol=rtol * 10, atol=atol * 10, seed=seed + 1,
                    name=f"d/dx {label}")
