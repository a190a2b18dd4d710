"""``tf.data.experimental``: AUTOTUNE, cardinality, CSV readers, sampling, save/load."""
from tapeflow.data.dataset import AUTOTUNE, INFINITE as INFINITE_CARDINALITY  # noqa: F401
from tapeflow.data.dataset import UNKNOWN as UNKNOWN_CARDINALITY  # noqa: F401
from tapeflow.data.options import AutoShardPolicy, DistributeOptions  # noqa: F401


def cardinality(dataset):
    """Returns the cardinality of ``dataset`` as an int64 scalar Tensor.

    ``INFINITE_CARDINALITY`` (-1) if infinite, ``UNKNOWN_CARDINALITY`` (-2) if unknown.
    """
    return dataset.cardinality()


def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False):
    """Returns ``tf.data.Dataset.sample_from_datasets(...)``."""
    from tapeflow.data.combinators import sample_from_datasets as f
    return f(datasets, weights, seed, stop_on_empty_dataset)


def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
    """Returns ``tf.data.Dataset.choose_from_datasets(...)``."""
    from tapeflow.data.combinators import choose_from_datasets as f
    return f(datasets, choice_dataset, stop_on_empty_dataset)


def save(dataset, path, compression=None, shard_func=None, checkpoint_args=None):
    """Writes ``dataset`` under ``path``; see ``tf.data.Dataset.save``."""
    return dataset.save(path, compression, shard_func, checkpoint_args)


def load(path, element_spec=None, compression=None, reader_func=None):
    """Returns the dataset saved under ``path``; see ``tf.data.Dataset.load``."""
    from tapeflow.data.save_load import load as f
    return f(path, element_spec, compression, reader_func)


def group_by_window(key_func, reduce_func, window_size=None, window_size_func=None):
    """Returns a transformation for ``Dataset.apply``: ``ds.group_by_window(...)``."""
    return lambda ds: ds.group_by_window(key_func, reduce_func, window_size, window_size_func)


def bucket_by_sequence_length(element_length_func, bucket_boundaries, bucket_batch_sizes,
                              padded_shapes=None, padding_values=None,
                              pad_to_bucket_boundary=False, no_padding=False,
                              drop_remainder=False):
    """Returns a transformation for ``Dataset.apply``: ``ds.bucket_by_sequence_length(...)``."""
    return lambda ds: ds.bucket_by_sequence_length(
        element_length_func, bucket_boundaries, bucket_batch_sizes, padded_shapes,
        padding_values, pad_to_bucket_boundary, no_padding, drop_remainder)


def dense_to_ragged_batch(batch_size, drop_remainder=False, row_splits_dtype=None):
    """Returns a transformation for ``Dataset.apply``: ``ds.ragged_batch(...)``."""
    return lambda ds: ds.ragged_batch(batch_size, drop_remainder)


class TFRecordWriter:
    """Writes a dataset of scalar strings to a TFRecord file
    (``tf.data.experimental.TFRecordWriter``).

    Args:
      filename: the file to write (atomically).
      compression_type: ``""``, ``"ZLIB"`` or ``"GZIP"``.
    """

    def __init__(self, filename, compression_type=None):
        self._filename = filename
        self._compression = compression_type

    def write(self, dataset):
        """Writes every element of ``dataset`` (scalar strings) as one record; returns None.

        Raises:
          TypeError: if the elements are not scalar strings.
        """
        from tapeflow.framework import dtypes
        from tapeflow.io.tfrecord import TFRecordWriter as Writer
        spec = dataset.element_spec
        if getattr(spec, "dtype", None) is not dtypes.string or spec.shape.rank != 0:
            raise TypeError("`dataset` must produce scalar `DT_STRING` tensors whereas it "
                            f"produces shape {getattr(spec, 'shape', None)} and types "
                            f"{getattr(spec, 'dtype', spec)}")
        with Writer(self._filename, self._compression) as w:
            for (value,) in dataset._gen():
                w.write(value[()])


def __getattr__(name):
    if name in ("CsvDataset", "make_csv_dataset"):
        from tapeflow.data import readers
        return getattr(readers, name)
    raise AttributeError(f"module 'tapeflow.data.experimental' has no attribute {name!r}")


__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "cardinality",
           "CsvDataset", "make_csv_dataset", "sample_from_datasets", "choose_from_datasets",
           "save", "load", "group_by_window", "bucket_by_sequence_length",
           "dense_to_ragged_batch", "TFRecordWriter", "AutoShardPolicy", "DistributeOptions"]
