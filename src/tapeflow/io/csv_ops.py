"""``tf.io.decode_csv``: CSV records to one Tensor per column (RFC 4180 quoting)."""
import csv

import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor, convert_to_tensor

_TYPES = ("int32", "int64", "float32", "float64", "string")


def column_defaults(record_defaults):
    """Returns ``[(dtype, default value or None)]`` for ``record_defaults``.

    Each entry is a one-element list/Tensor (the default), an empty Tensor (the
    field is required) or a DType (required, of that type).
    """
    out = []
    for d in record_defaults:
        if isinstance(d, dtypes.DType) or (isinstance(d, type) and d is not str):
            out.append((dtypes.as_dtype(d), None))
            continue
        t = convert_to_tensor(d)
        if t.dtype.name not in _TYPES:
            raise InvalidArgumentError(None, "DecodeCSV", f"Unsupported type {t.dtype.name} in "
                                       "record_defaults")
        a = np.asarray(np.asarray(t)).reshape(-1)
        out.append((t.dtype, a[0] if a.size else None))
    return out


def split_record(line, field_delim=",", use_quote_delim=True):
    """Returns the fields of one CSV record as a list of str."""
    if not use_quote_delim:
        return line.split(field_delim)
    return next(csv.reader([line], delimiter=field_delim, quotechar='"', doublequote=True,
                           strict=False), [""])


def convert_fields(fields, columns, record_index, na_value="", select_cols=None):
    """Returns one converted value per column for the fields of record ``record_index``.

    Raises:
      InvalidArgumentError: for a wrong field count, a required field missing or a
        field that does not parse as its column's type.
    """
    if select_cols is not None:
        if max(select_cols, default=-1) >= len(fields):
            raise InvalidArgumentError(None, "DecodeCSV", f"Expect {len(columns)} fields but "
                                       f"have {len(fields)} in record {record_index}")
        fields = [fields[i] for i in select_cols]
    if len(fields) != len(columns):
        raise InvalidArgumentError(None, "DecodeCSV", f"Expect {len(columns)} fields but have "
                                   f"{len(fields)} in record {record_index}")
    out = []
    for j, (field, (dtype, default)) in enumerate(zip(fields, columns)):
        if field == "" or field == na_value:
            if default is None:
                raise InvalidArgumentError(None, "DecodeCSV", f"Field {j} is required but "
                                           f"missing in record {record_index}!")
            out.append(default)
            continue
        name = dtype.name
        try:
            if name == "string":
                out.append(field.encode())
            elif name.startswith("int"):
                v = int(field.strip())
                if not -(1 << (int(name[3:]) - 1)) <= v < (1 << (int(name[3:]) - 1)):
                    raise ValueError
                out.append(v)
            else:
                out.append(float(field))
        except ValueError:
            raise InvalidArgumentError(None, "DecodeCSV", f"Field {j} in record {record_index} "
                                       f"is not a valid {name}: {field}") from None
    return out


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, name=None,
               na_value="", select_cols=None):
    """Returns a list of Tensors, one per column, each of the shape of ``records``.

    Args:
      records: a string Tensor of CSV lines.
      record_defaults: one default per column (``[0]``, ``[1.0]``, ``[""]`` ...); an
        empty Tensor makes the column required.
      field_delim, use_quote_delim, na_value, select_cols: as TensorFlow.

    Raises:
      InvalidArgumentError: on a bad record (see ``convert_fields``).
      ValueError: if ``select_cols`` and ``record_defaults`` differ in length.
    """
    if select_cols is not None and len(select_cols) != len(record_defaults):
        raise ValueError("Length of select_cols and record_defaults do not match.")
    if select_cols is not None and any(b <= a for a, b in zip(select_cols, select_cols[1:])):
        raise ValueError("select_cols is not strictly increasing.")
    columns = column_defaults(record_defaults)
    recs = np.asarray(np.asarray(convert_to_tensor(records, dtype=dtypes.string)))
    rows = []
    for i, r in enumerate(recs.reshape(-1)):
        line = r.decode("utf-8") if isinstance(r, bytes) else str(r)
        rows.append(convert_fields(split_record(line, field_delim, use_quote_delim), columns,
                                   i, na_value, select_cols))
    out = []
    for j, (dtype, _) in enumerate(columns):
        if dtype.name == "string":
            col = np.empty(len(rows), dtype=object)
            col[:] = [row[j] for row in rows]
        else:
            col = np.asarray([row[j] for row in rows], dtype=dtype.as_numpy_dtype)
        out.append(Tensor(col.reshape(recs.shape)))
    return out
