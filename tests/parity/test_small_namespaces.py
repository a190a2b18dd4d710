"""The guides' small namespaces against TensorFlow 2.21: public names (dir) and the values of
what was filled in (MDCT, KBD window, DCT types 1/4, 3-D real FFTs, unicode offsets,
summary_scope, autograph's small API)."""
import numpy as np
import pytest

import tapeflow as tf

# Names TensorFlow has that tapeflow does not, on purpose (printed by the test when they
# change): FFTND ops have no CPU kernel in TF 2.21 (tapeflow has them anyway).
NOT_DONE = {
    "strings": {"unicode_script"},   # needs ICU's script table
}
NAMESPACES = ["autograph", "autograph.experimental", "strings", "signal", "sets", "bitwise",
              "summary", "summary.experimental", "types", "types.experimental",
              "types.experimental.distributed"]


def _get(lib, path):
    for part in path.split("."):
        lib = getattr(lib, part)
    return lib


def _public(obj):
    return {n for n in dir(obj) if not n.startswith("_")}


@pytest.mark.parametrize("ns", NAMESPACES)
def test_public_names_cover_tensorflows(rtf, ns):
    missing = _public(_get(rtf, ns)) - _public(_get(tf, ns)) - NOT_DONE.get(ns, set())
    assert not missing, f"tf.{ns} lacks {sorted(missing)}"


def test_experimental_numpy_is_listed(rtf):
    assert "numpy" in dir(tf.experimental) and "numpy" in dir(rtf.experimental)


S = np.sin(np.arange(40) * 0.37).astype(np.float32)

VALUES = {
    "mdct": lambda lib: lib.signal.mdct(S, 8),
    "mdct_ortho_pad": lambda lib: lib.signal.mdct(S, 12, pad_end=True, norm="ortho"),
    "mdct_no_window": lambda lib: lib.signal.mdct(S, 8, window_fn=None),
    "mdct_hann": lambda lib: lib.signal.mdct(S, 8, window_fn=lib.signal.hann_window),
    "inverse_mdct": lambda lib: lib.signal.inverse_mdct(lib.signal.mdct(S, 8)),
    "inverse_mdct_ortho": lambda lib: lib.signal.inverse_mdct(
        lib.signal.mdct(S, 8, norm="ortho"), norm="ortho", window_fn=None),
    "mdct_bad_length": lambda lib: lib.signal.mdct(S, 6),
    "kbd": lambda lib: lib.signal.kaiser_bessel_derived_window(10, beta=4.0),
    "kbd_f64": lambda lib: lib.signal.kaiser_bessel_derived_window(7, dtype=lib.float64),
    "dct4": lambda lib: lib.signal.dct(S.reshape(5, 8), type=4),
    "dct4_ortho": lambda lib: lib.signal.dct(S.reshape(5, 8), type=4, norm="ortho"),
    "dct1": lambda lib: lib.signal.dct(S.reshape(5, 8), type=1),
    "idct1": lambda lib: lib.signal.idct(S.reshape(5, 8), type=1),
    "dct1_ortho": lambda lib: lib.signal.dct(S.reshape(5, 8), type=1, norm="ortho"),
    "rfft3d": lambda lib: lib.signal.rfft3d(S.reshape(2, 4, 5)),
    "irfft3d": lambda lib: lib.signal.irfft3d(lib.signal.rfft3d(S.reshape(2, 4, 5)),
                                              fft_length=[2, 4, 5]),
    "unicode_split_with_offsets": lambda lib: lib.strings.unicode_split_with_offsets(
        ["héllo", "", "ab"], "UTF-8"),
    "unicode_split_with_offsets_scalar": lambda lib: lib.strings.unicode_split_with_offsets(
        "ñu", "UTF-8"),
}


def _norm(x):
    if isinstance(x, (tuple, list)):
        return [_norm(v) for v in x]
    if hasattr(x, "to_list"):
        return ("ragged", x.dtype.name, x.to_list())
    v = x.numpy()
    return ("tensor", x.dtype.name, v.shape, v)


def _same(a, b):
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    if a[0] == "ragged":
        return a == b
    if a[:3] != b[:3]:
        return False
    if a[3].dtype.kind in "fc":
        return np.allclose(a[3], b[3], rtol=2e-5, atol=2e-5)
    return (a[3] == b[3]).all()


@pytest.mark.parametrize("name", sorted(VALUES))
def test_values_match_tensorflow(rtf, name):
    def run(lib):
        try:
            return _norm(VALUES[name](lib))
        except Exception as e:   # noqa: BLE001 - the class is compared
            return ("raises", type(e).__name__)
    ours, theirs = run(tf), run(rtf)
    if theirs[0] == "raises" or ours[0] == "raises":
        assert ours == theirs
    else:
        assert _same(ours, theirs), f"{name}: {ours} != {theirs}"


def test_summary_scope_and_autograph(rtf):
    for lib in (tf, rtf):
        with lib.name_scope("outer"):
            with lib.summary.experimental.summary_scope("loss") as got:
                assert got == ("outer/loss", "outer/loss/")
        assert lib.autograph.experimental.set_loop_options(maximum_iterations=2) is None
    assert [f.name for f in tf.autograph.experimental.Feature] == \
        [f.name for f in rtf.autograph.experimental.Feature]


def test_wav_bytes_match_encode_wav(rtf):
    from tapeflow.summary_more import encode_wav
    x = np.random.default_rng(0).uniform(-1.2, 1.2, (50, 2)).astype(np.float32)
    assert encode_wav(x, 22050) == rtf.audio.encode_wav(rtf.constant(x), 22050).numpy()
