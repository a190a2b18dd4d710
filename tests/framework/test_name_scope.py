"""tapeflow.framework.name_scope: tf.name_scope prefixes and variable names."""
import pytest

import tapeflow as tf
from tapeflow.framework import name_scope as ns


def test_nested_absolute_and_reset_scopes():
    assert ns.current_prefix() == ""
    with tf.name_scope("outer") as outer:
        assert outer == "outer/"
        with tf.name_scope("inner") as inner:
            assert inner == "outer/inner/"
            v = tf.Variable(1.0, name="w")
            assert v.name == "outer/inner/w:0"
            with tf.name_scope("abs/") as a:
                assert a == "abs/"
            with tf.name_scope("") as top:
                assert top == ""
            assert ns.current_prefix() == "outer/inner/"
    assert ns.current_prefix() == ""


def test_scope_restored_after_exception_and_name_must_be_str():
    with pytest.raises(RuntimeError):
        with tf.name_scope("boom"):
            raise RuntimeError("x")
    assert ns.current_prefix() == ""
    with pytest.raises(ValueError, match="must be a string"):
        tf.name_scope(3)
