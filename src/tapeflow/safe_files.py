"""Reading files that may be hostile, and writing files atomically.

Anything read from disk or the network may have been crafted by an attacker. The
readers here check every size a file declares before memory is allocated for it and
read with a cap, so a lying header cannot get past; they never unpickle. Writers go
through ``atomic_write``: a temporary file beside the target, renamed over it, so a
crash leaves the old file or the new one, and a later save removes what an
interrupted one left behind.

All refusals are ``ValueError`` naming the file and what is wrong.
"""
import io
import math
import os
import tempfile
import zipfile

import numpy as np

# A compressed zip member may expand at most this many times once it is past FLOOR
# bytes: real model files (floats, JSON) compress 1-20x; zip bombs 1000x.
MAX_RATIO = 50
FLOOR = 16 * 2 ** 20
_CHUNK = 2 ** 20


def _tmp_prefix(path):
    return "." + os.path.basename(path) + ".tmp-"


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def remove_stale_temporaries(path):
    """Removes the temporary files that interrupted ``atomic_write``s of ``path`` left.

    A temporary file is named ``.<name>.tmp-<pid>-<random>``; it is stale when the
    process that made it no longer runs. Returns the paths removed.
    """
    folder = os.path.dirname(os.path.abspath(path))
    prefix = _tmp_prefix(path)
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not name.startswith(prefix):
            continue
        pid = name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and (int(pid) == os.getpid() or not _pid_alive(int(pid))):
            try:
                os.remove(os.path.join(folder, name))
                removed.append(os.path.join(folder, name))
            except OSError:
                pass
    return removed


def atomic_write(path, write, mode="wb"):
    """Calls ``write(file)`` on a temporary file next to ``path``, then renames it over
    ``path``; on any error the temporary file is removed and ``path`` is untouched.

    Temporaries that earlier interrupted writes of ``path`` left (their process is
    gone) are removed first. Returns ``path``.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f"{_tmp_prefix(path)}{os.getpid()}-")
    try:
        with os.fdopen(fd, mode) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


def check_member_name(name, source):
    """Raises ValueError for a zip entry name that is absolute or climbs out of its folder."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
        raise ValueError(f"Refusing {source}: the archive entry {name!r} is an absolute path "
                         "or leaves its folder.")


def check_member(info, source, limit, ratio=MAX_RATIO, floor=FLOOR):
    """Raises ValueError if the zip entry ``info`` declares more than ``limit`` bytes, or
    expands more than ``ratio`` times (past ``floor`` bytes) when decompressed."""
    check_member_name(info.filename, source)
    size = info.file_size
    if size > limit:
        raise ValueError(f"Refusing {source}: the archive entry {info.filename!r} declares "
                         f"{size:,} bytes, more than the {limit:,} allowed for it.")
    if info.compress_type != zipfile.ZIP_STORED and size > floor and \
            size > ratio * max(info.compress_size, 1):
        raise ValueError(f"Refusing {source}: the archive entry {info.filename!r} would "
                         f"decompress from {info.compress_size:,} to {size:,} bytes (more "
                         f"than {ratio}x): a decompression bomb or a damaged file.")


def read_member(zf, name, source, limit, ratio=MAX_RATIO, floor=FLOOR):
    """Returns the bytes of the entry ``name`` of the open zip ``zf``, after checking its
    declared size against ``limit`` (and the compression ratio), read with a cap.

    Raises:
      ValueError: for an oversized, lying or damaged entry.
    """
    info = zf.getinfo(name)
    check_member(info, source, limit, ratio, floor)
    with zf.open(info) as f:
        data = f.read(info.file_size + 1)
    if len(data) != info.file_size:
        raise ValueError(f"Refusing {source}: the archive entry {name!r} holds more or less "
                         "data than it declares.")
    return data


def load_json(data, source, max_depth=200):
    """Returns the value of the JSON text ``data`` (bytes), refusing nesting deeper than
    ``max_depth`` levels (deeper configs would exhaust the interpreter's stack).

    Raises:
      ValueError: for invalid or too deeply nested JSON.
    """
    import json
    try:
        value = json.loads(data.decode("utf-8") if isinstance(data, (bytes, bytearray))
                           else data)
    except RecursionError:
        raise ValueError(f"Refusing {source}: its JSON is nested too deeply.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"Could not load {source}: invalid JSON ({e}).") from None
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise ValueError(f"Refusing {source}: its JSON is nested more than {max_depth} "
                             "levels deep.")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return value


def _read_exact(f, n, what, source):
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = f.readinto(view[got:got + _CHUNK])
        if not k:
            raise ValueError(f"Refusing {source}: {what} is truncated.")
        got += k
    return buf


def read_npy(f, size, what, source):
    """Returns the array stored as ``.npy`` bytes in the open binary file ``f`` holding
    ``size`` bytes; the header's shape and dtype must account for exactly those bytes
    before anything is allocated, and object (pickled) arrays are refused.

    Raises:
      ValueError: for a malformed, pickled, oversized or lying array.
    """
    fmt = np.lib.format
    try:
        version = fmt.read_magic(f)
        reader = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
        shape, fortran, dtype = reader(f)
    except (ValueError, OSError, EOFError, SyntaxError, TypeError) as e:
        raise ValueError(f"Refusing {source}: {what} is not a valid .npy array ({e}).") \
            from None
    if dtype.hasobject:
        raise ValueError(f"Refusing {source}: {what} holds Python objects (pickled data), "
                         "which are never loaded.")
    count = math.prod(int(d) for d in shape)
    nbytes = count * dtype.itemsize
    if nbytes > size:
        raise ValueError(f"Refusing {source}: {what} declares shape {tuple(shape)} of "
                         f"{dtype} ({nbytes:,} bytes) but holds at most {size:,} bytes.")
    data = _read_exact(f, nbytes, what, source)
    arr = np.frombuffer(data, dtype=dtype, count=count)
    return arr.reshape(shape, order="F" if fortran else "C")


def load_npz(data, source, limit=None):
    """Returns ``{name: array}`` read from a NumPy ``.npz`` archive (bytes or a path),
    checking every member's declared size and array header before allocating, and
    never unpickling.

    Raises:
      ValueError: for a damaged, pickled, oversized or lying archive.
    """
    if isinstance(data, (bytes, bytearray)):
        limit = len(data) if limit is None else limit
        opened = io.BytesIO(data)
    else:
        path = os.fspath(data)
        limit = os.path.getsize(path) if limit is None else limit
        opened = path
    out = {}
    try:
        with zipfile.ZipFile(opened) as zf:
            infos = zf.infolist()
            for info in infos:
                check_member(info, source, max(limit, FLOOR) * MAX_RATIO)
            total = sum(i.file_size for i in infos)
            if total > max(limit, FLOOR) * MAX_RATIO:
                raise ValueError(f"Refusing {source}: its entries declare {total:,} bytes in "
                                 f"all, too many for a {limit:,}-byte archive.")
            for info in infos:
                if not info.filename.endswith(".npy"):
                    continue
                with zf.open(info) as f:
                    out[info.filename[:-4]] = read_npy(
                        f, info.file_size, f"array {info.filename[:-4]!r}", source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError,
            NotImplementedError) as e:
        raise ValueError(f"Could not read {source}: the file is truncated or corrupted "
                         f"({type(e).__name__}: {e}).") from None
    return out
