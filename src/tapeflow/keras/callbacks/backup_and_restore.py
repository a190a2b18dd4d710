"""``keras.callbacks.BackupAndRestore``: resume an interrupted ``fit`` where it stopped."""
import json
import os
import shutil

from tapeflow.keras.callbacks.callback import Callback
from tapeflow.keras.trainers.distribute_support import chief_value, should_write_files


class BackupAndRestore(Callback):
    """Backs up the weights (and optimizer state) every epoch; a new ``fit`` resumes from them.

    Args:
      backup_dir: folder for the backup (``latest.weights.h5`` and
        ``training_metadata.json``).
      save_freq: ``"epoch"``, an integer number of batches, or False.
      delete_checkpoint: delete the backup when training ends normally.

    Raises:
      ValueError: if ``backup_dir`` is empty or ``save_freq`` is invalid.
    """

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and save_freq is not False and not isinstance(save_freq, int):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: save_freq="
                             f"{save_freq}. Expected either 'epoch' or an integer value.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self._batches_seen_since_last_saving = 0
        self._current_epoch = 0
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")

    def on_train_begin(self, logs=None):
        if os.path.exists(self._weights_path) and os.path.exists(self._training_metadata_path):
            self.model.load_weights(self._weights_path)
            with open(self._training_metadata_path) as f:
                meta = json.load(f)
            self.model._initial_epoch = int(meta["epoch"]) + 1
        # Multi-worker: the chief's backup decides (workers without one, e.g. on another
        # machine, resume at its epoch; the weights follow from worker 0 at the first step).
        self.model._initial_epoch = chief_value(self.model, self.model._initial_epoch)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if isinstance(self.save_freq, int) and not isinstance(self.save_freq, bool):
            # A mid-epoch backup: the weights so far, resumed at the start of this epoch.
            self._batches_seen_since_last_saving += 1
            if self._batches_seen_since_last_saving >= self.save_freq:
                self._batches_seen_since_last_saving = 0
                self._backup(self._current_epoch - 1)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._backup(epoch)

    def _backup(self, epoch):
        if not should_write_files():   # only the chief writes (all workers restore)
            return
        os.makedirs(self.backup_dir, exist_ok=True)
        self.model.save_weights(self._weights_path, overwrite=True)
        from tapeflow.safe_files import atomic_write
        atomic_write(self._training_metadata_path,
                     lambda f: f.write(json.dumps({"epoch": epoch}).encode()))

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir) and should_write_files():
            shutil.rmtree(self.backup_dir)
