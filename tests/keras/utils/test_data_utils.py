"""keras.utils.pack_x_y_sample_weight / unpack_x_y_sample_weight, as Keras 3."""
import pytest

from tapeflow import keras


def test_pack():
    assert keras.utils.pack_x_y_sample_weight(1) == 1
    assert keras.utils.pack_x_y_sample_weight([1]) == ([1],)
    assert keras.utils.pack_x_y_sample_weight(1, 2) == (1, 2)
    assert keras.utils.pack_x_y_sample_weight(1, 2, 3) == (1, 2, 3)


def test_unpack():
    assert keras.utils.unpack_x_y_sample_weight(1) == (1, None, None)
    assert keras.utils.unpack_x_y_sample_weight([1, 2]) == (1, 2, None)
    assert keras.utils.unpack_x_y_sample_weight((1, 2, 3)) == (1, 2, 3)
    with pytest.raises(ValueError, match=r"`\(x, y, sample_weight\)`, found: \(1, 2, 3, 4\)"):
        keras.utils.unpack_x_y_sample_weight((1, 2, 3, 4))


def test_backend_dtype_helpers():
    b = keras.backend
    assert [b.standardize_dtype(d) for d in (int, float, bool, str, "int")] == \
        ["int64", "float32", "bool", "string", "int64"]
    assert [b.is_float_dtype(d) for d in ("float16", "bfloat16", "int32", float)] == \
        [True, True, False, True]
    assert [b.is_int_dtype(d) for d in ("uint8", "int64", "bool", int, "float32")] == \
        [True, True, False, True, False]
    assert keras.utils.clear_session is b.clear_session
