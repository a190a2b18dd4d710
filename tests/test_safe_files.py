"""tapeflow.safe_files: atomic writes that leave no litter, bounded readers."""
import io
import os
import signal
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

from tapeflow import safe_files


def test_atomic_write_replaces_and_an_error_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.bin"
    safe_files.atomic_write(target, lambda f: f.write(b"old"))

    def fail(f):
        f.write(b"partial")
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        safe_files.atomic_write(target, fail)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.bin"]


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporaries_of_dead_processes_are_removed_by_the_next_save(tmp_path):
    target = tmp_path / "m.keras"
    stale = tmp_path / f".m.keras.tmp-{_dead_pid()}-abc123"
    stale.write_bytes(b"half a model")
    live = tmp_path / f".m.keras.tmp-{os.getppid()}-def456"   # a running process: kept
    live.write_bytes(b"another save in progress")
    other = tmp_path / f".other.keras.tmp-{_dead_pid()}-x"     # another target: kept
    other.write_bytes(b"x")
    safe_files.atomic_write(target, lambda f: f.write(b"new"))
    assert sorted(os.listdir(tmp_path)) == sorted(["m.keras", live.name, other.name])


def test_a_save_killed_midway_leaves_the_old_model_and_the_next_save_cleans_up(tmp_path):
    from tapeflow import keras
    path = tmp_path / "m.keras"
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.save(path)
    expected = model.predict(np.ones((1, 3)), verbose=0)
    script = textwrap.dedent(f"""
        import time, zipfile
        from tapeflow import keras
        real = zipfile.ZipFile.writestr
        def slow(self, *args, **kwargs):
            real(self, *args, **kwargs)
            print("writing", flush=True)
            time.sleep(60)
        zipfile.ZipFile.writestr = slow
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        model.save({str(path)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.stdout.close()
        if proc.poll() is None:
            proc.kill()
    litter = [n for n in os.listdir(tmp_path) if n != "m.keras"]
    assert len(litter) == 1 and litter[0].startswith(".m.keras.tmp-")   # what a kill leaves
    loaded = keras.models.load_model(path)                               # the old file intact
    np.testing.assert_allclose(loaded.predict(np.ones((1, 3)), verbose=0), expected)
    model.save(path)
    assert os.listdir(tmp_path) == ["m.keras"]


@pytest.mark.parametrize("name,ok", [("assets/tv/vocab.txt", True), ("a/b/../c", False),
                                     ("../x", False), ("/abs", False), ("C:/x", False),
                                     ("..\\x", False), ("config.json", True)])
def test_member_names(name, ok):
    if ok:
        safe_files.check_member_name(name, "f")
    else:
        with pytest.raises(ValueError, match="leaves its folder|absolute"):
            safe_files.check_member_name(name, "f")


def test_load_npz_round_trip_dtypes_and_fortran_order():
    arrays = {"a": np.arange(12, dtype=np.float64).reshape(3, 4),
              "b": np.asfortranarray(np.arange(6, dtype=np.int16).reshape(2, 3)),
              "c": np.array(b"bytes"), "d": np.zeros((0, 5), np.float32),
              "e": np.array([True, False])}
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    got = safe_files.load_npz(buf.getvalue(), "x.npz")
    assert sorted(got) == sorted(arrays)
    for k, v in arrays.items():
        np.testing.assert_array_equal(got[k], v)
        assert got[k].dtype == v.dtype and got[k].shape == v.shape


def test_load_npz_refuses_a_ratio_bomb_by_its_declared_size():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("z.npy", "w", force_zip64=True) as f:
            chunk = bytes(2 ** 20)
            for _ in range(64):
                f.write(chunk)
    with pytest.raises(ValueError, match="decompress from .* to 67,108,864 bytes"):
        safe_files.load_npz(buf.getvalue(), "bomb.npz")   # refused from the header


def test_load_json_depth():
    assert safe_files.load_json(b'{"a": [1, {"b": 2}]}', "x") == {"a": [1, {"b": 2}]}
    with pytest.raises(ValueError, match="nested more than 3"):
        safe_files.load_json(b"[[[[1]]]]", "x", max_depth=3)
    with pytest.raises(ValueError, match="invalid JSON"):
        safe_files.load_json(b"{", "x")
