"""A layer test harness in the spirit of Keras's ``run_layer_test``.

One call checks: eager output shape and dtype, weight counts, the symbolic
call (KerasTensor shapes with a None batch), the config round trip, the
get_weights/set_weights round trip, that one training step changes the
weights, and a finite-difference gradient check (first and second order) of
the output with respect to the input and the trainable weights (in float64).
"""
import numpy as np

import tapeflow as tf
from gradcheck import check_grads
from tapeflow import keras


def _as_shape(shape):
    return tuple(shape)


def run_layer_test(layer_cls, init_kwargs=None, input_shape=(2, 3), input_dtype="float32",
                   input_data=None, expected_output_shape=None, expected_output_dtype="float32",
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   expected_output=None, grad_order=2, call_kwargs=None,
                   rtol=1e-5, atol=1e-6, check_serialization=True):
    """Runs the standard checks on ``layer_cls(**init_kwargs)``; returns the eager output."""
    init_kwargs = dict(init_kwargs or {})
    call_kwargs = dict(call_kwargs or {})
    rng = np.random.RandomState(0)
    multi = isinstance(input_shape, list)
    shapes = input_shape if multi else [input_shape]
    if input_data is None:
        datas = [rng.uniform(-1.0, 1.0, s).astype(input_dtype) if "float" in input_dtype
                 else rng.randint(0, 5, s).astype(input_dtype) for s in shapes]
    else:
        datas = input_data if multi else [input_data]
    x = datas if multi else datas[0]

    # Eager: lazy build on first call, output shape/dtype, weight counts.
    layer = layer_cls(**init_kwargs)
    assert not layer.built
    y = layer(x, **call_kwargs)
    assert layer.built
    if expected_output_shape is not None:
        assert tuple(y.shape) == _as_shape(expected_output_shape), (y.shape,
                                                                   expected_output_shape)
    assert y.dtype.name == expected_output_dtype, y.dtype
    assert len(layer.trainable_weights) == expected_num_trainable_weights
    assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights
    assert len(layer.weights) == (expected_num_trainable_weights
                                  + expected_num_non_trainable_weights)
    if expected_output is not None:
        np.testing.assert_allclose(y.numpy(), expected_output, rtol=1e-5, atol=1e-6)

    # Symbolic call: same shape with an unknown batch size.
    sym_layer = layer_cls(**init_kwargs)
    ins = [keras.Input(shape=s[1:], dtype=input_dtype) for s in shapes]
    out = sym_layer(ins if multi else ins[0], **call_kwargs)
    assert isinstance(out, keras.KerasTensor)
    if expected_output_shape is not None:
        assert out.shape == (None,) + _as_shape(expected_output_shape)[1:], out.shape
    assert out.dtype == expected_output_dtype

    # Config round trip.
    config = layer.get_config()
    clone = layer_cls.from_config(config)
    assert clone.get_config() == config
    # Weights round trip: the rebuilt layer gives the same output.
    clone(x, **call_kwargs)
    clone.set_weights(layer.get_weights())
    for a, b in zip(clone.get_weights(), layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(clone(x, **call_kwargs).numpy(), layer(x, **call_kwargs).numpy(),
                               rtol=1e-6, atol=1e-6)
    # Serialization through keras.layers.serialize/deserialize.
    if check_serialization:
        restored = keras.layers.deserialize(keras.layers.serialize(layer))
        assert type(restored) is layer_cls

    # One training step (gradient of a loss, then SGD) changes the trainable weights.
    if layer.trainable_weights:
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(layer(x, **call_kwargs)))
        grads = tape.gradient(loss, layer.trainable_weights)
        before = [w.numpy().copy() for w in layer.trainable_weights]
        for w, g in zip(layer.trainable_weights, grads):
            if g is not None:
                w.assign_sub(0.1 * tf.convert_to_tensor(g))
        changed = [not np.array_equal(b, w.numpy())
                   for b, w in zip(before, layer.trainable_weights)]
        assert any(changed), "a training step changed nothing"

    # Gradient check in float64 wrt input and trainable weights.
    if grad_order and "float" in input_dtype:
        layer64 = layer_cls(**dict(init_kwargs, dtype="float64"))
        x64 = [d.astype(np.float64) for d in datas]
        layer64(x64 if multi else x64[0], **call_kwargs)
        weights = layer64.trainable_weights
        n_in = len(x64)

        def f(*ts):
            ins_, ws = ts[:n_in], ts[n_in:]
            for v, w in zip(weights, ws):
                v._tensor = w
            return layer64(list(ins_) if multi else ins_[0], **call_kwargs)
        args = x64 + [np.array(w.numpy(), dtype=np.float64) for w in weights]
        check_grads(f, args, order=grad_order, rtol=rtol, atol=atol,
                    name=layer_cls.__name__)
    return y
