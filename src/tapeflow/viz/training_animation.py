"""``TrainingAnimation``: a Keras callback that films a 2-D classifier while it trains."""
import numpy as np

from tapeflow.keras.callbacks import Callback
from tapeflow.viz._deps import pyplot
from tapeflow.viz.animation import figure_to_image, make_gif
from tapeflow.viz.plots import grid_for, predict_classes


class TrainingAnimation(Callback):
    """Records the decision boundary and accuracy during ``fit``; writes a GIF at the end.

    One figure is created; each frame updates its artists (the region image, the
    point colours, the title) rather than drawing a new figure.

    Args:
      x: ``(n, 2)`` inputs to draw; y: their integer labels.
      to_file: where the GIF goes (written when training ends).
      every: ``"epoch"`` or ``"batch"``: when a frame is taken.
      fps: frames per second of the GIF.
      resolution: grid points per axis for the regions.
      predict_fn: optional function used instead of ``self.model`` (custom loops).
    """

    def __init__(self, x, y, to_file="training.gif", every="epoch", fps=5, resolution=80,
                 predict_fn=None):
        super().__init__()
        if every not in ("epoch", "batch"):
            raise ValueError(f"`every` must be 'epoch' or 'batch'; received every={every!r}")
        self.x = np.asarray(x, dtype=np.float32)
        if self.x.ndim != 2 or self.x.shape[1] != 2:
            raise ValueError(f"TrainingAnimation needs 2-D points of shape (n, 2); received "
                             f"shape {self.x.shape}")
        self.y = np.asarray(y).reshape(len(self.x)).astype(np.int64)
        self.to_file = to_file
        self.every = every
        self.fps = fps
        self.predict_fn = predict_fn
        self.frames = []
        self._xx, self._yy, self._grid = grid_for(self.x, resolution)
        self._fig = None

    def _setup(self):
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(5, 4.5))
        extent = (self._xx.min(), self._xx.max(), self._yy.min(), self._yy.max())
        self._image = ax.imshow(np.zeros(self._xx.shape), origin="lower", extent=extent,
                                cmap="coolwarm", vmin=0, vmax=1, alpha=0.3, aspect="auto")
        self._points = ax.scatter(self.x[:, 0], self.x[:, 1], s=10, c="gray")
        self._title = ax.set_title("")
        ax.set_xlabel("x[0]")
        ax.set_ylabel("x[1]")
        from matplotlib.lines import Line2D
        ax.legend(handles=[Line2D([], [], marker="o", ls="", color="green", label="correct"),
                           Line2D([], [], marker="o", ls="", color="red", label="wrong")],
                  loc="upper right")
        fig.tight_layout()
        self._fig = fig

    def _predict(self, points):
        fn = self.predict_fn if self.predict_fn is not None else self.model
        return predict_classes(fn, points)

    def record(self, step):
        """Takes one frame now, labelled with ``step``; returns the accuracy on ``x``."""
        if self._fig is None:
            self._setup()
        regions = self._predict(self._grid).reshape(self._xx.shape)
        pred = self._predict(self.x)
        correct = pred == self.y
        acc = float(np.mean(correct))
        self._image.set_data(regions.astype(np.float32))
        self._points.set_color(np.where(correct[:, None], [[0.0, 0.6, 0.0, 1.0]],
                                        [[0.85, 0.0, 0.0, 1.0]]))
        self._title.set_text(f"{self.every} {step}: accuracy {acc:.1%}")
        self.frames.append(figure_to_image(self._fig))
        return acc

    def on_epoch_end(self, epoch, logs=None):
        if self.every == "epoch":
            self.record(epoch + 1)

    def on_train_batch_end(self, batch, logs=None):
        if self.every == "batch":
            self.record(len(self.frames) + 1)

    def on_train_end(self, logs=None):
        self.save()

    def save(self, to_file=None):
        """Writes the recorded frames as a GIF; returns its path (None if no frames)."""
        if not self.frames:
            return None
        path = make_gif(self.frames, to_file or self.to_file, duration=1.0 / self.fps)
        if self._fig is not None:
            pyplot().close(self._fig)
            self._fig = None
        return path
