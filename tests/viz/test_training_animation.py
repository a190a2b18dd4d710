"""TrainingAnimation: a Keras callback that films a 2-D classifier during fit."""
import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="the viz extra (matplotlib) is not installed")
Image = pytest.importorskip("PIL.Image", reason="the viz extra (Pillow) is not installed")

from tapeflow import keras  # noqa: E402
from tapeflow.viz import TrainingAnimation  # noqa: E402


def _blobs(n=100, seed=0):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal([0, 2], 0.5, (n, 2)), rng.normal([2, 0], 0.5, (n, 2))])
    y = np.concatenate([np.zeros(n), np.ones(n)]).astype("float32")
    return x.astype("float32"), y


def test_records_one_frame_per_epoch_and_writes_a_gif(tmp_path):
    x, y = _blobs()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="binary_crossentropy")
    anim = TrainingAnimation(x, y, to_file=str(tmp_path / "t.gif"), fps=4, resolution=20)
    model.fit(x, y, epochs=3, batch_size=50, verbose=0, callbacks=[anim])
    assert len(anim.frames) == 3
    with Image.open(tmp_path / "t.gif") as im:
        assert im.n_frames == 3
    assert anim.record(99) > 0.9  # the blobs are separable: the model has learned them


def test_custom_loop_with_a_predict_function(tmp_path):
    x, y = _blobs(30)
    anim = TrainingAnimation(x, y, to_file=str(tmp_path / "c.gif"), every="batch",
                             predict_fn=lambda p: (p[:, 0] > p[:, 1]).astype("float32"),
                             resolution=10)
    assert anim.record(1) == 1.0
    anim.record(2)
    assert anim.save() == str(tmp_path / "c.gif")
    with Image.open(tmp_path / "c.gif") as im:
        assert im.n_frames == 2


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="every"):
        TrainingAnimation(np.zeros((2, 2)), [0, 1], every="step")
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        TrainingAnimation(np.zeros((2, 3)), [0, 1])
