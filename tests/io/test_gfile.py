"""tf.io.gfile, read_file, write_file: local files with TensorFlow's errors, atomic writes."""
import os

import pytest

import tapeflow as tf

gfile = tf.io.gfile


def test_read_write_file(tmp_path):
    p = str(tmp_path / "a" / "b" / "f.bin")
    assert tf.io.write_file(p, b"\x00data") is None  # parent folders are created
    t = tf.io.read_file(p)
    assert t.dtype == tf.string and t.numpy() == b"\x00data"
    tf.io.write_file(tf.constant(p), tf.constant("text"))
    assert tf.io.read_file(p).numpy() == b"text"
    assert sorted(os.listdir(tmp_path / "a" / "b")) == ["f.bin"]  # no temporary left
    with pytest.raises(tf.errors.NotFoundError, match="No such file or directory"):
        tf.io.read_file(str(tmp_path / "missing"))


def test_gfile_text_and_binary(tmp_path):
    p = str(tmp_path / "g.txt")
    with gfile.GFile(p, "w") as f:
        f.write("a\nbb\nccc")
        assert not os.path.exists(p)  # written atomically on close
    with gfile.GFile(p) as f:
        assert f.readline() == "a\n"
        assert list(f) == ["bb\n", "ccc"]
        assert f.read() == ""
    with gfile.GFile(p, "rb") as f:
        assert f.read(2) == b"a\n" and f.tell() == 2 and f.size() == 8
    with gfile.GFile(p, "a") as f:
        f.write("!")
    assert gfile.GFile(p).read() == "a\nbb\nccc!"


def test_failed_write_keeps_old_file(tmp_path):
    p = tmp_path / "f"
    p.write_text("old")
    with pytest.raises(RuntimeError):
        with gfile.GFile(str(p), "w") as f:
            f.write("new")
            raise RuntimeError
    assert p.read_text() == "old" and os.listdir(tmp_path) == ["f"]


def test_file_system_helpers(tmp_path):
    d = str(tmp_path / "x" / "y")
    gfile.makedirs(d)
    gfile.makedirs(d)  # exists: fine
    assert gfile.isdir(d) and gfile.exists(d)
    (tmp_path / "x" / "y" / "f1.txt").write_text("1")
    (tmp_path / "x" / "y" / "f2.txt").write_text("22")
    assert gfile.glob(str(tmp_path / "x" / "y" / "*.txt")) == [
        str(tmp_path / "x" / "y" / "f1.txt"), str(tmp_path / "x" / "y" / "f2.txt")]
    assert sorted(gfile.listdir(d)) == ["f1.txt", "f2.txt"]
    assert gfile.stat(d + "/f2.txt").length == 2
    gfile.copy(d + "/f1.txt", d + "/f3.txt")
    with pytest.raises(tf.errors.AlreadyExistsError):
        gfile.copy(d + "/f1.txt", d + "/f3.txt")
    with pytest.raises(tf.errors.AlreadyExistsError):
        gfile.rename(d + "/f1.txt", d + "/f2.txt")
    gfile.rename(d + "/f1.txt", d + "/f2.txt", overwrite=True)
    gfile.remove(d + "/f3.txt")
    assert sorted(gfile.listdir(d)) == ["f2.txt"]
    assert [w[0] for w in gfile.walk(str(tmp_path / "x"))] == [str(tmp_path / "x"), d]
    with pytest.raises(tf.errors.FailedPreconditionError):
        gfile.remove(d)
    with pytest.raises(tf.errors.NotFoundError):
        gfile.remove(d + "/nope")
    with pytest.raises(tf.errors.NotFoundError):
        gfile.listdir(d + "/nope")
    gfile.rmtree(str(tmp_path / "x"))
    assert not gfile.exists(str(tmp_path / "x"))
    with pytest.raises(tf.errors.NotFoundError):
        gfile.rmtree(str(tmp_path / "x"))
