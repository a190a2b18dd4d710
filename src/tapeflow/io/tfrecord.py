"""TFRecord files: ``tf.io.TFRecordWriter``, ``tf.io.TFRecordOptions`` and the record reader.

A TFRecord file is a sequence of records, each framed as::

    uint64 length (little-endian) | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)

optionally wrapped as a whole in a GZIP or ZLIB stream. Files written here are
byte-identical to TensorFlow's. Reading treats the file as hostile: both CRCs
are checked, a record's declared length is checked against what remains of the
file (or read in bounded chunks from a compressed stream) before memory is
given to it, and decompression is streamed in bounded pieces.
"""
import os
import re
import struct
import zlib

from tapeflow.framework.errors import DataLossError, NotFoundError
from tapeflow.io.crc32c import masked_crc32c

_HEADER = struct.Struct("<QI")
_FOOTER = struct.Struct("<I")
MAX_RECORD_BYTES = 1 << 31  # no record larger than this is ever read (2 GiB)
_CHUNK = 1 << 20

_TYPES = {None: "", "": "", "ZLIB": "ZLIB", "GZIP": "GZIP"}


class TFRecordOptions:
    """Options for reading and writing TFRecord files (``tf.io.TFRecordOptions``).

    Args:
      compression_type: ``"GZIP"``, ``"ZLIB"`` or ``""``/None for none.
      compression_level: 0..9, or None for zlib's default.
      window_bits, mem_level, compression_strategy, compression_method: zlib's
        parameters (None for TensorFlow's defaults: 15, 9, 0, 8).
      flush_mode, input_buffer_size, output_buffer_size: accepted for
        compatibility; they do not change the bytes written.
    """

    compression_type_map = {"ZLIB": "ZLIB", "GZIP": "GZIP", "": "", None: ""}

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None):
        if compression_type not in _TYPES:
            raise ValueError(f'Not a valid compression_type: "{compression_type}"')
        self.compression_type = compression_type
        self.flush_mode = flush_mode
        self.input_buffer_size = input_buffer_size
        self.output_buffer_size = output_buffer_size
        self.window_bits = window_bits
        self.compression_level = compression_level
        self.compression_method = compression_method
        self.mem_level = mem_level
        self.compression_strategy = compression_strategy

    @classmethod
    def get_compression_type_string(cls, options):
        """Returns ``"GZIP"``, ``"ZLIB"`` or ``""`` for an options object or a type string."""
        if not options:
            return ""
        if isinstance(options, TFRecordOptions):
            return cls.get_compression_type_string(options.compression_type)
        if options not in _TYPES:
            raise ValueError(f'Not a valid compression_type: "{options}"')
        return _TYPES[options]


def _as_options(options):
    if isinstance(options, TFRecordOptions):
        return options
    return TFRecordOptions(compression_type=options)


def _path(p):
    if hasattr(p, "numpy"):
        p = p.numpy()
    p = os.fspath(p)
    return p.decode() if isinstance(p, bytes) else p


def frame(data):
    """Returns ``data`` framed as one TFRecord record (header, data, footer)."""
    head = struct.pack("<Q", len(data))
    return b"".join([head, _FOOTER.pack(masked_crc32c(head)), data,
                     _FOOTER.pack(masked_crc32c(data))])


class TFRecordWriter:
    """Writes records to a TFRecord file (``tf.io.TFRecordWriter``).

    The records go to a temporary file in the same folder, renamed onto ``path``
    by ``close()`` (or leaving the ``with`` block), so a reader never sees a half
    written file and a failure leaves any previous file intact.

    Args:
      path: the file to write.
      options: a ``TFRecordOptions`` or a compression type string.
    """

    def __init__(self, path, options=None):
        self._options = _as_options(options)
        self._target = _path(path)
        folder = os.path.dirname(os.path.abspath(self._target))
        if not os.path.isdir(folder):
            raise NotFoundError(None, None, f"{folder}; No such file or directory")
        from tapeflow.io.files import open_temporary
        self._file, self._tmp = open_temporary(self._target)
        ct = TFRecordOptions.get_compression_type_string(self._options)
        self._z = None
        if ct:
            o = self._options
            level = -1 if o.compression_level is None else o.compression_level
            wbits = 15 if o.window_bits is None else o.window_bits
            self._z = zlib.compressobj(
                level, zlib.DEFLATED if o.compression_method is None else o.compression_method,
                wbits + 16 if ct == "GZIP" else wbits,
                9 if o.mem_level is None else o.mem_level,
                0 if o.compression_strategy is None else o.compression_strategy)

    def write(self, record):
        """Writes one record (bytes, str or a scalar string Tensor)."""
        if self._file is None:
            raise ValueError("Attempting to write to a closed TFRecordWriter.")  # pragma: no cover
        if hasattr(record, "numpy"):
            record = record.numpy()
        if isinstance(record, str):
            record = record.encode()
        data = frame(bytes(record))
        self._file.write(self._z.compress(data) if self._z else data)

    def flush(self):
        """Flushes buffered records to the temporary file."""
        if self._file is not None:
            self._file.flush()

    def close(self):
        """Finishes the file and moves it into place."""
        if self._file is None:
            return
        try:
            if self._z:
                self._file.write(self._z.flush())
            self._file.close()
            os.replace(self._tmp, self._target)
        except BaseException:
            self._abort()
            raise
        self._file = None

    def _abort(self):
        if self._file is not None:
            self._file.close()
            self._file = None
            if os.path.exists(self._tmp):
                os.remove(self._tmp)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self._abort()

    def __del__(self):
        try:
            self._abort()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass


class _Inflater:
    """A file-like ``read(n)`` over a GZIP/ZLIB stream, decompressing in bounded pieces."""

    def __init__(self, f, wbits):
        self._f = f
        self._d = zlib.decompressobj(wbits)
        self._buf = bytearray()
        self._eof = False

    def _fill(self, n):
        while len(self._buf) < n and not self._eof:
            src = self._d.unconsumed_tail or self._f.read(_CHUNK)
            if not src:
                self._eof = True
                break
            try:
                self._buf += self._d.decompress(src, _CHUNK)
            except zlib.error as e:
                m = re.match(r"Error (-?\d+) while decompressing data: (.*)", str(e))
                msg = f"{m.group(1)}: {m.group(2)}" if m else str(e)
                raise DataLossError(None, None, f"inflate() failed with error {msg}") from None
            if self._d.eof and not self._d.unconsumed_tail:
                self._eof = True

    def read(self, n):
        self._fill(n)
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out


def _read_exact(f, n, offset, remaining):
    """Reads ``n`` bytes in bounded chunks; DataLossError if the stream ends first."""
    if remaining is not None and n > remaining:
        raise DataLossError(None, None, f"truncated record at {offset}' failed with Read "
                            "less bytes than requested")
    parts, got = [], 0
    while got < n:
        part = f.read(min(_CHUNK, n - got))
        if not part:
            raise DataLossError(None, None, f"truncated record at {offset}' failed with Read "
                                "less bytes than requested")
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def read_lines(path, compression_type=None):
    """Yields the lines of a text file (optionally GZIP/ZLIB) as ``bytes`` without their
    ``\\n`` or ``\\r\\n``; a line longer than ``MAX_RECORD_BYTES`` raises DataLossError."""
    ct = TFRecordOptions.get_compression_type_string(compression_type)
    path = _path(path)
    try:
        raw = open(path, "rb")
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory") from None
    with raw:
        f = _Inflater(raw, 31 if ct == "GZIP" else 15) if ct else raw
        pending = b""
        while True:
            chunk = f.read(_CHUNK)
            if not chunk:
                break
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop()
            if len(pending) > MAX_RECORD_BYTES:
                raise DataLossError(None, None, f"{path}: line longer than {MAX_RECORD_BYTES} "
                                    "bytes")
            for line in lines:
                yield line[:-1] if line.endswith(b"\r") else line
        if pending:
            yield pending[:-1] if pending.endswith(b"\r") else pending


def read_records(path, compression_type=None):
    """Yields the records of one TFRecord file as ``bytes``.

    Raises:
      NotFoundError: if the file does not exist.
      DataLossError: on a bad CRC, a truncated record or a corrupt compressed stream.
    """
    ct = TFRecordOptions.get_compression_type_string(compression_type)
    path = _path(path)
    try:
        raw = open(path, "rb")
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory") from None
    with raw:
        size = os.fstat(raw.fileno()).st_size if not ct else None
        f = _Inflater(raw, 31 if ct == "GZIP" else 15) if ct else raw
        offset = 0
        while True:
            head = f.read(12)
            if len(head) < 12:
                return  # as TensorFlow: a partial header at the end is the end
            length, lcrc = _HEADER.unpack(head)
            if masked_crc32c(head[:8]) != lcrc or length > MAX_RECORD_BYTES:
                raise DataLossError(None, None, f"corrupted record at {offset} (Is this even "
                                    "a TFRecord file?)")
            remaining = None if size is None else size - offset - 12
            data = _read_exact(f, length + 4, offset, remaining)
            (dcrc,) = _FOOTER.unpack(data[length:])
            data = data[:length]
            if masked_crc32c(data) != dcrc:
                raise DataLossError(None, None, f"corrupted record at {offset + 12}")
            yield data
            offset += length + 16
