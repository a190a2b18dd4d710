"""``tf.io``: files, TFRecord, ``tf.train.Example`` parsing, image and CSV codecs.

Everything reads NumPy and the standard library only; Pillow is imported the
first time an image codec is called.
"""
from tapeflow.io import gfile  # noqa: F401
from tapeflow.io.csv_ops import decode_csv  # noqa: F401
from tapeflow.io.files import read_file, write_file  # noqa: F401
from tapeflow.io.image_codecs import (  # noqa: F401
    decode_bmp, decode_gif, decode_image, decode_jpeg, decode_png, encode_jpeg, encode_png,
    is_jpeg)
from tapeflow.io.parsing import (  # noqa: F401
    FixedLenFeature, FixedLenSequenceFeature, VarLenFeature, parse_example,
    parse_sequence_example, parse_single_example, parse_single_sequence_example)
from tapeflow.io.tensor_proto import (  # noqa: F401
    decode_base64, decode_raw, encode_base64, parse_tensor, serialize_tensor)
from tapeflow.io.tfrecord import TFRecordOptions, TFRecordWriter  # noqa: F401


def matching_files(pattern, name=None):
    """Returns a string Tensor of the sorted paths matching ``pattern``."""
    import numpy as np
    from tapeflow.framework.tensor import Tensor
    found = gfile.glob(pattern)
    out = np.empty(len(found), object)
    out[:] = [p.encode() for p in found]
    return Tensor(out)


__all__ = ["FixedLenFeature", "FixedLenSequenceFeature", "TFRecordOptions", "TFRecordWriter",
           "VarLenFeature", "decode_bmp", "decode_csv", "decode_gif", "decode_image",
           "decode_jpeg", "decode_png", "decode_raw", "decode_base64", "encode_base64", "encode_jpeg", "encode_png", "gfile", "is_jpeg",
           "matching_files", "parse_example", "parse_single_example", "parse_sequence_example",
           "parse_single_sequence_example", "parse_tensor",
           "read_file", "serialize_tensor", "write_file"]
