"""tapeflow.viz: history plots, decision boundaries and GIFs (files that open with Pillow)."""
import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="the viz extra (matplotlib) is not installed")
Image = pytest.importorskip("PIL.Image", reason="the viz extra (Pillow) is not installed")

from tapeflow import viz  # noqa: E402


def test_plot_history_from_a_dict(tmp_path):
    h = {"loss": [1.0, 0.5, 0.25], "accuracy": [0.5, 0.7, 0.9],
         "val_loss": [1.1, 0.6, 0.4], "val_accuracy": [0.4, 0.6, 0.8]}
    path = tmp_path / "history.png"
    fig = viz.plot_history(h, to_file=str(path))
    assert len(fig.axes) == 2
    assert [line.get_label() for line in fig.axes[0].lines] == ["training loss",
                                                                "validation loss"]
    assert fig.axes[0].get_xlabel() == "epoch"
    with Image.open(path) as im:
        assert im.format == "PNG"


def test_plot_history_rejects_unknown_metric():
    with pytest.raises(ValueError, match="auc"):
        viz.plot_history({"loss": [1.0]}, metrics=["auc"])


def test_plot_decision_boundary_with_a_function(tmp_path):
    x = np.array([[0., 0.], [1., 1.], [0., 1.], [1., 0.]], np.float32)
    y = np.array([0, 1, 1, 0])
    fig = viz.plot_decision_boundary(lambda p: (p[:, 1] > 0.5).astype(np.float32), x, y,
                                     to_file=str(tmp_path / "b.png"))
    assert "accuracy 100.0%" in fig.axes[0].get_title()
    assert (tmp_path / "b.png").exists()


def test_make_gif_writes_all_frames(tmp_path):
    frames = [np.full((8, 10, 3), v, np.uint8) for v in (0, 120, 255)]
    path = viz.make_gif(frames, str(tmp_path / "a.gif"), duration=0.1)
    with Image.open(path) as im:
        assert im.n_frames == 3
        assert im.size == (10, 8)


def test_make_gif_needs_frames(tmp_path):
    with pytest.raises(ValueError, match="at least one frame"):
        viz.make_gif([], str(tmp_path / "a.gif"))
