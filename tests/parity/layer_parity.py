"""Shared check for the layer parity tests: one layer built in tapeflow and in Keras 3 on the
same input, the real layer's weights copied into tapeflow's, then everything a user sees
compared (outputs, shapes, weight paths/counts, count_params, configs)."""
import numpy as np

import tapeflow as tf  # noqa: F401  (the library under test)
from tapeflow import keras


def plain(value):
    """Returns ``value`` with tuples made lists (configs compare by content)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def as_list(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def fresh(rkeras):
    """Starts a fresh session on both sides, so automatic layer names agree."""
    rkeras.backend.clear_session()
    keras.backend.clear_session()


def build_pair(rkeras, make, inputs, **call_kwargs):
    """Returns ``(real, mine)``: ``make(keras_module)`` on both sides, called once on
    ``inputs``, with the real layer's weights copied into tapeflow's."""
    real = make(rkeras)
    real(inputs, **call_kwargs)
    mine = make(keras)
    mine(inputs, **call_kwargs)
    mine.set_weights(real.get_weights())
    return real, mine


def assert_same_outputs(real_out, mine_out, rtol=1e-5, atol=1e-5):
    real_out, mine_out = as_list(real_out), as_list(mine_out)
    assert len(real_out) == len(mine_out)
    for r, m in zip(real_out, mine_out):
        r, m = np.asarray(r), np.asarray(m)
        assert m.shape == r.shape
        assert m.dtype == r.dtype
        np.testing.assert_allclose(m, r, rtol=rtol, atol=atol)


def config_of(layer):
    """Returns the layer's config as plain lists, without its (session-dependent) name."""
    config = plain(layer.get_config())
    config.pop("name")
    return config


def paths_of(layer):
    """Returns the weights' paths with the layer's own (session-dependent) name as ``L``."""
    return [w.path.replace(layer.name, "L", 1) for w in layer.weights]


def assert_same_weights(real, mine):
    assert paths_of(mine) == paths_of(real)
    assert [tuple(w.shape) for w in mine.weights] == [tuple(w.shape) for w in real.weights]
    assert [w.name for w in mine.trainable_weights] == [w.name for w in real.trainable_weights]
    assert ([w.name for w in mine.non_trainable_weights]
            == [w.name for w in real.non_trainable_weights])
    assert mine.count_params() == real.count_params()


def check_layer(rkeras, make, inputs, training=False, rtol=1e-5, atol=1e-5, config=True,
                shapes=None):
    """Builds ``make`` on both sides and asserts they agree; returns ``(real, mine)``."""
    real, mine = build_pair(rkeras, make, inputs)
    assert_same_outputs(real(inputs, training=False), mine(inputs, training=False), rtol, atol)
    assert_same_weights(real, mine)
    if shapes is None:
        shapes = ([tuple(np.shape(x)) for x in inputs] if isinstance(inputs, list)
                  else tuple(np.shape(inputs)))
    assert plain(mine.compute_output_shape(shapes)) == plain(real.compute_output_shape(shapes))
    if config:
        assert config_of(mine) == config_of(real)
    if training:
        assert_same_outputs(real(inputs, training=True), mine(inputs, training=True), rtol, atol)
        for r, m in zip(real.get_weights(), mine.get_weights()):
            np.testing.assert_allclose(m, r, rtol=rtol, atol=atol)
    return real, mine


def data(*shape, seed=0, dtype="float32"):
    """Returns a reproducible standard-normal array."""
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def check_symbolic_and_config(rkeras, make, x):
    """Asserts Keras's exact config (values, types and printed key order, before and after a
    symbolic call), the symbolic output shape and dtype on ``keras.Input``s, the layer's repr
    and a ``from_config`` round trip agree."""
    real, mine = make(rkeras), make(keras)
    assert list(mine.get_config())[1:] == list(real.get_config())[1:]
    if isinstance(x, list):
        real_in = [rkeras.Input(batch_shape=(None,) + a.shape[1:]) for a in x]
        mine_in = [keras.Input(batch_shape=(None,) + a.shape[1:]) for a in x]
    else:
        dtype = str(x.dtype)
        real_in = rkeras.Input(batch_shape=(None,) + x.shape[1:], dtype=dtype)
        mine_in = keras.Input(batch_shape=(None,) + x.shape[1:], dtype=dtype)
    real_out, mine_out = as_list(real(real_in)), as_list(mine(mine_in))
    assert [tuple(t.shape) for t in mine_out] == [tuple(t.shape) for t in real_out]
    assert [t.dtype for t in mine_out] == [t.dtype for t in real_out]
    real_config, mine_config = real.get_config(), mine.get_config()
    real_config.pop("name"), mine_config.pop("name")
    assert mine_config == real_config
    assert repr(mine).replace(mine.name, "L") == repr(real).replace(real.name, "L")
    assert (type(mine).from_config(mine.get_config()).get_config()
            == mine.get_config() | {"name": mine.get_config()["name"]})
