"""Keras 3.15's audio layers (STFTSpectrogram, MelSpectrogram) and the STFT initializer
against the real Keras: outputs, shapes, weights, configs. The real Keras needs SciPy for
named windows, which the parity environment lacks, so STFTSpectrogram cases pass the
window's values (a named window is checked against them in tests/keras)."""
import numpy as np
import pytest

from parity.layer_parity import check_layer, data

HANN16 = np.hanning(16)
SIG = data(2, 50, 1, seed=3)
SIG2 = data(2, 40, 2, seed=4)
SIG_CF = data(2, 2, 40, seed=5)

STFT_CASES = {
    "log": (lambda k: k.layers.STFTSpectrogram(frame_length=16, window=HANN16), SIG),
    "magnitude_same": (lambda k: k.layers.STFTSpectrogram(
        mode="magnitude", frame_length=16, frame_step=4, window=HANN16, padding="same"), SIG2),
    "psd_fft32": (lambda k: k.layers.STFTSpectrogram(
        mode="psd", frame_length=16, fft_length=32, window=HANN16, scaling="spectrum"), SIG),
    "real": (lambda k: k.layers.STFTSpectrogram(mode="real", frame_length=8, window=None),
             SIG2),
    "imag_expand": (lambda k: k.layers.STFTSpectrogram(
        mode="imag", frame_length=8, window=None, expand_dims=True), SIG2),
    "angle": (lambda k: k.layers.STFTSpectrogram(mode="angle", frame_length=8, window=None,
                                                 scaling=None), SIG),
    "stft_expand": (lambda k: k.layers.STFTSpectrogram(
        mode="stft", frame_length=16, frame_step=5, window=HANN16, expand_dims=True), SIG2),
    "channels_first": (lambda k: k.layers.STFTSpectrogram(
        mode="magnitude", frame_length=8, window=None, data_format="channels_first"), SIG_CF),
    "channels_first_expand": (lambda k: k.layers.STFTSpectrogram(
        mode="log", frame_length=8, window=None, data_format="channels_first",
        expand_dims=True), SIG_CF),
}


def _config(layer):
    config = layer.get_config()
    config.pop("name")
    if isinstance(config.get("window"), np.ndarray):
        config["window"] = config["window"].tolist()
    return config


@pytest.mark.parametrize("case", sorted(STFT_CASES))
def test_stft_spectrogram_matches_keras(rkeras, case):
    make, x = STFT_CASES[case]
    real, mine = check_layer(rkeras, make, x, rtol=1e-4, atol=1e-4, config=False)
    assert _config(mine) == _config(real)
    np.testing.assert_allclose(mine.get_weights()[0], make(rkeras).build(x.shape) or
                               real.get_weights()[0], rtol=1e-6)


@pytest.mark.parametrize("kwargs", [
    dict(side="real", window=None, scaling=None),
    dict(side="imag", window=HANN16, scaling="density"),
    dict(side="real", window=HANN16, scaling="spectrum", periodic=True)])
def test_stft_initializer_matches_keras(rkeras, kwargs):
    from tapeflow import keras
    real = np.asarray(rkeras.initializers.STFT(**kwargs)((16, 1, 9)))
    mine = keras.initializers.STFT(**kwargs)((16, 1, 9))
    assert mine.dtype.name == "float32"
    np.testing.assert_allclose(mine.numpy(), real, rtol=1e-6, atol=1e-7)


def test_stft_spectrogram_errors_match_keras(rkeras):
    from tapeflow import keras
    for kwargs in (dict(frame_length=8, frame_step=9), dict(frame_length=8, fft_length=4),
                   dict(mode="power"), dict(scaling="l2", window=None),
                   dict(padding="causal", window=None)):
        with pytest.raises(ValueError) as real:
            rkeras.layers.STFTSpectrogram(**kwargs)
        with pytest.raises(ValueError) as mine:
            keras.layers.STFTSpectrogram(**kwargs)
        assert str(mine.value) == str(real.value)


MEL_CASES = {
    "default_small": dict(fft_length=64, sequence_stride=16, num_mel_bins=10),
    "no_db": dict(fft_length=128, sequence_stride=32, sequence_length=100, num_mel_bins=16,
                  power_to_db=False, sampling_rate=8000, min_freq=50.0, max_freq=3000),
    "mag1_ref": dict(fft_length=64, sequence_stride=20, num_mel_bins=8, mag_exp=1.0,
                     ref_power=2.0, top_db=30.0),
}


@pytest.mark.parametrize("case", sorted(MEL_CASES))
@pytest.mark.parametrize("batched", [True, False])
def test_mel_spectrogram_matches_keras(rkeras, case, batched):
    from tapeflow import keras
    x = data(2, 300, seed=8)
    if not batched:
        x = x[0]
    real = rkeras.layers.MelSpectrogram(**MEL_CASES[case])
    mine = keras.layers.MelSpectrogram(**MEL_CASES[case])
    r, m = np.asarray(real(x)), mine(x).numpy()
    assert m.shape == r.shape and m.dtype == r.dtype
    np.testing.assert_allclose(m, r, rtol=2e-4, atol=2e-3)
    assert list(mine.compute_output_shape(x.shape)) == list(real.compute_output_shape(x.shape))
    assert _config(mine) == _config(real)
    np.testing.assert_allclose(
        mine.linear_to_mel_weight_matrix(10, 33, 16000, 20.0, 8000),
        np.asarray(real.linear_to_mel_weight_matrix(10, 33, 16000, 20.0, 8000)),
        rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("window", ["hann", "hamming", None])
@pytest.mark.parametrize("center", [True, False])
def test_ops_stft_shorter_frames_than_fft_match_keras(rkeras, window, center):
    """sequence_length < fft_length: frames are fft_length long, the window zero-padded."""
    from tapeflow import keras
    x = data(2, 300, seed=9)
    real = rkeras.ops.stft(x, 100, 32, 128, window=window, center=center)
    mine = keras.ops.stft(x, 100, 32, 128, window=window, center=center)
    for r, m in zip(real, mine):
        assert m.shape == tuple(r.shape)
        np.testing.assert_allclose(m.numpy(), np.asarray(r), rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("window", ["hann", None])
@pytest.mark.parametrize("center,length", [(True, None), (True, 300), (False, None)])
def test_ops_istft_matches_keras(rkeras, window, center, length):
    from tapeflow import keras
    x = data(2, 300, seed=10)
    spec = [np.asarray(v) for v in rkeras.ops.stft(x, 100, 32, 128, window=window,
                                                   center=center)]
    real = np.asarray(rkeras.ops.istft(spec, 100, 32, 128, length=length, window=window,
                                       center=center))
    mine = keras.ops.istft(spec, 100, 32, 128, length=length, window=window, center=center)
    assert mine.shape == real.shape and mine.dtype.name == real.dtype.name
    np.testing.assert_allclose(mine.numpy(), real, rtol=1e-4, atol=1e-4)


def _write_wavs(root):
    import os
    import wave
    rng = np.random.default_rng(0)
    for cls in ("dog", "cat"):
        os.makedirs(os.path.join(root, cls), exist_ok=True)
        for i in range(3):
            n = 100 + 37 * i + (cls == "cat") * 11
            data = (rng.standard_normal((n, 2)) * 8000).astype("<i2")
            with wave.open(os.path.join(root, cls, f"{i}.wav"), "wb") as f:
                f.setnchannels(2)
                f.setsampwidth(2)
                f.setframerate(16000)
                f.writeframes(data.tobytes())


@pytest.mark.parametrize("kwargs", [{}, {"output_sequence_length": 120},
                                    {"label_mode": "categorical", "batch_size": 4},
                                    {"labels": None, "batch_size": None}])
def test_audio_dataset_from_directory_matches_keras(rkeras, tmp_path, kwargs):
    from tapeflow import keras
    _write_wavs(str(tmp_path))
    real = rkeras.utils.audio_dataset_from_directory(str(tmp_path), shuffle=False,
                                                     verbose=False, **kwargs)
    mine = keras.utils.audio_dataset_from_directory(str(tmp_path), shuffle=False,
                                                    verbose=False, **kwargs)
    assert mine.class_names == real.class_names
    real_items, mine_items = list(real), list(mine)
    assert len(mine_items) == len(real_items)
    for r, m in zip(real_items, mine_items):
        r, m = (r, m) if isinstance(r, tuple) else ((r,), (m,))
        for a, b in zip(r, m):
            np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-6)
            assert np.asarray(b).dtype == np.asarray(a).dtype
