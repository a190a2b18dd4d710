"""``keras.callbacks.Callback``: the base class whose hooks ``fit``/``evaluate``/``predict`` call."""


class Callback:
    """Base class for callbacks: override any ``on_*`` hook.

    Attributes:
      params: dict with ``verbose``, ``epochs`` and ``steps`` (steps per epoch).
      model: the model being trained (set by ``fit``).
    """

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        """Stores the training parameters (``verbose``, ``epochs``, ``steps``)."""
        self.params = params

    def set_model(self, model):
        """Stores the model the callback acts on."""
        self._model = model

    @property
    def model(self):
        """Returns the model the callback is attached to."""
        return self._model

    @model.setter
    def model(self, model):
        self._model = model

    # Hooks: all do nothing by default.
    def on_batch_begin(self, batch, logs=None):
        """Alias of ``on_train_batch_begin`` (kept for backward compatibility)."""

    def on_batch_end(self, batch, logs=None):
        """Alias of ``on_train_batch_end`` (kept for backward compatibility)."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch (training only)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch with the epoch's (and validation's) logs."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before each training batch; calls ``on_batch_begin``."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after each training batch with the running metrics; calls ``on_batch_end``."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called before each batch of ``evaluate`` (and of validation)."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after each batch of ``evaluate`` (and of validation)."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before each batch of ``predict``."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after each batch of ``predict`` with ``{"outputs": ...}``."""

    def on_train_begin(self, logs=None):
        """Called once at the start of ``fit``."""

    def on_train_end(self, logs=None):
        """Called once at the end of ``fit`` with the last epoch's logs."""

    def on_test_begin(self, logs=None):
        """Called at the start of ``evaluate`` (and of validation)."""

    def on_test_end(self, logs=None):
        """Called at the end of ``evaluate`` (and of validation)."""

    def on_predict_begin(self, logs=None):
        """Called at the start of ``predict``."""

    def on_predict_end(self, logs=None):
        """Called at the end of ``predict``."""


def print_msg(message, line_break=True):
    """Writes ``message`` to stdout as Keras's ``io_utils.print_msg`` does."""
    import sys
    sys.stdout.write(message + "\n" if line_break else message)
    sys.stdout.flush()


def monitor_op_for(model, monitor, mode, owner):
    """Returns ``(is_better(a, b), maximizing)`` for ``monitor`` under ``mode``.

    ``auto`` minimizes ``loss``/``val_loss`` and otherwise follows the direction of the
    compiled metric of that name ("up" for accuracies, AUC, precision ...), as Keras 3
    decides; there is no guessing from the name.

    Raises:
      ValueError: if the direction cannot be determined (Keras's message).
    """
    if mode == "min":
        return False
    if mode == "max":
        return True
    name = monitor[4:] if monitor.startswith("val_") else monitor
    maximize = False if name == "loss" else None
    for m in _all_metrics(model):
        if getattr(m, "name", None) == name and getattr(m, "_direction", None) in ("up", "down"):
            maximize = m._direction == "up"
    if maximize is None:
        raise ValueError(
            f"{owner} callback received monitor={monitor}, but Keras isn't able to "
            "automatically determine whether that metric should be maximized or minimized. "
            "Pass `mode='max'` in order to monitor based on the highest metric value, or "
            "pass `mode='min'` in order to use the lowest value.")
    return maximize


def _all_metrics(model):
    out = []
    for m in getattr(model, "metrics", None) or []:
        inner = getattr(m, "_flat_metrics", None)
        out.extend(inner() if callable(inner) else [m])
    return out
