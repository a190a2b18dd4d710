"""``tf.io.gfile``: file-system helpers for local paths, with TensorFlow's errors.

Files opened for writing (``"w"``/``"wb"``) are written to a temporary file in
the same folder and renamed onto the target by ``close()``, so a reader never
sees a half-written file and an exception inside ``with`` leaves the old file.
"""
import glob as _glob
import os
import shutil

from tapeflow.framework.errors import AlreadyExistsError, NotFoundError
from tapeflow.io.files import as_path, open_temporary, os_error

__all__ = ["GFile", "copy", "exists", "glob", "isdir", "join", "listdir", "makedirs", "mkdir",
           "remove", "rename", "rmtree", "stat", "walk"]


def exists(path):
    """Returns True if ``path`` exists."""
    return os.path.exists(as_path(path))


def isdir(path):
    """Returns True if ``path`` is a folder."""
    return os.path.isdir(as_path(path))


def join(path, *paths):
    """Returns the paths joined with the separator."""
    return os.path.join(as_path(path), *[as_path(p) for p in paths])


def glob(pattern):
    """Returns the sorted list of paths matching ``pattern`` (a str or a list of them)."""
    pats = [pattern] if isinstance(pattern, (str, bytes)) or hasattr(pattern, "numpy") \
        else list(pattern)
    out = []
    for p in pats:
        out.extend(_glob.glob(as_path(p)))
    return sorted(out)


def listdir(path):
    """Returns the names in folder ``path`` (no ``.``/``..``), in arbitrary order.

    Raises:
      NotFoundError: if ``path`` is not a folder.
    """
    path = as_path(path)
    if not os.path.isdir(path):
        raise NotFoundError(None, None, "Could not find directory " + path)
    return os.listdir(path)


def makedirs(path):
    """Creates folder ``path`` and its missing parents; no error if it exists."""
    path = as_path(path)
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise os_error(e, path) from None


def mkdir(path):
    """Creates folder ``path``; no error if it exists (as TensorFlow)."""
    path = as_path(path)
    try:
        os.mkdir(path)
    except FileExistsError:
        pass
    except OSError as e:
        raise os_error(e, path) from None


def remove(path):
    """Deletes file ``path``.

    Raises:
      NotFoundError: if it does not exist. FailedPreconditionError: if it is a folder.
    """
    path = as_path(path)
    try:
        if os.path.isdir(path):
            raise IsADirectoryError(path)
        os.remove(path)
    except OSError as e:
        raise os_error(e, path) from None


def rmtree(path):
    """Deletes folder ``path`` and everything under it.

    Raises:
      NotFoundError: if it does not exist.
    """
    path = as_path(path)
    if not os.path.exists(path):
        raise NotFoundError(None, None, f"{path} not found")
    shutil.rmtree(path)


def rename(src, dst, overwrite=False):
    """Renames ``src`` to ``dst``.

    Raises:
      AlreadyExistsError: if ``dst`` exists and not ``overwrite``.
      NotFoundError: if ``src`` does not exist.
    """
    src, dst = as_path(src), as_path(dst)
    if not os.path.exists(src):
        raise NotFoundError(None, None, f"{src}; No such file or directory")
    if not overwrite and os.path.exists(dst):
        raise AlreadyExistsError(None, None, "file already exists")
    try:
        os.replace(src, dst)
    except OSError as e:
        raise os_error(e, src) from None


def copy(src, dst, overwrite=False):
    """Copies file ``src`` to ``dst`` (atomically).

    Raises:
      AlreadyExistsError: if ``dst`` exists and not ``overwrite``.
      NotFoundError: if ``src`` does not exist.
    """
    src, dst = as_path(src), as_path(dst)
    if not overwrite and os.path.exists(dst):
        raise AlreadyExistsError(None, None, "file already exists")
    with GFile(src, "rb") as fi, GFile(dst, "wb") as fo:
        shutil.copyfileobj(fi, fo)


class _Stat:
    __slots__ = ("length", "mtime_nsec", "is_directory")

    def __init__(self, st, is_dir):
        self.length = st.st_size
        self.mtime_nsec = st.st_mtime_ns
        self.is_directory = is_dir


def stat(path):
    """Returns an object with ``length``, ``mtime_nsec`` and ``is_directory``.

    Raises:
      NotFoundError: if ``path`` does not exist.
    """
    path = as_path(path)
    try:
        st = os.stat(path)
    except OSError as e:
        raise os_error(e, path) from None
    return _Stat(st, os.path.isdir(path))


def walk(top, topdown=True, onerror=None):
    """Yields ``(folder, subfolders, files)`` for each folder under ``top``, as ``os.walk``."""
    yield from os.walk(as_path(top), topdown=topdown, onerror=onerror)


class GFile:
    """A file object (``tf.io.gfile.GFile``): ``read``, ``readline``, iteration, ``write``.

    Args:
      name: the path.
      mode: ``"r"``, ``"rb"``, ``"w"``, ``"wb"``, ``"a"`` or ``"ab"``.
    """

    def __init__(self, name, mode="r"):
        self.name = as_path(name)
        self.mode = mode
        self._binary = "b" in mode
        self._tmp = None
        if mode not in ("r", "rb", "w", "wb", "a", "ab"):
            raise NotFoundError(None, None, f"Invalid mode {mode!r}")
        try:
            if mode.startswith("w"):
                self._f, self._tmp = open_temporary(self.name)
            else:
                self._f = open(self.name, "rb" if mode.startswith("r") else "ab")
        except OSError as e:
            raise os_error(e, self.name) from None

    def _out(self, data):
        return data if self._binary else data.decode("utf-8")

    def read(self, n=-1):
        """Returns ``n`` bytes/characters (all remaining if ``n`` is -1)."""
        return self._out(self._f.read(n))

    def readline(self):
        """Returns the next line, with its newline."""
        return self._out(self._f.readline())

    def readlines(self):
        """Returns the remaining lines."""
        return list(self)

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def write(self, file_content):
        """Writes a str or bytes."""
        if isinstance(file_content, str):
            file_content = file_content.encode("utf-8")
        self._f.write(file_content)

    def tell(self):
        """Returns the current position."""
        return self._f.tell()

    def seek(self, offset=None, whence=0, position=None):
        """Moves to ``offset`` (or ``position``)."""
        return self._f.seek(position if offset is None else offset, whence)

    def size(self):
        """Returns the size of the file in bytes."""
        return os.fstat(self._f.fileno()).st_size

    def flush(self):
        """Flushes buffered writes."""
        self._f.flush()

    def close(self):
        """Closes the file; a file opened with ``"w"`` is moved into place now."""
        if self._f.closed:
            return
        self._f.close()
        if self._tmp is not None:
            os.replace(self._tmp, self.name)
            self._tmp = None

    def _abort(self):
        self._f.close()
        if self._tmp is not None and os.path.exists(self._tmp):
            os.remove(self._tmp)
            self._tmp = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self._abort()

    def __del__(self):
        # An unclosed reader is closed quietly; an unclosed writer is discarded (never
        # half-written into place).
        try:
            if self._tmp is not None:
                self._abort()
            elif not self._f.closed:
                self._f.close()
        except Exception:  # pragma: no cover
            pass
