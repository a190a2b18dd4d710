"""``keras.utils.audio_dataset_from_directory``: folders of ``.wav`` files to a Dataset of
float32 waveforms ``(samples, channels)`` in [-1, 1), as ``tf.audio.decode_wav`` gives."""
import wave

import numpy as np

from tapeflow.data import AUTOTUNE, Dataset
from tapeflow.data.transformations import _MapDataset
from tapeflow.framework import dtypes
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.tensor_spec import TensorSpec
from tapeflow.framework.variable import array_of
from tapeflow.keras.utils import dataset_utils

ALLOWED_FORMATS = (".wav",)


def decode_wav(path, desired_samples=-1):
    """Returns ``(audio, sample_rate)``: the 16-bit PCM WAV file at ``path`` as float32
    ``(samples, channels)`` scaled by 1/32768; with ``desired_samples`` >= 0, cut or
    zero-padded to that many samples.

    Raises:
      tf.errors.InvalidArgumentError: for a file that is not 16-bit PCM WAV, or whose
        header promises more data than the file holds.
    """
    from tapeflow.framework.errors import InvalidArgumentError
    import os
    try:
        with wave.open(path, "rb") as f:
            channels, width, rate, frames = (f.getnchannels(), f.getsampwidth(),
                                             f.getframerate(), f.getnframes())
            if width != 2:
                raise InvalidArgumentError(
                    None, None, f"Can only read 16-bit WAV files, but received {width * 8}")
            if frames * channels * width > os.path.getsize(path):
                raise InvalidArgumentError(None, None, f"WAV data in {path} is truncated")
            data = f.readframes(frames)
    except (wave.Error, EOFError) as e:
        raise InvalidArgumentError(None, None, f"Bad WAV file {path}: {e}") from None
    audio = np.frombuffer(data, dtype="<i2").reshape(-1, channels).astype(np.float32)
    audio /= np.float32(32768.0)
    if desired_samples is not None and desired_samples >= 0:
        if len(audio) >= desired_samples:
            audio = audio[:desired_samples]
        else:
            audio = np.pad(audio, [(0, desired_samples - len(audio)), (0, 0)])
    return audio, rate


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, batch_size=32, sampling_rate=None,
                                 output_sequence_length=None, ragged=False, shuffle=True,
                                 seed=None, validation_split=None, subset=None,
                                 follow_links=False, verbose=True):
    """Generates a ``tf.data.Dataset`` from the ``.wav`` files in a directory.

    With ``labels="inferred"`` each subfolder is a class (sorted names). Waveforms are
    float32 ``(samples, channels)``; batches are zero-padded to their longest file unless
    ``output_sequence_length`` fixes the length. ``sampling_rate`` (resampling) needs
    tensorflow-io in Keras and is not supported; ``ragged=True`` is not supported.

    Returns:
      A Dataset of ``(audio, labels)`` (audio alone without labels) with a
      ``class_names`` attribute; a pair of datasets for ``subset="both"``.
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "The `labels` argument should be a list/tuple of integer labels, of the same "
                "size as the number of audio files in the target directory. If you wish to "
                "infer the labels from the subdirectory names in the target directory, pass "
                '`labels="inferred"`. If you wish to get a dataset that only contains audio '
                f"samples (no labels), pass `labels=None`. Received: labels={labels}")
        if class_names:
            raise ValueError('You can only pass `class_names` if `labels="inferred"`. '
                             f"Received: labels={labels}, and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", '
                         f'"binary", or None. Received: label_mode={label_mode}')
    if ragged and output_sequence_length is not None:
        raise ValueError("Cannot set both `ragged` and `output_sequence_length`")
    if sampling_rate is not None:
        if not isinstance(sampling_rate, int):
            raise ValueError("`sampling_rate` should have an integer value. "
                             f"Received: sampling_rate={sampling_rate}")
        if sampling_rate <= 0:
            raise ValueError("`sampling_rate` should be higher than 0. "
                             f"Received: sampling_rate={sampling_rate}")
        raise ImportError("To use the argument `sampling_rate`, you should install "
                          "tensorflow_io, which tapeflow does not support.")
    if ragged:
        raise NotImplementedError("audio_dataset_from_directory(ragged=True) is not "
                                  "supported by tapeflow.")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    buffer = batch_size * 8 if batch_size is not None else 1024
    paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=ALLOWED_FORMATS, class_names=class_names, shuffle=shuffle,
        seed=seed, follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")
    num_classes = len(class_names) if class_names else 0
    length = -1 if output_sequence_length is None else output_sequence_length

    def read(path):
        p = array_of(path)[()]
        return Tensor(decode_wav(p.decode() if isinstance(p, bytes) else p, length)[0])

    audio_spec = TensorSpec((output_sequence_length, None), dtypes.float32)

    def make(subset_name, do_shuffle, what):
        p, lab = dataset_utils.get_training_or_validation_split(
            paths, labels, validation_split, subset_name)
        if not p:
            raise ValueError(f"No {what}audio files found in directory {directory}. "
                             f"Allowed format(s): {ALLOWED_FORMATS}")
        ds = Dataset.from_tensor_slices(np.asarray(p, dtype=object))
        if label_mode:
            y = Dataset.from_tensor_slices(dataset_utils.encode_labels(lab, label_mode,
                                                                       num_classes))
            ds = Dataset.zip((ds, y))
            if do_shuffle:
                ds = ds.shuffle(buffer, seed=seed)
            ds = _MapDataset(ds, lambda x, t: (read(x), t), AUTOTUNE,
                             output_spec=((None, None), [audio_spec, y._specs[0]]))
        else:
            if do_shuffle:
                ds = ds.shuffle(buffer, seed=seed)
            ds = _MapDataset(ds, read, AUTOTUNE, output_spec=(None, [audio_spec]))
        ds = ds.prefetch(AUTOTUNE)
        if batch_size is not None:
            ds = ds.padded_batch(batch_size) if output_sequence_length is None \
                else ds.batch(batch_size)
        ds.class_names = class_names
        return ds

    if subset == "both":
        return (make("training", shuffle, "training "),
                make("validation", False, "validation "))
    return make(subset, shuffle, "")
