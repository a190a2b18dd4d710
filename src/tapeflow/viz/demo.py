"""``tapeflow demo``: the chapter-3 linear classifier, its plots, animation and a page.

The training code is ``examples/linear_classifier.py``, a plain script written
against the TensorFlow API; this module only draws what it produced.
"""
import html
import os
import runpy

import numpy as np

from tapeflow.viz._deps import pyplot
from tapeflow.viz.animation import make_gif

_COLORS = {"A": "tab:blue", "B": "tab:orange", "right": "green", "wrong": "red"}


def example_path():
    """Returns the path of ``examples/linear_classifier.py`` (searched from the source tree).

    Raises:
      ImportError: if the examples folder is not beside the installed sources.
    """
    here = os.path.dirname(os.path.abspath(__file__))
    for up in (2, 3):
        root = here
        for _ in range(up):
            root = os.path.dirname(root)
        cand = os.path.join(root, "examples", "linear_classifier.py")
        if os.path.isfile(cand):
            return cand
    raise ImportError("examples/linear_classifier.py was not found: run the demo from a "
                      "checkout installed with `pip install -e \".[viz]\"`")


def _line(params, xs):
    w, b = params
    w = np.asarray(w).reshape(-1)
    b = float(np.asarray(b).reshape(-1)[0])
    return -w[0] / w[1] * xs + (0.5 - b) / w[1]


def _plot_data(plt, inputs, labels, n, path):
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.scatter(inputs[:n, 0], inputs[:n, 1], s=8, color=_COLORS["A"], label="class A (0)")
    ax.scatter(inputs[n:, 0], inputs[n:, 1], s=8, color=_COLORS["B"], label="class B (1)")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("Two classes of synthetic points")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _plot_loss(plt, losses, path):
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(np.arange(len(losses)), losses, "o-", markersize=3, label="training loss (MSE)")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_yscale("log")
    ax.set_title(f"Loss per step (final {losses[-1]:.4f})")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


class _PredictionFigure:
    """One figure whose artists are updated per step (points' colours, line, title)."""

    def __init__(self, plt, inputs):
        self.fig, self.ax = plt.subplots(figsize=(6, 5))
        self.points = self.ax.scatter(inputs[:, 0], inputs[:, 1], s=8, color="gray")
        self.xs = np.linspace(-3, 6, 100)
        (self.line,) = self.ax.plot([], [], color="black", lw=2, label="decision line")
        self.ax.set_xlim(-3, 6)
        self.ax.set_ylim(-3, 6)
        self.ax.set_xlabel("x")
        self.ax.set_ylabel("y")
        from matplotlib.lines import Line2D
        self.ax.legend(handles=[
            Line2D([], [], marker="o", ls="", color=_COLORS["right"], label="correct"),
            Line2D([], [], marker="o", ls="", color=_COLORS["wrong"], label="wrong"),
            self.line], loc="upper right")
        self.title = self.ax.set_title("Step 00: accuracy 100.0%")  # sizes the layout
        self.fig.tight_layout()

    def update(self, correct, params, title):
        self.points.set_color(np.where(correct[:, None], [[0.0, 0.5, 0.0, 1.0]],
                                       [[0.85, 0.0, 0.0, 1.0]]))
        self.line.set_data(self.xs, _line(params, self.xs))
        self.title.set_text(title)

    def frame(self):
        """Returns the current state as an image, redrawing only the moving artists (blitting)."""
        from PIL import Image
        canvas = self.fig.canvas
        moving = (self.points, self.line, self.title)
        if getattr(self, "_background", None) is None:
            for a in moving:
                a.set_animated(True)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        canvas.restore_region(self._background)
        self.ax.draw_artist(self.points)
        self.ax.draw_artist(self.line)
        self.fig.draw_artist(self.title)
        rgba = np.asarray(canvas.buffer_rgba())
        return Image.fromarray(rgba[..., :3].copy(), "RGB")

    def finish(self):
        """Makes the moving artists part of normal drawing again (for savefig)."""
        for a in (self.points, self.line, self.title):
            a.set_animated(False)


def run_demo(out="tapeflow-demo", steps=40, learning_rate=0.1, samples=1000, seed=0, gif=True):
    """Trains the linear classifier and writes data/loss/predictions PNGs, a GIF and a page.

    Returns:
      A dict with the final ``loss``, ``accuracy`` and the written ``files``.
    """
    example = runpy.run_path(example_path())
    inputs, labels = example["make_data"](samples=samples, seed=seed)
    result = example["train"](inputs, labels, steps=steps, learning_rate=learning_rate,
                              seed=seed, verbose=True)
    losses = [float(v) for v in result["losses"]]
    params = result["params"]          # (W, b) after each step
    preds = result["predictions"]      # model outputs after each step
    inputs = np.asarray(inputs)
    truth = np.asarray(labels).reshape(-1) > 0.5
    plt = pyplot()
    os.makedirs(out, exist_ok=True)
    files = {}
    files["data"] = os.path.join(out, "data.png")
    _plot_data(plt, inputs, labels, samples, files["data"])
    files["loss"] = os.path.join(out, "loss.png")
    _plot_loss(plt, losses, files["loss"])
    figure = _PredictionFigure(plt, inputs)
    figure.fig.set_dpi(64)  # GIF frames: small and quick to draw
    accs = []
    frames = []
    for step, (p, pred) in enumerate(zip(params, preds)):
        correct = (np.asarray(pred).reshape(-1) > 0.5) == truth
        accs.append(float(np.mean(correct)))
        if gif or step == len(params) - 1:
            figure.update(correct, p, f"Step {step}: accuracy {accs[-1]:.1%}")
        if gif:
            frames.append(figure.frame())
    figure.finish()
    figure.title.set_text(f"Predictions after {len(params)} steps: accuracy {accs[-1]:.1%}")
    files["predictions"] = os.path.join(out, "predictions.png")
    figure.fig.savefig(files["predictions"], dpi=100)
    plt.close(figure.fig)
    if gif:
        files["gif"] = make_gif(frames, os.path.join(out, "training.gif"), duration=0.25)
    files["html"] = os.path.join(out, "index.html")
    _write_page(files, losses[-1], accs[-1], steps, learning_rate, samples, seed)
    print(f"Final loss: {losses[-1]:.4f}, accuracy: {accs[-1]:.1%}")
    print(f"Wrote {', '.join(os.path.basename(f) for f in files.values())} to {out}")
    return {"loss": losses[-1], "accuracy": accs[-1], "files": files}


def _write_page(files, loss, acc, steps, lr, samples, seed):
    def img(key, alt):
        if key not in files:
            return ""
        return (f'<figure><img src="{html.escape(os.path.basename(files[key]))}" '
                f'alt="{alt}"><figcaption>{alt}</figcaption></figure>')
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tapeflow demo: linear classifier</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}
figure{{display:inline-block;margin:1em}}img{{max-width:28em}}</style></head>
<body><h1>Linear classifier trained with GradientTape</h1>
<p>{samples} points per class, {steps} full-batch steps, learning rate {lr}, seed {seed}.</p>
<p><strong>Final loss: {loss:.4f}</strong> &middot; <strong>accuracy: {acc:.1%}</strong></p>
{img("data", "The two classes")}
{img("loss", "Loss per step")}
{img("predictions", "Predictions and the separating line")}
{img("gif", "Training, step by step (green: correct, red: wrong)")}
</body></html>
"""
    tmp = files["html"] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(tmp, files["html"])
