"""``keras.callbacks.ModelCheckpoint``."""
import os
import warnings

import numpy as np

from tapeflow.keras.callbacks.callback import Callback, print_msg
from tapeflow.keras.trainers.distribute_support import should_write_files


class ModelCheckpoint(Callback):
    """Saves the model (``.keras``) or its weights (``.weights.h5``) during training.

    Args:
      filepath: path, possibly a template formatted with ``epoch`` (1-based)
        and the epoch's logs, e.g. ``"{epoch:02d}-{val_loss:.2f}.keras"``.
      monitor: the logged quantity used by ``save_best_only``.
      verbose: 1 prints a message at each save.
      save_best_only: only save when ``monitor`` improved.
      save_weights_only: save weights only (path must end in ``.weights.h5``).
      mode: ``"auto"``, ``"min"`` or ``"max"``.
      save_freq: ``"epoch"`` or an integer number of batches.
      initial_value_threshold: the value ``monitor`` must beat for a first save.

    Raises:
      ValueError: if the file extension does not match ``save_weights_only``.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__()
        self.monitor = monitor
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"ModelCheckpoint mode '{mode}' is unknown, fallback to auto mode.",
                          stacklevel=2)
            mode = "auto"
        self.mode = mode
        self._maximize = None
        self.best = initial_value_threshold
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are "
                             "'epoch' or integer values")
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError("When using `save_weights_only=True` in `ModelCheckpoint`, the "
                                 "filepath provided must end in `.weights.h5` (Keras weights "
                                 f"format). Received: filepath={self.filepath}")
        elif not self.filepath.endswith(".keras"):
            raise ValueError("The filepath provided must end in `.keras` (Keras model format). "
                             f"Received: filepath={self.filepath}")

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_seen_since_last_saving += 1
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _save_model(self, epoch, batch, logs):
        logs = logs or {}
        filepath = self._get_file_path(epoch, batch, logs)
        dirname = os.path.dirname(filepath)
        if not should_write_files():   # a non-chief worker: decide, never write
            filepath = dirname = None
        if dirname and not os.path.exists(dirname):
            os.makedirs(dirname, exist_ok=True)
        if self.save_best_only:
            if self._maximize is None:
                # Keras's rule for ModelCheckpoint: "auto" maximizes accuracies
                # ("acc" in the name) and F-measures, and minimizes anything else.
                self._maximize = self.mode == "max" or (self.mode == "auto" and (
                    "acc" in self.monitor or self.monitor.startswith("fmeasure")))
                if self.best is None:
                    self.best = -np.inf if self._maximize else np.inf
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"Can save best model only with {self.monitor} available, "
                              "skipping.", stacklevel=2)
                return
            better = current > self.best if self._maximize else current < self.best
            if not better:
                if self.verbose > 0:
                    print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                              f"{self.best:.5f}")
                return
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} "
                          f"to {current:.5f}, saving model to {filepath}")
            self.best = current
        elif self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
        if filepath is None:
            return
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)

    def _get_file_path(self, epoch, batch, logs):
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". '
                           f"Reason: {e}") from None

