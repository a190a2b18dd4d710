"""tf.train.Checkpoint: keys, save/write/restore/read, deferred restore, load statuses."""
import os

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras


class _Net(tf.Module):
    def __init__(self):
        super().__init__()
        self.a = tf.Variable(1.0, name="a")
        self.l = [tf.Variable(2.0), {"x": tf.Variable(3.0), "b": tf.Variable(4)}]
        self.t = (tf.Variable(5.0),)
        self.sub = tf.Module(name="inner")
        self.sub.w = tf.Variable([1.0, 2.0])


def test_module_keys_are_attribute_paths(tmp_path):
    tf.train.Checkpoint(m=_Net()).write(str(tmp_path / "mod"))
    assert tf.train.list_variables(str(tmp_path / "mod")) == [
        ("_CHECKPOINTABLE_OBJECT_GRAPH", []),
        ("m/a/.ATTRIBUTES/VARIABLE_VALUE", []),
        ("m/l/0/.ATTRIBUTES/VARIABLE_VALUE", []),
        ("m/l/1/b/.ATTRIBUTES/VARIABLE_VALUE", []),
        ("m/l/1/x/.ATTRIBUTES/VARIABLE_VALUE", []),
        ("m/sub/w/.ATTRIBUTES/VARIABLE_VALUE", [2]),
        ("m/t/0/.ATTRIBUTES/VARIABLE_VALUE", [])]
    assert sorted(os.listdir(tmp_path)) == ["mod.data-00000-of-00001", "mod.index"]


def test_save_numbers_and_restore(tmp_path):
    v = tf.Variable([1.0, 2.0])
    ck = tf.train.Checkpoint(v=v)
    assert int(ck.save_counter.numpy()) == 0
    assert ck.save(str(tmp_path / "c")) == str(tmp_path / "c-1")
    v.assign([7.0, 8.0])
    path = ck.save(str(tmp_path / "c"))
    assert path == str(tmp_path / "c-2")
    assert (tmp_path / "checkpoint").read_text() == (
        'model_checkpoint_path: "c-2"\nall_model_checkpoint_paths: "c-2"\n')
    assert tf.train.latest_checkpoint(str(tmp_path)) == path
    w = tf.Variable([0.0, 0.0])
    ck2 = tf.train.Checkpoint(v=w)
    status = ck2.restore(path)
    np.testing.assert_array_equal(w.numpy(), [7.0, 8.0])
    assert int(ck2.save_counter.numpy()) == 2
    assert status.assert_consumed() is status
    assert status.assert_existing_objects_matched() is status
    # save continues the restored numbering
    assert ck2.save(str(tmp_path / "c")) == str(tmp_path / "c-3")


def test_read_does_not_consume_the_save_counter(tmp_path):
    ck = tf.train.Checkpoint(v=tf.Variable(1.0))
    path = ck.save(str(tmp_path / "c"))
    status = tf.train.Checkpoint(v=tf.Variable(0.0)).read(path)
    status.assert_existing_objects_matched()
    with pytest.raises(AssertionError, match=r"Unresolved object in checkpoint \(root\)"
                                             r"\.save_counter"):
        status.assert_consumed()
    status.expect_partial()


def test_deferred_restore_on_attribute_assignment(tmp_path):
    path = tf.train.Checkpoint(v=tf.Variable([1.0, 2.0])).save(str(tmp_path / "c"))
    ck = tf.train.Checkpoint()
    status = ck.restore(path)
    with pytest.raises(AssertionError, match=r"\(root\)\.v"):
        status.assert_consumed()
    ck.v = tf.Variable([0.0, 0.0])
    np.testing.assert_array_equal(ck.v.numpy(), [1.0, 2.0])
    status.assert_consumed()


def test_deferred_restore_into_a_module_attribute(tmp_path):
    m = tf.Module()
    m.w = tf.Variable(3.0)
    path = tf.train.Checkpoint(model=m).write(str(tmp_path / "m"))
    m2 = tf.Module()
    status = tf.train.Checkpoint(model=m2).read(path)
    m2.w = tf.Variable(0.0)
    assert float(m2.w.numpy()) == 3.0
    status.assert_existing_objects_matched()


def test_shape_and_dtype_mismatches_raise_tf_errors(tmp_path):
    path = tf.train.Checkpoint(v=tf.Variable([1.0, 2.0])).write(str(tmp_path / "c"))
    with pytest.raises(ValueError, match=r"Received incompatible tensor with shape \(2,\) when "
                                         r"attempting to restore variable with shape \(3,\)"):
        tf.train.Checkpoint(v=tf.Variable([0.0, 0.0, 0.0])).read(path)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="expected dtype int32 does not equal original dtype float"):
        tf.train.Checkpoint(v=tf.Variable([0, 0])).read(path)


def test_errors_for_missing_files_and_untrackable_values(tmp_path):
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files"):
        tf.train.Checkpoint(v=tf.Variable(1.0)).restore(str(tmp_path / "nothere"))
    with pytest.raises(ValueError, match="was expecting v to be a trackable object"):
        tf.train.Checkpoint(v=3)
    assert tf.train.latest_checkpoint(str(tmp_path / "nowhere")) is None
    status = tf.train.Checkpoint().restore(None)
    with pytest.raises(AssertionError, match="No checkpoint specified"):
        status.assert_consumed()


def test_unmatched_python_variable_fails_existing_objects_matched(tmp_path):
    path = tf.train.Checkpoint(v=tf.Variable(1.0)).write(str(tmp_path / "c"))
    status = tf.train.Checkpoint(v=tf.Variable(0.0), extra=tf.Variable(2.0)).read(path)
    with pytest.raises(AssertionError, match="Found 1 Python objects that were not bound to "
                                             "checkpointed values"):
        status.assert_existing_objects_matched()


def _model():
    keras.utils.set_random_seed(1)
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                             keras.layers.BatchNormalization(), keras.layers.Dense(1)])


def test_keras_model_and_optimizer_keys_match_tensorflow(tmp_path):
    x = np.random.RandomState(0).rand(8, 3).astype("float32")
    model = _model()
    opt = keras.optimizers.Adam()
    model.compile(opt, "mse")
    model.fit(x, x[:, :1], verbose=0)
    path = tf.train.Checkpoint(model=model, optimizer=opt, step=tf.Variable(3)).save(
        str(tmp_path / "ckpt"))
    keys = [k for k, _ in tf.train.list_variables(str(tmp_path))]
    # The names TensorFlow 2.21 + Keras 3.15 write for the same program.
    assert keys[:4] == ["_CHECKPOINTABLE_OBJECT_GRAPH",
                        "model/_functional/_operations/2/moving_mean/.ATTRIBUTES/VARIABLE_VALUE",
                        "model/_functional/_operations/2/moving_variance/.ATTRIBUTES/"
                        "VARIABLE_VALUE",
                        "optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE"]
    assert "optimizer/_trainable_variables/0/.ATTRIBUTES/VARIABLE_VALUE" in keys
    assert "optimizer/_variables/13/.ATTRIBUTES/VARIABLE_VALUE" in keys
    assert keys[-2:] == ["save_counter/.ATTRIBUTES/VARIABLE_VALUE",
                         "step/.ATTRIBUTES/VARIABLE_VALUE"]
    assert path.endswith("ckpt-1")


def test_restore_into_unbuilt_model_and_optimizer_resumes_training_exactly(tmp_path):
    x = np.random.RandomState(0).rand(16, 3).astype("float32")
    y = x.sum(1, keepdims=True)
    model, opt = _model(), keras.optimizers.Adam(0.01)
    model.compile(opt, "mse")
    model.fit(x, y, epochs=2, verbose=0)
    path = tf.train.Checkpoint(model=model, optimizer=opt).save(str(tmp_path / "c"))
    model.fit(x, y, epochs=1, verbose=0)
    expected = model.predict(x, verbose=0)

    fresh = keras.Sequential([keras.layers.Dense(4, activation="relu"),
                              keras.layers.BatchNormalization(), keras.layers.Dense(1)])
    fresh_opt = keras.optimizers.Adam(0.01)
    status = tf.train.Checkpoint(model=fresh, optimizer=fresh_opt).restore(path)
    fresh.compile(fresh_opt, "mse")
    fresh.fit(x, y, epochs=1, verbose=0)  # builds the model, then the optimizer's slots
    np.testing.assert_allclose(fresh.predict(x, verbose=0), expected, rtol=1e-6)
    status.assert_consumed()


def test_subclassed_model_lists_and_layers_built_later(tmp_path):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.d1 = keras.layers.Dense(2)
            self.blocks = [keras.layers.Dense(2), keras.layers.Dense(3)]

        def call(self, x):
            return self.blocks[1](self.blocks[0](self.d1(x)))
    net = Net()
    x = np.ones((1, 2), "float32")
    out = net(x)
    path = tf.train.Checkpoint(net=net).write(str(tmp_path / "n"))
    keys = [k for k, _ in tf.train.list_variables(path)]
    assert "net/d1/_kernel/.ATTRIBUTES/VARIABLE_VALUE" in keys
    assert "net/blocks/1/bias/.ATTRIBUTES/VARIABLE_VALUE" in keys
    net2 = Net()
    status = tf.train.Checkpoint(net=net2).read(path)
    np.testing.assert_array_equal(net2(x).numpy(), out.numpy())  # restored at build
    status.assert_consumed()


def test_checkpoint_reader(tmp_path):
    path = tf.train.Checkpoint(v=tf.Variable([[1, 2]], dtype=tf.int64)).write(
        str(tmp_path / "r"))
    reader = tf.train.load_checkpoint(path)
    key = "v/.ATTRIBUTES/VARIABLE_VALUE"
    assert reader.has_tensor(key)
    graph = "_CHECKPOINTABLE_OBJECT_GRAPH"  # TensorFlow lists the object graph too
    assert reader.get_variable_to_shape_map() == {key: [1, 2], graph: []}
    assert reader.get_variable_to_dtype_map() == {key: tf.int64, graph: tf.string}
    assert isinstance(reader.get_tensor(graph), bytes)
    np.testing.assert_array_equal(reader.get_tensor(key), [[1, 2]])
    np.testing.assert_array_equal(tf.train.load_variable(path, key), [[1, 2]])


def test_failed_save_leaves_previous_checkpoint_intact(tmp_path, monkeypatch):
    ck = tf.train.Checkpoint(v=tf.Variable([1.0]))
    path = ck.write(str(tmp_path / "c"))
    before = {n: (tmp_path / n).read_bytes() for n in os.listdir(tmp_path)}
    from tapeflow.tracking import tensor_bundle

    def fail(*args):
        raise MemoryError("simulated")
    monkeypatch.setattr(tensor_bundle, "crc32c", fail)  # fails while encoding
    with pytest.raises(MemoryError):
        ck.write(path)
    assert {n: (tmp_path / n).read_bytes() for n in os.listdir(tmp_path)} == before


def test_string_variables_round_trip(tmp_path):
    path = tf.train.Checkpoint(a=tf.Variable(["ab", "c"]), s=tf.Variable("x")).write(
        str(tmp_path / "s"))
    a, s = tf.Variable(["", ""]), tf.Variable("")
    tf.train.Checkpoint(a=a, s=s).read(path).assert_consumed()
    assert a.numpy().tolist() == [b"ab", b"c"] and s.numpy() == b"x"


def test_containers_as_checkpoint_values_round_trip(tmp_path):
    items = [tf.Variable(1.0), {"a": tf.Variable([2.0])}]
    path = tf.train.Checkpoint(items=items).write(str(tmp_path / "c"))
    assert [k for k, _ in tf.train.list_variables(path)][1:] == [
        "items/0/.ATTRIBUTES/VARIABLE_VALUE", "items/1/a/.ATTRIBUTES/VARIABLE_VALUE"]
    fresh = [tf.Variable(0.0), {"a": tf.Variable([0.0])}]
    tf.train.Checkpoint(items=fresh).read(path).assert_consumed()
    assert float(fresh[0].numpy()) == 1.0 and fresh[1]["a"].numpy().tolist() == [2.0]
    with pytest.raises(ValueError, match="was expecting m to be a trackable object"):
        tf.train.Checkpoint(m=keras.metrics.Mean())
