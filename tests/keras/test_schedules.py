"""Learning-rate schedules vs hand-computed values (Keras 3)."""
import math

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.keras.optimizers import schedules


def val(s, step):
    out = s(step)
    assert out.dtype == tf.float32
    return float(out)


def test_exponential_decay():
    s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert val(s, 0) == pytest.approx(0.1)
    assert val(s, 5) == pytest.approx(0.1 * 0.5 ** 0.5, rel=1e-6)
    st = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    assert val(st, 19) == pytest.approx(0.05)
    assert val(st, tf.Variable(20, dtype=tf.int64)) == pytest.approx(0.025)
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)


def test_piecewise_constant():
    s = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [val(s, x) for x in (0, 10, 11, 20, 21)] == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.1])
    with pytest.raises(ValueError, match="1 less than the length of values"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0])


def test_inverse_time_and_polynomial():
    s = schedules.InverseTimeDecay(0.1, decay_steps=1.0, decay_rate=0.5)
    assert val(s, 2) == pytest.approx(0.1 / 2.0)
    p = schedules.PolynomialDecay(0.1, 10, end_learning_rate=0.01, power=2.0)
    assert val(p, 5) == pytest.approx(0.09 * 0.25 + 0.01, rel=1e-6)
    assert val(p, 50) == pytest.approx(0.01)
    c = schedules.PolynomialDecay(0.1, 10, end_learning_rate=0.0, cycle=True)
    assert val(c, 15) == pytest.approx(0.1 * (1 - 15 / 20), rel=1e-6)


def test_cosine_decay_and_warmup():
    s = schedules.CosineDecay(0.1, decay_steps=100, alpha=0.1)
    want = 0.1 * (0.9 * 0.5 * (1 + math.cos(math.pi * 0.25)) + 0.1)
    assert val(s, 25) == pytest.approx(want, rel=1e-6)
    assert val(s, 1000) == pytest.approx(0.01, rel=1e-6)
    w = schedules.CosineDecay(0.0, decay_steps=10, warmup_target=1.0, warmup_steps=10)
    assert val(w, 5) == pytest.approx(0.5)
    assert val(w, 15) == pytest.approx(0.5, rel=1e-6)


def test_config_round_trip():
    s = schedules.CosineDecay(0.1, 100, alpha=0.2)
    d = schedules.serialize(s)
    assert d["class_name"] == "CosineDecay" and d["config"]["alpha"] == 0.2
    s2 = schedules.deserialize(d)
    assert val(s2, 30) == val(s, 30)
    assert np.isclose(val(schedules.ExponentialDecay.from_config(
        schedules.ExponentialDecay(1.0, 2, 0.5).get_config()), 2), 0.5)


def test_cosine_decay_restarts():
    s = schedules.CosineDecayRestarts(1.0, first_decay_steps=10, t_mul=2.0, m_mul=0.5)
    assert val(s, 5) == pytest.approx(0.5, abs=1e-6)            # mid first period
    assert val(s, 10) == pytest.approx(0.5, rel=1e-5)           # restart at m_mul
    assert val(s, 20) == pytest.approx(0.25, rel=1e-5)          # middle of 20-step period
    flat = schedules.CosineDecayRestarts(1.0, 10, t_mul=1.0)
    assert val(flat, 15) == pytest.approx(0.5, abs=1e-6)
    assert schedules.deserialize(schedules.serialize(s)).get_config() == s.get_config()
