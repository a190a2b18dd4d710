"""Static plots: training curves and 2-D decision boundaries."""
import numpy as np

from tapeflow.viz._deps import pyplot


def _history_dict(history):
    h = getattr(history, "history", history)
    if not isinstance(h, dict):
        raise TypeError(f"plot_history() expects a History or its dict; received {history!r}")
    return h


def plot_history(history, metrics=None, to_file=None):
    """Plots loss and metrics per epoch, training against validation.

    Args:
      history: a ``History`` returned by ``fit``, or its ``history`` dict.
      metrics: names to plot (default: every key without a ``val_`` prefix).
      to_file: if given, the figure is saved there (PNG).

    Returns:
      The matplotlib Figure.

    Raises:
      ValueError: if a requested metric is not in the history.
    """
    h = _history_dict(history)
    names = list(metrics) if metrics is not None else [k for k in h if not k.startswith("val_")]
    for n in names:
        if n not in h:
            raise ValueError(f"Metric {n!r} is not in the history; available: {sorted(h)}")
    plt = pyplot()
    fig, axes = plt.subplots(1, max(len(names), 1), figsize=(5 * max(len(names), 1), 4),
                             squeeze=False)
    for ax, n in zip(axes[0], names):
        epochs = np.arange(1, len(h[n]) + 1)
        ax.plot(epochs, h[n], "o-", label=f"training {n}")
        if "val_" + n in h:
            ax.plot(np.arange(1, len(h["val_" + n]) + 1), h["val_" + n], "s--",
                    label=f"validation {n}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(n)
        ax.set_title(f"{n} per epoch")
        ax.legend()
        ax.grid(alpha=0.3)
    fig.tight_layout()
    if to_file:
        fig.savefig(to_file)
    return fig


def predict_classes(model_or_fn, points, threshold=0.5):
    """Returns integer class predictions of a model or function on 2-D points."""
    points = np.asarray(points, dtype=np.float32)
    if hasattr(model_or_fn, "predict"):
        out = model_or_fn.predict(points, verbose=0)
    else:
        out = model_or_fn(points)
    out = np.asarray(out)
    if out.ndim == 2 and out.shape[1] > 1:
        return np.argmax(out, axis=1)
    return (out.reshape(len(points)) > threshold).astype(np.int64)


def grid_for(x, resolution=150, margin=0.5):
    """Returns ``(xx, yy, points)``: a grid covering the 2-D points ``x``."""
    x = np.asarray(x)
    lo = x.min(axis=0) - margin
    hi = x.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    return xx, yy, np.stack([xx.ravel(), yy.ravel()], axis=1)


def plot_decision_boundary(model_or_fn, x, y, to_file=None, resolution=150, threshold=0.5):
    """Plots the predicted regions of a 2-D classifier with the data on top.

    Args:
      model_or_fn: a Keras model (its ``predict`` is used) or a function of an
        ``(n, 2)`` array returning probabilities ``(n,)``/``(n, 1)`` or class scores ``(n, k)``.
      x: ``(n, 2)`` inputs; y: ``(n,)`` or ``(n, 1)`` integer labels.
      to_file: if given, the figure is saved there (PNG).

    Returns:
      The matplotlib Figure.
    """
    x = np.asarray(x)
    labels = np.asarray(y).reshape(len(x)).astype(np.int64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary() needs 2-D points of shape (n, 2); "
                         f"received shape {x.shape}")
    plt = pyplot()
    xx, yy, grid = grid_for(x, resolution)
    regions = predict_classes(model_or_fn, grid, threshold).reshape(xx.shape)
    fig, ax = plt.subplots(figsize=(6, 5))
    n_classes = int(max(regions.max(), labels.max())) + 1
    ax.contourf(xx, yy, regions, levels=np.arange(n_classes + 1) - 0.5, cmap="coolwarm",
                alpha=0.25)
    for k in range(n_classes):
        sel = labels == k
        ax.scatter(x[sel, 0], x[sel, 1], s=12, label=f"class {k}",
                   color=plt.get_cmap("coolwarm")(k / max(n_classes - 1, 1)))
    acc = float(np.mean(predict_classes(model_or_fn, x, threshold) == labels))
    ax.set_title(f"Decision regions (accuracy {acc:.1%})")
    ax.set_xlabel("x[0]")
    ax.set_ylabel("x[1]")
    ax.legend()
    fig.tight_layout()
    if to_file:
        fig.savefig(to_file)
    return fig
