"""``keras.callbacks.ReduceLROnPlateau``."""
import warnings

import numpy as np

from tapeflow.keras.callbacks.callback import Callback, monitor_op_for, print_msg


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by ``factor`` when ``monitor`` stops improving.

    Adds ``learning_rate`` to each epoch's logs.

    Args:
      monitor: the logged quantity to watch.
      factor: new_lr = lr * factor (must be < 1).
      patience: epochs without improvement before reducing.
      verbose: 1 prints a message on each reduction.
      mode: ``"auto"``, ``"min"`` or ``"max"``.
      min_delta: threshold for measuring a new optimum.
      cooldown: epochs to wait after a reduction before resuming normal operation.
      min_lr: lower bound on the learning rate.

    Raises:
      ValueError: if ``factor >= 1``.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__()
        self.monitor = monitor
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. "
                             f"Received factor={factor}")
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0
        self.best = None
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"ReduceLROnPlateau mode '{mode}' is unknown, fallback to auto mode.",
                          stacklevel=2)
            mode = "auto"
        self.mode = mode
        self._maximize = None   # decided at the first epoch end, once the metrics are built
        self._reset()

    def _reset(self):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def _better(self, a, b):
        if b is None:
            return True
        return a > b + self.min_delta if self._maximize else a < b - self.min_delta

    def on_epoch_end(self, epoch, logs=None):
        if self._maximize is None:
            self._maximize = monitor_op_for(self.model, self.monitor, self.mode,
                                            "ReduceLROnPlateau")
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(np.asarray(optimizer.learning_rate))
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` "
                          "which is not available. Available metrics are: "
                          f"{','.join(list(logs.keys()))}.", stacklevel=2)
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._better(current, self.best):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(np.asarray(optimizer.learning_rate))
                if old_lr > np.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning "
                                  f"rate to {new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

    def in_cooldown(self):
        """Returns True while the cooldown after a reduction lasts."""
        return self.cooldown_counter > 0
