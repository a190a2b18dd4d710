"""How a layer takes its inputs, against Keras 3: keywords only, first argument of ``call``."""
import numpy as np
import pytest

from tapeflow import keras


def _encoder_class(k):
    class Encoder(k.layers.Layer):
        def call(self, source, padding_mask=None):
            y = source * 2.0
            if padding_mask is not None:
                y = y * k.ops.cast(padding_mask[..., None], y.dtype)
            return y
    return Encoder


X = np.arange(12, dtype="float32").reshape(2, 3, 2)
M = np.array([[1, 1, 0], [1, 0, 0]], bool)


@pytest.mark.parametrize("k_name", ["eager", "symbolic"])
def test_keywords_only_call(rkeras, k_name):
    results = []
    for k in (keras, rkeras):
        enc = _encoder_class(k)()
        if k_name == "eager":
            results.append(np.asarray(enc(source=X, padding_mask=M)))
        else:
            src, mask = k.Input((3, 2)), k.Input((3,), dtype="bool")
            out = enc(source=src, padding_mask=mask)
            assert tuple(out.shape) == (None, 3, 2)
            results.append(np.asarray(k.Model([src, mask], out)([X, M])))
    np.testing.assert_allclose(results[0], results[1])


@pytest.mark.parametrize("kwargs", [{"inputs": X}, {"padding_mask": M}])
def test_keywords_only_call_missing_first_argument(rkeras, kwargs):
    messages = []
    for k in (keras, rkeras):
        with pytest.raises(TypeError) as info:
            _encoder_class(k)()(**kwargs)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
