"""get_file: cache location, hashes, offline errors and safe extraction. No network."""
import hashlib
import io
import os
import tarfile
import zipfile

import pytest

from tapeflow import keras
from tapeflow.keras.utils.file_utils import hash_file, validate_file


@pytest.fixture
def home(tmp_path, monkeypatch):
    kh = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(kh))
    return kh


def read(path):
    with open(path, "rb") as f:
        return f.read()


def _origin(tmp_path, name, data):
    src = tmp_path / "server" / name
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_bytes(data)
    return src.as_uri()


def test_downloads_into_keras_home_datasets(tmp_path, home, capsys):
    origin = _origin(tmp_path, "data.bin", b"abc")
    path = keras.utils.get_file("data.bin", origin)
    assert path == str(home / "datasets" / "data.bin")
    assert read(path) == b"abc"
    assert f"Downloading data from {origin}" in capsys.readouterr().out
    # Cached: a second call does not download (the origin may even be gone).
    os.remove(tmp_path / "server" / "data.bin")
    assert keras.utils.get_file("data.bin", origin) == path
    assert capsys.readouterr().out == ""


def test_default_cache_is_home_dot_keras(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    origin = _origin(tmp_path, "f.txt", b"x")
    path = keras.utils.get_file(origin=origin, cache_subdir="models")
    assert path == str(tmp_path / "user" / ".keras" / "models" / "f.txt")
    explicit = keras.utils.get_file("g.txt", origin, cache_dir=str(tmp_path / "c"))
    assert explicit == str(tmp_path / "c" / "datasets" / "g.txt")


def test_hash_checks_sha256_and_md5(tmp_path, home):
    data = b"some bytes"
    origin = _origin(tmp_path, "h.bin", data)
    sha = hashlib.sha256(data).hexdigest()
    md5 = hashlib.md5(data).hexdigest()
    p = keras.utils.get_file("h.bin", origin, file_hash=sha)
    assert validate_file(p, sha) and validate_file(p, md5)
    assert hash_file(p) == sha and hash_file(p, "md5") == md5
    assert keras.utils.get_file("h2.bin", origin, md5_hash=md5).endswith("h2.bin")
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected"):
        keras.utils.get_file("bad.bin", origin, file_hash="0" * 64)
    assert not os.path.exists(home / "datasets" / "bad.bin")
    assert [n for n in os.listdir(home / "datasets") if n.startswith(".")] == []


def test_preplaced_file_with_right_hash_is_used_offline(tmp_path, home):
    os.makedirs(home / "datasets")
    (home / "datasets" / "mine.npz").write_bytes(b"local copy")
    sha = hashlib.sha256(b"local copy").hexdigest()
    offline = (tmp_path / "nowhere" / "mine.npz").as_uri()
    assert keras.utils.get_file("mine.npz", offline, file_hash=sha) == \
        str(home / "datasets" / "mine.npz")


def test_offline_error_says_which_file_to_put_where(tmp_path, home, capsys):
    os.makedirs(home / "datasets")
    (home / "datasets" / "stale.npz").write_bytes(b"old")
    offline = (tmp_path / "nowhere" / "stale.npz").as_uri()
    with pytest.raises(Exception, match="URL fetch failure") as info:
        keras.utils.get_file("stale.npz", offline, file_hash="a" * 64)
    msg = str(info.value)
    assert offline in msg and str(home / "datasets" / "stale.npz") in msg and "a" * 64 in msg
    assert "hash does not match" in capsys.readouterr().out


def _tar_bytes(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_extract_tar_and_zip(tmp_path, home):
    origin = _origin(tmp_path, "pack.tar.gz",
                     _tar_bytes([("pack/a.txt", b"A"), ("pack/sub/b.txt", b"B")]))
    out = keras.utils.get_file("pack.tar.gz", origin, extract=True)
    assert out == str(home / "datasets" / "pack_extracted")
    assert read(os.path.join(out, "pack", "sub", "b.txt")) == b"B"
    # fname without a dot: the archive is kept as fname_archive, extracted into fname
    untarred = keras.utils.get_file("packdir", origin, untar=True)
    assert untarred == str(home / "datasets" / "packdir")
    assert os.path.exists(home / "datasets" / "packdir_archive")
    assert os.path.exists(os.path.join(untarred, "pack", "a.txt"))
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("z/c.txt", "C")
    zorigin = _origin(tmp_path, "z.zip", zbuf.getvalue())
    zout = keras.utils.get_file("z.zip", zorigin, extract=True)
    assert read(os.path.join(zout, "z", "c.txt")) == b"C"


def test_extraction_never_writes_outside_the_target(tmp_path, home):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name in ["ok.txt", "../escape.txt", "/tmp/abs_escape_tapeflow.txt"]:
            info = tarfile.TarInfo(name)
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
        link = tarfile.TarInfo("link")
        link.type = tarfile.SYMTYPE
        link.linkname = "../../outside"
        tar.addfile(link)
    origin = _origin(tmp_path, "evil.tar.gz", buf.getvalue())
    with pytest.warns(UserWarning, match="Skipping invalid path"):
        out = keras.utils.get_file("evil.tar.gz", origin, extract=True)
    assert os.listdir(out) == ["ok.txt"]
    assert not os.path.exists(home / "datasets" / "escape.txt")
    assert not os.path.exists("/tmp/abs_escape_tapeflow.txt")

    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("good.txt", "g")
        z.writestr("../zip_escape.txt", "e")
    zorigin = _origin(tmp_path, "evil.zip", zbuf.getvalue())
    with pytest.warns(UserWarning, match="Skipping invalid path"):
        zout = keras.utils.get_file("evil.zip", zorigin, extract=True)
    assert os.listdir(zout) == ["good.txt"]
    assert not os.path.exists(home / "datasets" / "zip_escape.txt")


def test_origin_required_and_fname_without_path(home):
    with pytest.raises(ValueError, match='specify the "origin"'):
        keras.utils.get_file("x")
    with pytest.raises(ValueError, match="Paths are no longer accepted"):
        keras.utils.get_file(os.path.join("a", "b"), "file:///nowhere")
