"""``keras.callbacks.TensorBoard``: per-epoch scalars as TensorBoard event files.

Each event is a ``tensorflow.Event`` protocol buffer framed as a TFRecord,
the format TensorBoard reads, written by ``tapeflow.summary``'s event-file
writer (shared with ``tf.summary``). Scalars only: per epoch (``epoch_loss``,
``epoch_accuracy``, ``epoch_learning_rate`` ...) into ``log_dir/train`` and ``log_dir/validation``,
and per batch (``batch_loss`` ...) with ``update_freq``; histograms, images,
graphs and profiling are not supported and raise ``NotImplementedError`` when
asked for.
"""
import os
import time

import numpy as np

# The event-file writer lives in tapeflow.summary (shared with tf.summary); these names stay
# importable from here.
from tapeflow.io.crc32c import crc32c, masked_crc32c  # noqa: F401
from tapeflow.io.tfrecord import frame as frame_record  # noqa: F401
from tapeflow.keras.callbacks.callback import Callback
from tapeflow.keras.trainers.distribute_support import NullWriter, should_write_files
from tapeflow.summary import EventFileWriter as _EventWriter, encode_event  # noqa: F401


class TensorBoard(Callback):
    """Writes per-epoch scalars for TensorBoard into ``log_dir/train`` and ``log_dir/validation``.

    Args:
      log_dir: the folder TensorBoard is pointed at.
      histogram_freq, write_images, embeddings_freq, profile_batch: only the
        defaults (off) are supported.
      update_freq: ``"epoch"``, ``"batch"`` or an integer: also write the
        batch logs (``batch_loss`` ...) every that many batches.
      write_steps_per_second: also write ``epoch_steps_per_second``.
      write_graph, embeddings_metadata: accepted; graphs are not written.

    Raises:
      NotImplementedError: when histograms, images, embeddings or profiling are asked for.
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        unsupported = [n for n, v in (("histogram_freq", histogram_freq),
                                      ("write_images", write_images),
                                      ("embeddings_freq", embeddings_freq),
                                      ("profile_batch", profile_batch)) if v]
        if unsupported:
            raise NotImplementedError(
                f"tapeflow's TensorBoard callback writes epoch-level scalars only; "
                f"{', '.join(unsupported)} need TensorFlow's summary ops and are not supported.")
        self.log_dir = os.fspath(log_dir)
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.write_steps_per_second = write_steps_per_second
        self._writers = {}
        self._global_batch = 0
        self._epoch_start = None
        self._epoch_batches = 0

    def _writer(self, kind):
        w = self._writers.get(kind)
        if w is None:
            w = self._writers[kind] = _EventWriter(os.path.join(self.log_dir, kind)) \
                if should_write_files() else NullWriter()   # only the chief writes
        return w

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.time()
        self._epoch_batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self._global_batch += 1
        self._epoch_batches += 1
        if self.update_freq == "epoch" or self._global_batch % int(self.update_freq):
            return
        values = {}
        for k, v in (logs or {}).items():
            try:
                values["batch_" + k] = float(np.asarray(v))
            except (TypeError, ValueError):
                continue
        if values:
            self._writer("train").scalars(self._global_batch, values)

    def on_epoch_end(self, epoch, logs=None):
        train, val = {}, {}
        for k, v in (logs or {}).items():
            try:
                v = float(np.asarray(v))
            except (TypeError, ValueError):
                continue
            if k.startswith("val_"):
                val["epoch_" + k[4:]] = v
            else:
                train["epoch_" + k] = v
        opt = getattr(self.model, "optimizer", None)
        if opt is not None and "epoch_learning_rate" not in train and \
                hasattr(opt, "learning_rate"):
            try:
                train["epoch_learning_rate"] = float(np.asarray(opt.learning_rate))
            except (TypeError, ValueError):
                pass
        if self.write_steps_per_second and self._epoch_start is not None:
            elapsed = time.time() - self._epoch_start
            if elapsed > 0:
                train["epoch_steps_per_second"] = self._epoch_batches / elapsed
        if train:
            self._writer("train").scalars(epoch, train)
        if val:
            self._writer("validation").scalars(epoch, val)

    def on_train_end(self, logs=None):
        for w in self._writers.values():
            w.close()
        self._writers = {}
