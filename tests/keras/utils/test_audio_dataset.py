"""keras/utils/audio_dataset.py: folders of .wav files to a Dataset of (audio, label)."""
import wave

import numpy as np

from tapeflow import keras


def _wav(path, samples):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(np.asarray(samples, "<i2").tobytes())


def test_classes_from_folders_padding_and_scaling(tmp_path):
    for cls, n in (("dog", 3), ("cat", 5)):
        (tmp_path / cls).mkdir()
        _wav(tmp_path / cls / "a.wav", [16384] * n)
    ds = keras.utils.audio_dataset_from_directory(str(tmp_path), batch_size=4, shuffle=False,
                                                  verbose=False)
    assert ds.class_names == ["cat", "dog"]
    audio, labels = next(iter(ds))
    assert audio.shape == (2, 5, 1) and audio.dtype == "float32"
    np.testing.assert_array_equal(labels.numpy(), [0, 1])
    np.testing.assert_allclose(audio.numpy()[0, :, 0], [0.5] * 5)          # int16 / 32768
    np.testing.assert_allclose(audio.numpy()[1, :, 0], [0.5, 0.5, 0.5, 0, 0])   # zero-padded
