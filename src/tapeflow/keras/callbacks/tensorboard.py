"""``keras.callbacks.TensorBoard``: per-epoch scalars as TensorBoard event files.

Written with the standard library only: each event is a hand-encoded
``tensorflow.Event`` protocol buffer framed as a TFRecord (length, masked
CRC-32C of the length, data, masked CRC-32C of the data), the format
TensorBoard reads. Scalars only: per epoch (``epoch_loss``, ``epoch_accuracy``,
``epoch_learning_rate`` ...) into ``log_dir/train`` and ``log_dir/validation``,
and per batch (``batch_loss`` ...) with ``update_freq``; histograms, images,
graphs and profiling are not supported and raise ``NotImplementedError`` when
asked for.
"""
import os
import socket
import struct
import time

import numpy as np

from tapeflow.keras.callbacks.callback import Callback
from tapeflow.keras.trainers.distribute_support import NullWriter, should_write_files


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data):
    """Returns the CRC-32C (Castagnoli) checksum of ``data``."""
    crc = 0xFFFFFFFF
    table = _TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    """Returns TFRecord's masked CRC-32C of ``data``."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field_bytes(number, payload):
    return _varint((number << 3) | 2) + _varint(len(payload)) + payload


def encode_event(wall_time, step=0, file_version=None, scalars=None):
    """Returns the bytes of a ``tensorflow.Event`` proto.

    Args:
      wall_time: seconds since the epoch (field 1, double).
      step: the step (field 2, int64).
      file_version: e.g. ``"brain.Event:2"`` (field 3).
      scalars: dict ``tag -> float`` written as ``Summary.Value.simple_value`` (field 5).
    """
    out = b"\x09" + struct.pack("<d", wall_time)
    if step:
        out += b"\x10" + _varint(int(step))
    if file_version is not None:
        out += _field_bytes(3, file_version.encode())
    if scalars:
        summary = b"".join(
            _field_bytes(1, _field_bytes(1, tag.encode()) + b"\x15" + struct.pack("<f", value))
            for tag, value in scalars.items())
        out += _field_bytes(5, summary)
    return out


def frame_record(data):
    """Returns ``data`` framed as one TFRecord."""
    header = struct.pack("<Q", len(data))
    return (header + struct.pack("<I", masked_crc32c(header)) + data
            + struct.pack("<I", masked_crc32c(data)))


class _EventWriter:
    def __init__(self, folder):
        os.makedirs(folder, exist_ok=True)
        name = (f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}."
                f"{os.getpid()}.{id(self) % 100000}.v2")
        self.path = os.path.join(folder, name)
        self._f = open(self.path, "wb")
        self._f.write(frame_record(encode_event(time.time(), file_version="brain.Event:2")))
        self._f.flush()

    def scalars(self, step, values):
        self._f.write(frame_record(encode_event(time.time(), step, scalars=values)))
        self._f.flush()

    def close(self):
        self._f.close()


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
