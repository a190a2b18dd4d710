"""``keras.utils.get_file``: download into the Keras cache, verify the hash, extract safely.

The cache is ``~/.keras/datasets`` by default (``$KERAS_HOME/datasets`` when the
``KERAS_HOME`` environment variable is set). Downloads go to a temporary file that
is renamed only once complete and verified; archives are extracted member by
member, skipping any whose path (or link target) would leave the target folder.
"""
import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile


def keras_home():
    """Returns the Keras cache root: ``$KERAS_HOME`` or ``~/.keras``."""
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False):
    """Downloads a file from a URL unless it is already in the cache.

    The file lands in ``cache_dir/cache_subdir/fname`` (``cache_dir`` defaults to
    ``$KERAS_HOME`` or ``~/.keras``). With ``file_hash`` (sha256, or md5 for a
    32-character hash) a cached file is checked and downloaded again when it differs,
    and a download that does not match is deleted.

    Args:
      fname: local file name (default: the origin's file name).
      origin: the URL (``https://``, ``http://`` or ``file://``).
      untar: deprecated; extract a tar archive.
      md5_hash: deprecated; an md5 ``file_hash``.
      file_hash: expected sha256 or md5 hex digest.
      cache_subdir: sub-folder of the cache (or an absolute path).
      hash_algorithm: ``"auto"``, ``"sha256"`` or ``"md5"``.
      extract: extract a tar or zip archive.
      archive_format: ``"auto"``, ``"tar"``, ``"zip"`` or None.
      cache_dir: the cache root.
      force_download: download even when cached.

    Returns:
      The path of the file, or of the extraction folder with ``extract``/``untar``.

    Raises:
      ValueError: without ``origin``, or when a download's hash does not match.
      Exception: when the download fails (offline ...); the message says which file to
        put where to work offline.
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if cache_dir is None:
        cache_dir = keras_home()
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    base = os.path.expanduser(os.fspath(cache_dir))
    if not (os.path.isdir(base) or _can_create(base)) or not os.access(base, os.W_OK):
        base = os.path.join(tempfile.gettempdir(), ".keras")
    datadir = os.path.join(base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)

    provided = fname
    fname = os.fspath(fname) if fname else ""
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'."
                             "Please specify the `fname` argument.")
    elif os.sep in fname:
        raise ValueError("Paths are no longer accepted as the `fname` argument. To specify the "
                         "file's parent directory, use the `cache_dir` argument. "
                         f"Received: fname={fname}")
    if extract or untar:
        if provided and "." in fname:
            target = os.path.join(datadir, fname)
            extraction_dir = os.path.join(datadir, fname[:fname.find(".")] + "_extracted")
        else:
            extraction_dir = os.path.join(datadir, fname)
            target = os.path.join(datadir, fname + "_archive")
    else:
        target = os.path.join(datadir, fname)

    download = True
    if not force_download and os.path.exists(target):
        download = False
        if file_hash is not None and not validate_file(target, file_hash, hash_algorithm):
            print("A local file was found, but it seems to be incomplete or outdated because "
                  f"the {_algorithm(hash_algorithm, file_hash)} file hash does not match the "
                  f"original value of {file_hash} so we will re-download the data.")
            download = True
    if download:
        _download(origin, target, file_hash, hash_algorithm)

    if extract or untar:
        fmt = "tar" if untar else archive_format
        if download or not os.path.isdir(extraction_dir):
            if not extract_archive(target, extraction_dir, fmt):
                warnings.warn("Could not extract archive.", stacklevel=2)
        return extraction_dir
    return target


def _can_create(path):
    try:
        os.makedirs(path, exist_ok=True)
        return True
    except OSError:
        return False


def _download(origin, target, file_hash, hash_algorithm):
    print(f"Downloading data from {origin}")
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".download-")
    try:
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(origin) as resp:
                shutil.copyfileobj(resp, out, 1 << 20)
        except (urllib.error.URLError, OSError, ValueError) as e:
            code = getattr(e, "code", getattr(e, "errno", None))
            reason = getattr(e, "reason", None) or getattr(e, "msg", None) or str(e)
            hint = f" with {_algorithm(hash_algorithm, file_hash)} hash {file_hash}" \
                if file_hash else ""
            raise Exception(
                f"URL fetch failure on {origin}: {code} -- {reason}. To work offline, download "
                f"{origin} yourself and put it at {target}{hint}.") from None
        if file_hash is not None and not validate_file(tmp, file_hash, hash_algorithm):
            raise ValueError("Incomplete or corrupted file detected. The "
                             f"{_algorithm(hash_algorithm, file_hash)} file hash does not match "
                             f"the provided value of {file_hash}.")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _algorithm(algorithm, file_hash):
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None
                                 and len(file_hash) == 64):
        return "sha256"
    return "md5"


def hash_file(fpath, algorithm="sha256", chunk_size=65535):
    """Returns the sha256 (or md5) hex digest of a file."""
    hasher = hashlib.sha256() if algorithm == "sha256" else hashlib.md5()
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535):
    """Returns True if the file's sha256/md5 digest equals ``file_hash``."""
    return hash_file(fpath, _algorithm(algorithm, file_hash), chunk_size) == str(file_hash)


# -- safe extraction -------------------------------------------------------------------

def _inside(base, name):
    base = os.path.realpath(base)
    target = os.path.realpath(os.path.join(base, name))
    return os.path.commonpath([base, target]) == base


def _safe_tar_members(archive, base):
    for m in archive.getmembers():
        ok = _inside(base, m.name)
        if ok and (m.issym() or m.islnk()):
            link_base = os.path.join(base, os.path.dirname(m.name)) if m.issym() else base
            ok = _inside(base, os.path.join(os.path.relpath(link_base, base), m.linkname))
        if ok and (m.isdev() or m.isfifo()):
            ok = False
        if ok:
            yield m
        else:
            warnings.warn(f"Skipping invalid path during archive extraction: '{m.name}'.",
                          stacklevel=3)


def _safe_zip_members(archive, base):
    for info in archive.infolist():
        if _inside(base, info.filename):
            yield info
        else:
            warnings.warn(f"Skipping invalid path during archive extraction: "
                          f"'{info.filename}'.", stacklevel=3)


def extract_archive(file_path, path=".", archive_format="auto"):
    """Extracts a tar (.tar, .tar.gz, .tar.bz2) or zip archive into ``path``.

    Members that would land outside ``path`` (``../``, absolute paths, links pointing
    out) are skipped with a warning. The archive is unpacked into a temporary folder
    next to ``path`` and moved into place when complete.

    Returns:
      True if the file was an archive of an accepted format and was extracted.
    """
    if archive_format is None:
        return False
    if archive_format == "auto":
        archive_format = ["tar", "zip"]
    if isinstance(archive_format, str):
        archive_format = [archive_format]
    file_path, path = os.fspath(file_path), os.fspath(path)
    for kind in archive_format:
        if kind == "tar":
            is_match, opener = tarfile.is_tarfile, tarfile.open
        elif kind == "zip":
            is_match, opener = zipfile.is_zipfile, zipfile.ZipFile
        else:
            raise NotImplementedError(kind)
        if not is_match(file_path):
            continue
        parent = os.path.dirname(os.path.abspath(path))
        os.makedirs(parent, exist_ok=True)
        tmp = tempfile.mkdtemp(dir=parent, prefix=".extract-")
        try:
            with opener(file_path) as archive:
                if kind == "zip":
                    archive.extractall(tmp, members=list(_safe_zip_members(archive, tmp)))
                else:
                    members = list(_safe_tar_members(archive, tmp))
                    if hasattr(tarfile, "data_filter"):
                        archive.extractall(tmp, members=members, filter="data")
                    else:
                        archive.extractall(tmp, members=members)
            if os.path.isdir(path):
                shutil.rmtree(path)
            elif os.path.exists(path):
                os.remove(path)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                shutil.rmtree(tmp, ignore_errors=True)
        return True
    return False
