"""Plots and training animations (needs the ``viz`` extra: matplotlib and Pillow).

    plot_history(history)                      loss and metrics per epoch
    plot_decision_boundary(model, x, y)        predicted regions of a 2-D classifier
    TrainingAnimation(x, y, "training.gif")    a Keras callback that records a GIF
    make_gif(frames, "out.gif")                frames (arrays or images) to a GIF
"""
import importlib

_NAMES = {
    "plot_history": "tapeflow.viz.plots",
    "plot_decision_boundary": "tapeflow.viz.plots",
    "make_gif": "tapeflow.viz.animation",
    "figure_to_image": "tapeflow.viz.animation",
    "TrainingAnimation": "tapeflow.viz.training_animation",
}


def __getattr__(name):
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tapeflow.viz' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_NAMES))
