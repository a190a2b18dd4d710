"""tracking/sm_proto.py: SavedModel protobuf messages encoded and parsed back."""
import numpy as np
import pytest

from tapeflow.tracking import sm_proto as P
from tapeflow.tracking import tensor_bundle as tb


def test_tensor_and_shape_round_trip():
    v = np.array([[1.5, 2.0], [3.0, -4.0]], np.float32)
    back = P.parse_tensor(P.tensor_proto(v))
    assert back.dtype == np.float32
    np.testing.assert_array_equal(back, v)
    assert P.parse_shape(P.shape_proto([None, 3])) == [None, 3]


def test_attrs_and_structured_values_round_trip():
    assert P.parse_attr(P.attr_int(-3)) == -3
    assert P.parse_attr(P.attr_ints([1, 2])) == [1, 2]
    value = {"a": (1, 2.5, "x"), "b": [None, True]}
    assert P.parse_structured(P.structured(value)) == value


def test_dtype_enums_match_tensorflow():
    assert P.dt_enum(np.float32) == 1 and P.dt_enum(np.int64) == 9
    assert P.np_dtype(1) == np.float32
    with pytest.raises(tb._Bad):
        P.np_dtype(9999)
