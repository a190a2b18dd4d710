"""keras/saving/h5_io.py: bounded, hostile-safe HDF5 access through h5py."""
import numpy as np
import pytest

from tapeflow.keras.saving import h5_io

h5py = pytest.importorskip("h5py", reason="h5py is not installed")


def test_reads_numbers_and_refuses_links_and_garbage(tmp_path):
    path = tmp_path / "w.h5"
    with h5py.File(path, "w") as f:
        f["g/kernel"] = np.arange(6, dtype=np.float32).reshape(2, 3)
        f["soft"] = h5py.SoftLink("/g/kernel")
        f["ext"] = h5py.ExternalLink("other.h5", "/x")
    assert h5_io.is_hdf5(str(path)) and not h5_io.is_hdf5(b"PK\x03\x04")
    with h5_io.open_read(str(path)) as f:
        ds = h5_io.child(f["g"], "kernel", "w.h5")
        np.testing.assert_array_equal(h5_io.read_dataset(ds, "w.h5"),
                                      np.arange(6, dtype=np.float32).reshape(2, 3))
        assert h5_io.child(f, "missing", "w.h5") is None
        for key in ("soft", "ext"):
            with pytest.raises(ValueError, match="only entries stored in the file itself"):
                h5_io.child(f, key, "w.h5")
    with pytest.raises(ValueError, match="not a valid HDF5 file"):
        h5_io.open_read(b"\x89HDF\r\n\x1a\n" + b"\x00" * 20, name="bad.h5")


def test_object_dtype_dataset_is_refused(tmp_path):
    path = tmp_path / "s.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("s", data=[b"a", b"bc"], dtype=h5py.string_dtype())
    with h5_io.open_read(str(path)) as f:
        with pytest.raises(ValueError):
            h5_io.read_dataset(f["s"], "s.h5")
