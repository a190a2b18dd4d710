"""``tf.io.read_file`` / ``tf.io.write_file``: whole files as scalar string Tensors."""
import os
import tempfile

import numpy as np

from tapeflow.framework.errors import (
    FailedPreconditionError, InvalidArgumentError, NotFoundError, PermissionDeniedError)
from tapeflow.framework.tensor import Tensor

MAX_FILE_BYTES = 1 << 31  # read_file refuses larger files (TensorFlow's string limit)


def as_path(filename):
    """Returns ``filename`` (str, bytes, PathLike or scalar string Tensor) as a str."""
    if hasattr(filename, "numpy"):
        filename = filename.numpy()
    filename = os.fspath(filename)
    return filename.decode() if isinstance(filename, bytes) else filename


def os_error(e, path, op=None):
    """Returns TensorFlow's error for an ``OSError`` raised on ``path``."""
    if isinstance(e, FileNotFoundError):
        return NotFoundError(None, op, f"{path}; No such file or directory")
    if isinstance(e, IsADirectoryError):
        return FailedPreconditionError(None, op, f"{path}; Is a directory")
    if isinstance(e, PermissionError):
        return PermissionDeniedError(None, op, f"{path}; Permission denied")
    return InvalidArgumentError(None, op, f"{path}; {e.strerror or e}")


def read_file(filename, name=None):
    """Returns the contents of file ``filename`` as a scalar string Tensor.

    Raises:
      NotFoundError: if the file does not exist.
    """
    path = as_path(filename)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise InvalidArgumentError(None, "ReadFile", f"{path} is too large ({size} "
                                           f"bytes > {MAX_FILE_BYTES})")
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise os_error(e, path, "ReadFile") from None
    return Tensor(np.asarray(data, dtype=object))


def atomic_write(path, data):
    """Writes bytes ``data`` to ``path`` atomically (``safe_files.atomic_write``)."""
    from tapeflow.safe_files import atomic_write as write
    write(path, lambda f: f.write(data))


def open_temporary(path):
    """Returns ``(file, temp_path)``: a new file beside ``path`` for streaming writes, named
    as ``safe_files`` names its temporaries (so stale ones of killed writers get removed)."""
    from tapeflow.safe_files import remove_stale_temporaries
    folder = os.path.dirname(os.path.abspath(path))
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.tmp-"
                                                   f"{os.getpid()}-")
    return os.fdopen(fd, "wb"), tmp


def write_file(filename, contents, name=None):
    """Writes ``contents`` (bytes, str or scalar string Tensor) to ``filename``, creating
    missing parent folders; the file appears whole (written to a temporary file, then renamed).
    Returns None."""
    path = as_path(filename)
    if hasattr(contents, "numpy"):
        contents = contents.numpy()
    if isinstance(contents, np.ndarray):
        contents = contents.item()
    if isinstance(contents, str):
        contents = contents.encode()
    if not isinstance(contents, bytes):
        raise TypeError(f"contents must be a string, got {type(contents).__name__}")
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        atomic_write(path, contents)
    except OSError as e:
        raise os_error(e, path, "WriteFile") from None
