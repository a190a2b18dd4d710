"""tf.Module: names, name scopes, tracking through attributes and containers (TF 2.21's order)."""
import pytest

import tapeflow as tf


class _M(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.z = tf.Variable(1.0, name="z")
        self.l = [tf.Variable(2.0, name="l0"),
                  {"x": tf.Variable(3.0, name="lx"),
                   "b": tf.Variable(4, trainable=False, name="lb")}]
        self.a_sub = tf.Module(name="inner")
        self.a_sub.w = tf.Variable([1.0, 2.0], name="w")
        self.a_sub.deep = tf.Module(name="deep")
        self.t = (tf.Variable(5.0, name="t0"),)
        self.b_sub = tf.Module(name="inner2")


def _names(vs):
    return [v.name for v in vs]


def test_variables_sorted_by_attribute_then_submodules():
    m = _M()
    # Own attributes sorted by name (a_sub, b_sub, l, t, z), dict keys sorted, then the
    # submodules' variables: what TensorFlow 2.21 returns.
    assert _names(m.variables) == ["l0:0", "lb:0", "lx:0", "t0:0", "z:0", "w:0"]
    assert _names(m.trainable_variables) == ["l0:0", "lx:0", "t0:0", "z:0", "w:0"]
    assert _names(m.non_trainable_variables) == ["lb:0"]
    assert [s.name for s in m.submodules] == ["inner", "inner2", "deep"]
    assert isinstance(m.variables, tuple) and isinstance(m.submodules, tuple)


def test_later_appends_and_shared_variables_are_seen_once():
    m = tf.Module()
    v = tf.Variable(1.0)
    m.items = [v]
    m.items.append(tf.Variable(2.0, name="second"))
    m.alias = v
    assert _names(m.variables) == ["Variable:0", "second:0"]


def test_cycles_do_not_recurse_forever():
    a, b = tf.Module(name="a"), tf.Module(name="b")
    a.b, b.a = b, a
    b.v = tf.Variable(1.0)
    assert a.submodules == (b,)
    assert len(a.variables) == 1


def test_default_names_and_validation():
    class MyDenseLayer(tf.Module):
        pass
    assert MyDenseLayer().name == "my_dense_layer"
    assert tf.Module().name == "module"
    for bad in ["a b", "1x", "x/", "", "ok.1"]:
        with pytest.raises(ValueError, match="is not a valid module name"):
            tf.Module(name=bad)


def test_name_scope_and_with_name_scope():
    with tf.name_scope("outer"):
        m = tf.Module(name="mm")
    assert m.name == "mm" and m.name_scope.name == "outer/mm/"

    class Dense(tf.Module):
        @tf.Module.with_name_scope
        def __call__(self, x):
            if not hasattr(self, "w"):
                self.w = tf.Variable(x, name="w")
            return self.w
    d = Dense(name="d")
    assert d(1.0).name == "d/w:0"
    assert Dense.__call__.__name__ == "__call__"


def test_tf_name_scope_prefixes_variables():
    with tf.name_scope("a") as scope:
        assert scope == "a/"
        with tf.name_scope("b") as inner:
            assert inner == "a/b/"
            assert tf.Variable(1.0).name == "a/b/Variable:0"
        with tf.name_scope("/abs/") as absolute:
            assert absolute == "/abs/"
        with tf.name_scope("") as top:
            assert top == ""
    assert tf.Variable(1.0, name="v").name == "v:0"
    with pytest.raises(ValueError, match="must be a string"):
        tf.name_scope(3)


def test_keras_layers_are_not_modules_as_in_keras3():
    from tapeflow import keras
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    assert not isinstance(layer, tf.Module)
    m = tf.Module()
    m.layer = layer
    m.v = tf.Variable(1.0)
    # TF 2.21 + Keras 3: a Module does not look inside Keras layers, nor at keras.Variables.
    assert _names(m.variables) == ["Variable:0"]
    assert not isinstance(layer.kernel, tf.Variable)
