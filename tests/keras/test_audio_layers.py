"""STFTSpectrogram / MelSpectrogram and the STFT initializer without TensorFlow: values
against NumPy's FFT, shapes, errors, configs, gradients and saving."""
import os
import sys

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras

sys.path.insert(0, os.path.dirname(__file__))
from layer_harness import run_layer_test  # noqa: E402


def _rfft_frames(x, frame, step, window):
    n = 1 + (len(x) - frame) // step
    frames = np.stack([x[i * step:i * step + frame] for i in range(n)])
    return np.fft.rfft(frames * window, axis=-1)


def test_stft_spectrogram_is_the_windowed_fft():
    x = np.random.default_rng(0).standard_normal((1, 64, 1)).astype("float32")
    layer = keras.layers.STFTSpectrogram(mode="stft", frame_length=16, frame_step=8,
                                         window="hann", scaling=None)
    y = layer(x).numpy()
    spec = _rfft_frames(x[0, :, 0].astype(np.float64), 16, 8, np.hanning(16))
    assert y.shape == (1, 7, 18)
    np.testing.assert_allclose(y[0, :, :9], spec.real, atol=1e-4)
    np.testing.assert_allclose(y[0, :, 9:], spec.imag, atol=1e-4)
    mag = keras.layers.STFTSpectrogram(mode="magnitude", frame_length=16, frame_step=8,
                                       window="hann", scaling=None)(x).numpy()
    np.testing.assert_allclose(mag[0], np.abs(spec), rtol=1e-4, atol=1e-3)


def test_stft_initializer_named_windows():
    init = keras.initializers.STFT("real", "hann", "density", periodic=True)
    k = init((8, 1, 5)).numpy()
    win = np.hanning(9)[:8]
    expected = np.cos(-2 * np.arange(8)[:, None] * np.arange(5)[None] / 8 * np.pi) * \
        win[:, None] / np.sqrt(np.sum(win ** 2))
    np.testing.assert_allclose(k[:, 0], expected, atol=1e-6)
    assert keras.initializers.get("stft").__class__ is keras.initializers.STFTInitializer
    assert keras.initializers.STFT(**init.get_config()).get_config() == init.get_config()
    with pytest.raises(ValueError, match="side should be"):
        keras.initializers.STFT("both")
    with pytest.raises(ValueError, match="Unknown window"):
        keras.initializers.STFT("real", "kaiser-ish")


def test_stft_spectrogram_layer_contract():
    run_layer_test(keras.layers.STFTSpectrogram,
                   dict(mode="log", frame_length=8, frame_step=4, window="hamming"),
                   input_shape=(2, 24, 1), expected_output_shape=(2, 5, 5),
                   expected_num_trainable_weights=2, grad_order=1, rtol=1e-4, atol=1e-4)


def test_stft_spectrogram_rejects_integer_input_and_bad_args():
    with pytest.raises(TypeError, match="Invalid input type"):
        keras.layers.STFTSpectrogram(frame_length=8)(np.ones((1, 16, 1), "int32"))
    with pytest.raises(ValueError, match="frame_step"):
        keras.layers.STFTSpectrogram(frame_length=8, frame_step=9)
    with pytest.warns(UserWarning, match="power of two"):
        keras.layers.STFTSpectrogram(frame_length=8, fft_length=12)


def test_mel_spectrogram_shapes_and_db_floor():
    x = np.random.default_rng(1).standard_normal((2, 400)).astype("float32")
    layer = keras.layers.MelSpectrogram(fft_length=64, sequence_stride=16, num_mel_bins=12,
                                        top_db=40.0)
    y = layer(x).numpy()
    assert y.shape == (2, 12, 26) == tuple(layer.compute_output_shape((2, 400)))
    assert y.max() - y.min() <= 40.0 + 1e-4
    assert layer(x[0]).shape == (12, 26)
    m = layer.linear_to_mel_weight_matrix(12, 33, 16000, 20.0, 8000)
    assert m.shape == (33, 12) and np.all(m[0] == 0) and np.isclose(m.max(), 1.0, atol=0.1)
    with pytest.raises(ValueError, match="must be greater than or equal"):
        keras.layers.MelSpectrogram(fft_length=64, sequence_length=128)


def test_audio_model_saves_and_reloads(tmp_path):
    inp = keras.Input((32, 1))
    out = keras.layers.STFTSpectrogram(mode="magnitude", frame_length=8, window="hann")(inp)
    model = keras.Model(inp, out)
    x = np.random.default_rng(2).standard_normal((2, 32, 1)).astype("float32")
    path = str(tmp_path / "audio.keras")
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again(x).numpy(), model(x).numpy(), rtol=1e-6)
    mel = keras.layers.MelSpectrogram(fft_length=32, sequence_stride=8, num_mel_bins=6)
    clone = keras.layers.MelSpectrogram.from_config(mel.get_config())
    np.testing.assert_allclose(clone(x[:, :, 0]).numpy(), mel(x[:, :, 0]).numpy())


def test_stft_spectrogram_is_differentiable():
    x = tf.constant(np.random.default_rng(3).standard_normal((1, 16, 1)).astype("float32"))
    layer = keras.layers.STFTSpectrogram(mode="magnitude", frame_length=8, window="hann")
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(layer(x))
    g = tape.gradient(y, [x] + layer.trainable_weights)
    assert all(v is not None and np.all(np.isfinite(v.numpy())) for v in g)


def _wav(path, data, width=2, rate=8000):
    import wave
    with wave.open(str(path), "wb") as f:
        f.setnchannels(data.shape[1])
        f.setsampwidth(width)
        f.setframerate(rate)
        f.writeframes(data.tobytes())


def test_audio_dataset_reads_pads_and_labels(tmp_path):
    for cls, n in (("a", 5), ("b", 9)):
        (tmp_path / cls).mkdir()
        _wav(tmp_path / cls / "x.wav", np.full((n, 1), 16384, "<i2"))
    ds = keras.utils.audio_dataset_from_directory(str(tmp_path), shuffle=False,
                                                  verbose=False)
    audio, labels = next(iter(ds))
    assert audio.shape == (2, 9, 1) and labels.numpy().tolist() == [0, 1]
    np.testing.assert_allclose(audio.numpy()[0, :5, 0], 0.5)
    np.testing.assert_array_equal(audio.numpy()[0, 5:, 0], 0)     # padded batch
    fixed = keras.utils.audio_dataset_from_directory(str(tmp_path), shuffle=False,
                                                     verbose=False, output_sequence_length=3)
    assert next(iter(fixed))[0].shape == (2, 3, 1)
    with pytest.raises(ValueError, match="Cannot set both"):
        keras.utils.audio_dataset_from_directory(str(tmp_path), ragged=True,
                                                 output_sequence_length=3)


def test_decode_wav_refuses_hostile_files(tmp_path):
    from tapeflow.keras.utils.audio_dataset import decode_wav
    _wav(tmp_path / "eight.wav", np.zeros((4, 1), "u1"), width=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="16-bit"):
        decode_wav(str(tmp_path / "eight.wav"))
    (tmp_path / "junk.wav").write_bytes(b"RIFF\x00\x00\x00\x00junk")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Bad WAV"):
        decode_wav(str(tmp_path / "junk.wav"))
    _wav(tmp_path / "ok.wav", np.zeros((100, 2), "<i2"))
    raw = (tmp_path / "ok.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(raw[:60])      # header promises 400 bytes of data
    with pytest.raises(tf.errors.InvalidArgumentError):
        decode_wav(str(tmp_path / "cut.wav"))
