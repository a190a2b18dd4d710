"""File sources: ``TFRecordDataset``, ``TextLineDataset``, ``experimental.CsvDataset``
and ``experimental.make_csv_dataset``.

Files are read lazily, one record or line at a time, by ``tapeflow.io``'s
hostile-input readers (CRC checks, bounded lengths and decompression).
"""
import collections
import csv as _csv

import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.tensor_spec import TensorSpec
from tapeflow.data import structure as st
from tapeflow.data.dataset import UNKNOWN, Dataset


def _filenames(filenames):
    """Returns a list of str paths from a path, a list/Tensor of paths or a dataset of paths."""
    if isinstance(filenames, Dataset):
        return [f.decode() if isinstance(f, bytes) else str(f)
                for f in filenames.as_numpy_iterator()]
    if isinstance(filenames, (str, bytes)):
        filenames = [filenames]
    elif isinstance(filenames, Tensor):
        filenames = np.asarray(np.asarray(filenames)).reshape(-1).tolist()
    out = []
    for f in filenames:
        if hasattr(f, "numpy"):
            f = f.numpy()
        f = f.decode() if isinstance(f, bytes) else str(f)
        out.append(f)
    return out


def _string(b):
    a = np.empty((), object)
    a[()] = b
    return a


def _interleave(gens, cycle):
    """Yields from ``gens`` one at a time, ``cycle`` open at once (as interleave with block 1)."""
    gens = iter(gens)
    active = [g for _, g in zip(range(cycle), gens)]
    i = 0
    while active:
        try:
            yield next(active[i])
            i = (i + 1) % len(active)
        except StopIteration:
            nxt = next(gens, None)
            if nxt is None:
                del active[i]
                if active:
                    i %= len(active)
            else:
                active[i] = nxt


class _FileDataset(Dataset):
    def __init__(self, filenames, compression_type, num_parallel_reads, specs, template):
        from tapeflow.io.tfrecord import TFRecordOptions
        self._files = _filenames(filenames)
        self._ct = TFRecordOptions.get_compression_type_string(
            compression_type.numpy().decode() if hasattr(compression_type, "numpy")
            else compression_type)
        self._parallel = int(num_parallel_reads) if num_parallel_reads not in (None, -1) \
            else 1
        super().__init__(template, specs, UNKNOWN)

    def _file_gen(self, path):
        raise NotImplementedError

    def _gen(self):
        gens = (self._file_gen(f) for f in self._files)
        if self._parallel > 1:
            yield from _interleave(gens, self._parallel)
        else:
            for g in gens:
                yield from g


class TFRecordDataset(_FileDataset):
    """A dataset of the records of TFRecord files, as scalar string Tensors.

    Args:
      filenames: a path, a list or string Tensor of paths, or a dataset of paths.
      compression_type: ``""`` (none), ``"ZLIB"`` or ``"GZIP"``.
      buffer_size: accepted; reading is streamed in 1 MiB pieces.
      num_parallel_reads: read this many files interleaved, record by record.

    Iterating raises ``DataLossError`` on a corrupt or truncated record and
    ``NotFoundError`` for a missing file.
    """

    _tf_name = "TFRecordDatasetV2"

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        super().__init__(filenames, compression_type, num_parallel_reads,
                         [TensorSpec((), dtypes.string)], st._LEAF)

    def _file_gen(self, path):
        from tapeflow.io.tfrecord import read_records
        for rec in read_records(path, self._ct):
            yield (_string(rec),)


class TextLineDataset(_FileDataset):
    """A dataset of the lines of text files (without line endings), as string Tensors.

    Args:
      filenames: a path, a list or string Tensor of paths, or a dataset of paths.
      compression_type: ``""`` (none), ``"ZLIB"`` or ``"GZIP"``.
      buffer_size: accepted.
      num_parallel_reads: read this many files interleaved, line by line.
    """

    _tf_name = "TextLineDatasetV2"

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        super().__init__(filenames, compression_type, num_parallel_reads,
                         [TensorSpec((), dtypes.string)], st._LEAF)

    def _file_gen(self, path):
        from tapeflow.io.tfrecord import read_lines
        for line in read_lines(path, self._ct):
            yield (_string(line),)


class CsvDataset(_FileDataset):
    """A dataset of CSV rows, one scalar Tensor per column (``tf.data.experimental.CsvDataset``).

    Args:
      filenames: CSV file path(s).
      record_defaults: per column, a DType (required) or a one-element default.
      header: skip each file's first line.
      field_delim, use_quote_delim, na_value: as ``tf.io.decode_csv``.
      select_cols / exclude_cols: the column indices to keep / drop.

    Quoted fields may not contain line breaks here.
    """

    _tf_name = "CsvDatasetV2"

    def __init__(self, filenames, record_defaults, compression_type=None, buffer_size=None,
                 header=False, field_delim=",", use_quote_delim=True, na_value="",
                 select_cols=None, exclude_cols=None, name=None):
        from tapeflow.io.csv_ops import column_defaults
        if select_cols is not None and exclude_cols is not None:
            raise ValueError("Either select_cols or exclude_cols should be True, not both.")
        self._columns = column_defaults(record_defaults)
        self._header = bool(header)
        self._delim, self._quote, self._na = field_delim, use_quote_delim, na_value
        self._select = None if select_cols is None else [int(c) for c in select_cols]
        self._exclude = None if exclude_cols is None else set(int(c) for c in exclude_cols)
        if self._select is not None and len(self._select) != len(self._columns):
            raise ValueError("Length of select_cols and record_defaults do not match.")
        specs = [TensorSpec((), d) for d, _ in self._columns]
        super().__init__(filenames, compression_type, None, specs,
                         tuple(st._LEAF for _ in specs))

    def _file_gen(self, path):
        from tapeflow.io.csv_ops import convert_fields, split_record
        from tapeflow.io.tfrecord import read_lines
        lines = read_lines(path, self._ct)
        if self._header:
            next(lines, None)
        for i, line in enumerate(lines):
            fields = split_record(line.decode("utf-8"), self._delim, self._quote)
            if self._exclude is not None:
                fields = [f for j, f in enumerate(fields) if j not in self._exclude]
            try:
                row = convert_fields(fields, self._columns, i, self._na, self._select)
            except InvalidArgumentError as e:
                raise InvalidArgumentError(None, None, str(e).replace(f" in record {i}", " in "
                                           "record")) from None
            yield tuple(_string(v) if d.name == "string" else
                        np.asarray(v, d.as_numpy_dtype) for v, (d, _) in zip(row, self._columns))


def _infer_type(values):
    """TensorFlow's column type inference: int32, int64, float32, else string."""
    best = 0  # 0 int32, 1 int64, 2 float32, 3 string
    for v in values:
        if v == "":
            continue
        try:
            n = int(v)
            best = max(best, 0 if -(1 << 31) <= n < (1 << 31) else 1)
            continue
        except ValueError:
            pass
        try:
            float(v)
            best = max(best, 2)
        except ValueError:
            return dtypes.string
    return (dtypes.int32, dtypes.int64, dtypes.float32)[best]


def make_csv_dataset(file_pattern, batch_size, column_names=None, column_defaults=None,
                     label_name=None, select_columns=None, field_delim=",",
                     use_quote_delim=True, na_value="", header=True, num_epochs=None,
                     shuffle=True, shuffle_buffer_size=10000, shuffle_seed=None,
                     prefetch_buffer_size=None, num_parallel_reads=None, sloppy=False,
                     num_rows_for_inference=100, compression_type=None, ignore_errors=False,
                     encoding="utf-8"):
    """Returns a dataset of batches ``(OrderedDict of column -> Tensor, label)`` (or just the
    dict without ``label_name``) read from the CSV files matching ``file_pattern``.

    Column names come from the header unless given; column types are inferred
    from the first ``num_rows_for_inference`` rows unless ``column_defaults`` says.

    Raises:
      ValueError: if ``label_name`` or a selected column is not a column.
    """
    from tapeflow.io import gfile
    from tapeflow.io.tfrecord import read_lines
    files = gfile.glob(file_pattern)
    if not files:
        raise ValueError(f"No files match `file_pattern` {file_pattern}.")
    first = read_lines(files[0], compression_type)
    head = []
    for line in first:
        head.append(next(_csv.reader([line.decode(encoding)], delimiter=field_delim)))
        if len(head) > num_rows_for_inference:
            break
    if column_names is None:
        if not header:
            raise ValueError("Expected `column_names` or `header` argument to be True.")
        column_names = head[0]
    column_names = list(column_names)
    if len(set(column_names)) != len(column_names):
        raise ValueError("Cannot have duplicate column names.")
    if label_name is not None and label_name not in column_names:
        raise ValueError(f"`label_name` provided must be one of the columns: {column_names}. "
                         f"Received: {label_name}.")
    sel = list(range(len(column_names)))
    if select_columns is not None:
        sel = [c if isinstance(c, int) else column_names.index(c) if c in column_names else -1
               for c in select_columns]
        if -1 in sel:
            raise ValueError(f"Value(s) {select_columns} are not in the list {column_names}")
        sel = sorted(sel)
    rows = head[1:] if header else head
    if column_defaults is None:
        types = [_infer_type([r[i] if i < len(r) else "" for r in rows]) for i in sel]
        defaults = [Tensor(np.asarray([0], d.as_numpy_dtype)) if d is not dtypes.string
                    else Tensor(np.asarray([b""], object)) for d in types]
    else:
        defaults = [column_defaults[i] for i in range(len(sel))] \
            if select_columns is None else list(column_defaults)
    names = [column_names[i] for i in sel]
    ds = CsvDataset(files, defaults, compression_type=compression_type, header=header,
                    field_delim=field_delim, use_quote_delim=use_quote_delim,
                    na_value=na_value, select_cols=sel if select_columns is not None else None)

    def to_dict(*cols):
        d = collections.OrderedDict(zip(names, cols))
        if label_name is None:
            return d
        label = d.pop(label_name)
        return d, label

    if num_epochs != 1:
        ds = ds.repeat(num_epochs)
    if shuffle:
        ds = ds.shuffle(shuffle_buffer_size, seed=shuffle_seed)
    ds = ds.batch(batch_size, drop_remainder=num_epochs is None).map(to_dict)
    return ds.prefetch(prefetch_buffer_size or 1)
