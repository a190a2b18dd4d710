"""keras/dtype_policies.py: float policies and their (de)serialization."""
from tapeflow import keras


def test_mixed_policy_dtypes_and_round_trip():
    p = keras.dtype_policies.DTypePolicy("mixed_float16")
    assert (p.compute_dtype, p.variable_dtype) == ("float16", "float32")
    again = keras.dtype_policies.deserialize(keras.dtype_policies.serialize(
        keras.dtype_policies.DTypePolicy("mixed_bfloat16")))
    assert again.name == "mixed_bfloat16" and again.compute_dtype == "bfloat16"
