"""tf.train.CheckpointManager and tf.train.latest_checkpoint, as TensorFlow 2.21 behaves."""
import os

import numpy as np
import pytest

import tapeflow as tf


def test_manager_numbers_keeps_and_deletes(tmp_path):
    v = tf.Variable(1.0)
    ck = tf.train.Checkpoint(v=v)
    ck.save(str(tmp_path / "a" / "c"))
    ck.save(str(tmp_path / "a" / "c"))
    d = str(tmp_path / "b")
    m = tf.train.CheckpointManager(ck, d, max_to_keep=2)
    assert m.latest_checkpoint is None and m.checkpoints == [] and m.directory == d
    # numbering continues the checkpoint's save_counter (2 saves above)
    assert [m.save() for _ in range(4)] == [os.path.join(d, f"ckpt-{i}") for i in (3, 4, 5, 6)]
    assert m.save(checkpoint_number=100) == os.path.join(d, "ckpt-100")
    assert m.checkpoints == [os.path.join(d, "ckpt-6"), os.path.join(d, "ckpt-100")]
    assert sorted(os.listdir(d)) == ["checkpoint", "ckpt-100.data-00000-of-00001",
                                     "ckpt-100.index", "ckpt-6.data-00000-of-00001",
                                     "ckpt-6.index"]
    state = (tmp_path / "b" / "checkpoint").read_text().splitlines()
    assert state[:3] == ['model_checkpoint_path: "ckpt-100"',
                         'all_model_checkpoint_paths: "ckpt-6"',
                         'all_model_checkpoint_paths: "ckpt-100"']
    assert [s.split(":")[0] for s in state[3:]] == [
        "all_model_checkpoint_timestamps", "all_model_checkpoint_timestamps",
        "last_preserved_timestamp"]
    assert tf.train.latest_checkpoint(d) == os.path.join(d, "ckpt-100")


def test_manager_recovers_state_and_restores(tmp_path):
    d = str(tmp_path)
    v = tf.Variable([1.0, 2.0])
    m = tf.train.CheckpointManager(tf.train.Checkpoint(v=v), d, max_to_keep=None)
    m.save()
    v.assign([5.0, 6.0])
    m.save()
    w = tf.Variable([0.0, 0.0])
    m2 = tf.train.CheckpointManager(tf.train.Checkpoint(v=w), d, max_to_keep=3,
                                    checkpoint_name="model")
    assert m2.checkpoints == [os.path.join(d, "ckpt-1"), os.path.join(d, "ckpt-2")]
    assert m2.restore_or_initialize() == os.path.join(d, "ckpt-2")
    np.testing.assert_array_equal(w.numpy(), [5.0, 6.0])
    assert m2.save() == os.path.join(d, "model-3")


def test_restore_or_initialize_calls_init_fn_without_checkpoints(tmp_path):
    called = []
    m = tf.train.CheckpointManager(tf.train.Checkpoint(v=tf.Variable(1.0)), str(tmp_path),
                                   max_to_keep=1, init_fn=lambda: called.append(1))
    assert m.restore_or_initialize() is None and called == [1]


def test_checkpoint_interval(tmp_path):
    step = tf.Variable(0, dtype=tf.int64)
    m = tf.train.CheckpointManager(tf.train.Checkpoint(step=step), str(tmp_path),
                                   max_to_keep=5, step_counter=step, checkpoint_interval=10)
    assert m.save() is not None
    step.assign(5)
    assert m.save() is None
    step.assign(10)
    assert m.save() is not None
    assert m.save(check_interval=False) is not None
    with pytest.raises(ValueError, match="step_counter"):
        tf.train.CheckpointManager(tf.train.Checkpoint(), str(tmp_path), 1,
                                   checkpoint_interval=3)
    with pytest.raises(ValueError, match="max_to_keep"):
        tf.train.CheckpointManager(tf.train.Checkpoint(), str(tmp_path), 0)


def test_latest_checkpoint_ignores_a_state_file_pointing_nowhere(tmp_path):
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "ckpt-9"\n')
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
