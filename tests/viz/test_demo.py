"""``tapeflow demo``: files, GIF frames, convergence and repeatability."""
import subprocess
import sys

import pytest

pytest.importorskip("matplotlib", reason="the viz extra (matplotlib) is not installed")
Image = pytest.importorskip("PIL.Image", reason="the viz extra (Pillow) is not installed")

from tapeflow.viz.demo import run_demo  # noqa: E402


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    r = subprocess.run([sys.executable, "-m", "tapeflow", "demo", "--out", str(out),
                        "--steps", "40", "--seed", "3"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    return out, r.stdout


def test_prints_the_loss_at_every_step(demo_run):
    _, stdout = demo_run
    lines = [ln for ln in stdout.splitlines() if ln.startswith("Loss at step")]
    assert len(lines) == 40
    assert lines[0].startswith("Loss at step 0: ")
    final = float(lines[-1].split(": ")[1])
    assert final < 0.05


def test_every_file_exists_and_opens(demo_run):
    out, _ = demo_run
    for name in ("data.png", "loss.png", "predictions.png"):
        with Image.open(out / name) as im:
            assert im.format == "PNG" and im.size[0] > 300
    with Image.open(out / "training.gif") as im:
        assert im.format == "GIF"
        assert im.n_frames == 40
    page = (out / "index.html").read_text()
    for name in ("data.png", "loss.png", "predictions.png", "training.gif"):
        assert name in page
    assert "Final loss" in page and "accuracy" in page


def test_same_seed_same_bytes(demo_run, tmp_path):
    out, _ = demo_run
    result = run_demo(out=str(tmp_path), steps=40, seed=3, gif=False)
    assert result["loss"] < 0.05 and result["accuracy"] > 0.95
    for name in ("data.png", "loss.png", "predictions.png"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name
    assert not (tmp_path / "training.gif").exists()
