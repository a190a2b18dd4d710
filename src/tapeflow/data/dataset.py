"""``tf.data.Dataset``: the base class, its iterator, and the sources.

A dataset produces *flat tuples of NumPy arrays*; ``_template`` says how to nest
them, ``_specs`` holds one ``TensorSpec`` per component. Iteration wraps the
arrays as Tensors only at the boundary, so batching stacks plain arrays.
"""
import glob as _glob
import os

import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.tensor_spec import TensorSpec
from tapeflow.data import structure as st

INFINITE = -1
UNKNOWN = -2
AUTOTUNE = -1


class Dataset:
    """A lazy, streaming pipeline of elements (nests of Tensors).

    Build one from a source (``from_tensor_slices``, ``from_generator``, ``range``
    ...) and chain transformations (``map``, ``shuffle``, ``batch``, ``prefetch``).
    """

    _tf_name = None
    _slice_root = None  # the _TensorSliceDataset whose slices this yields by index, if any

    def __init__(self, template, specs, cardinality):
        self._tmpl = template
        self._spec_list = None if specs is None else list(specs)
        self._card = cardinality

    # -- to override ------------------------------------------------------
    def _gen(self):
        """Yields elements as flat tuples of NumPy arrays."""
        raise NotImplementedError

    def _infer(self):
        """Fills ``_tmpl``/``_spec_list`` for datasets whose structure is found lazily."""
        raise NotImplementedError

    def _element(self, flat):
        """Returns a flat element as the nest of Tensors that functions receive."""
        return st.wrap(self._template, flat)

    # -- structure --------------------------------------------------------
    @property
    def _template(self):
        if self._spec_list is None:
            self._infer()
        return self._tmpl

    @property
    def _specs(self):
        if self._spec_list is None:
            self._infer()
        return self._spec_list

    @property
    def element_spec(self):
        """Returns the nest of ``tf.TensorSpec`` describing one element."""
        return st.pack(self._template, self._specs)

    def __repr__(self):
        name = self._tf_name or type(self).__name__
        return f"<{name} element_spec={self.element_spec!r}>"

    # -- iteration --------------------------------------------------------
    def __iter__(self):
        """Returns an iterator over the elements as nests of Tensors.

        Inside a ``tf.function`` trace the iteration cannot be recorded (each call must
        read the dataset anew), so that signature runs eagerly.
        """
        from tapeflow.framework.graph.func_graph import Uncapturable, current
        if current() is not None:
            raise Uncapturable("a tf.data.Dataset iterated inside the function")
        return _Iterator(self)

    def _iter_numpy(self):
        """Yields the elements as nests of NumPy arrays (0-d arrays for scalars).

        The cheap path for training loops: no Tensor wrapping.
        """
        tmpl = self._template
        if tmpl is None:
            for flat in self._gen():
                yield flat[0]
        elif st.is_flat_tuple(tmpl):
            yield from self._gen()
        else:
            for flat in self._gen():
                yield st.pack(tmpl, flat)

    def as_numpy_iterator(self):
        """Returns an iterator over the elements as NumPy values.

        Scalars come out as NumPy scalars and strings as ``bytes``, like TensorFlow.
        """
        tmpl = self._template
        return (st.wrap_numpy(tmpl, flat) for flat in self._gen())

    # -- size -------------------------------------------------------------
    def cardinality(self):
        """Returns the number of elements as an int64 scalar Tensor.

        ``tf.data.INFINITE_CARDINALITY`` (-1) for infinite datasets and
        ``tf.data.UNKNOWN_CARDINALITY`` (-2) when it cannot be known statically.
        """
        return Tensor(np.asarray(self._card, dtype=np.int64))

    def __len__(self):
        if self._card == INFINITE:
            raise TypeError("The dataset is infinite.")
        if self._card == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return int(self._card)

    def __bool__(self):
        return True

    # -- sources ----------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """Returns a dataset whose elements are slices of ``tensors`` along the first axis.

        ``tensors`` may be a tensor, array, list (converted to one tensor), or a
        tuple/dict nest of them; all components must have the same first dimension.

        Raises:
          ValueError: if the first dimensions differ.
        """
        tmpl, leaves = _arrays_of(tensors)
        if any(type(a) is not np.ndarray for a in leaves):  # sparse or ragged components
            from tapeflow.data.sources import _CompositeSliceDataset
            return _CompositeSliceDataset(tmpl, leaves)
        return _TensorSliceDataset(tensors)

    @staticmethod
    def from_tensors(tensors, name=None):
        """Returns a dataset with a single element, ``tensors``."""
        return _TensorDataset(tensors)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):
        """Returns a dataset whose elements are produced by calling ``generator(*args)``.

        ``generator`` is called afresh on every iteration. Describe its elements with
        ``output_signature`` (a nest of ``tf.TensorSpec``), or the legacy
        ``output_types`` / ``output_shapes``.
        """
        from tapeflow.data.sources import _GeneratorDataset
        return _GeneratorDataset(generator, output_types, output_shapes, args, output_signature)

    @staticmethod
    def range(*args, output_type=dtypes.int64, name=None):
        """Returns a dataset of ``range(start, stop, step)`` as int64 scalars."""
        return _RangeDataset(args, output_type)

    @staticmethod
    def zip(*args, datasets=None, name=None):
        """Returns a dataset zipping datasets (a tuple or dict of datasets, or several)."""
        from tapeflow.data.sources import _ZipDataset
        if datasets is None:
            datasets = args[0] if len(args) == 1 else tuple(args)
        return _ZipDataset(datasets)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None):
        """Returns a dataset of the file names (bytes) matching ``file_pattern``.

        Sorted when ``shuffle=False``; shuffled (each iteration) by default.

        Raises:
          InvalidArgumentError: if nothing matches.
        """
        patterns = [file_pattern] if isinstance(file_pattern, (str, bytes, Tensor)) \
            else list(file_pattern)
        names = []
        for p in patterns:
            p = st.to_array(p)[()] if not isinstance(p, (str, bytes)) else p
            p = p.decode() if isinstance(p, bytes) else p
            names.extend(_glob.glob(p))
        if not names:
            raise InvalidArgumentError(
                None, None, "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. "
                f"Summarized data: b'No files matched pattern: {', '.join(map(str, patterns))}'")
        arr = np.empty(len(names), dtype=object)
        arr[:] = [os.fsencode(n) for n in sorted(set(names))]
        ds = _TensorSliceDataset(arr)
        if shuffle is None or shuffle:
            ds = ds.shuffle(len(arr), seed=seed)
        return ds

    @staticmethod
    def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                             rerandomize_each_iteration=None):
        """Returns a dataset drawing each element from a randomly chosen input dataset."""
        from tapeflow.data.combinators import sample_from_datasets
        return sample_from_datasets(datasets, weights, seed, stop_on_empty_dataset,
                                    rerandomize_each_iteration)

    @staticmethod
    def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
        """Returns a dataset taking each element from ``datasets[c]``, ``c`` from ``choice_dataset``."""
        from tapeflow.data.combinators import choose_from_datasets
        return choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset)

    @staticmethod
    def load(path, element_spec=None, compression=None, reader_func=None):
        """Returns the dataset that ``Dataset.save`` wrote under folder ``path``."""
        from tapeflow.data.save_load import load
        return load(path, element_spec, compression, reader_func)

    def save(self, path, compression=None, shard_func=None, checkpoint_args=None):
        """Writes the elements under folder ``path`` (atomically, never pickled); returns None."""
        from tapeflow.data.save_load import save
        return save(self, path, compression, shard_func, checkpoint_args)

    def group_by_window(self, key_func, reduce_func, window_size=None, window_size_func=None,
                        name=None):
        """Returns ``reduce_func(key, window)`` of windows of elements grouped by ``key_func``."""
        from tapeflow.data.grouping import group_by_window
        return group_by_window(self, key_func, reduce_func, window_size, window_size_func)

    def bucket_by_sequence_length(self, element_length_func, bucket_boundaries,
                                  bucket_batch_sizes, padded_shapes=None, padding_values=None,
                                  pad_to_bucket_boundary=False, no_padding=False,
                                  drop_remainder=False, name=None):
        """Returns padded batches of elements bucketed by ``element_length_func``."""
        from tapeflow.data.grouping import bucket_by_sequence_length
        return bucket_by_sequence_length(self, element_length_func, bucket_boundaries,
                                         bucket_batch_sizes, padded_shapes, padding_values,
                                         pad_to_bucket_boundary, no_padding, drop_remainder)

    # -- transformations (defined in transformations.py / batching.py) -----
    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Returns a dataset of ``map_func`` applied to each element.

        A tuple element is passed as positional arguments, anything else as one
        argument. ``num_parallel_calls`` is accepted; output order is deterministic.
        """
        from tapeflow.data.transformations import _MapDataset
        return _MapDataset(self, map_func, num_parallel_calls)

    def filter(self, predicate, name=None):
        """Returns a dataset of the elements for which ``predicate`` returns True."""
        from tapeflow.data.transformations import _FilterDataset
        return _FilterDataset(self, predicate)

    def flat_map(self, map_func, name=None):
        """Returns the concatenation of the datasets ``map_func`` returns per element."""
        from tapeflow.data.transformations import _FlatMapDataset
        return _FlatMapDataset(self, map_func)

    def interleave(self, map_func, cycle_length=None, block_length=None,
                   num_parallel_calls=None, deterministic=None, name=None):
        """Returns the datasets from ``map_func`` interleaved ``block_length`` at a time."""
        from tapeflow.data.transformations import _InterleaveDataset
        return _InterleaveDataset(self, map_func, cycle_length, block_length)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Returns a dataset shuffled through a buffer of ``buffer_size`` elements.

        The buffer is filled with the first ``buffer_size`` elements; each output is
        drawn uniformly from the buffer and replaced by the next input element.
        """
        from tapeflow.data.transformations import _ShuffleDataset
        return _ShuffleDataset(self, buffer_size, seed, reshuffle_each_iteration)

    def repeat(self, count=None, name=None):
        """Returns the dataset repeated ``count`` times (forever when None or -1)."""
        from tapeflow.data.transformations import _RepeatDataset
        return _RepeatDataset(self, count)

    def take(self, count, name=None):
        """Returns a dataset of at most the first ``count`` elements (-1: all)."""
        from tapeflow.data.transformations import _TakeDataset
        return _TakeDataset(self, count)

    def shard(self, num_shards, index, name=None):
        """Returns the elements whose position ``i`` has ``i % num_shards == index``.

        Raises:
          InvalidArgumentError: if ``num_shards <= 0`` or ``index`` is out of range.
        """
        from tapeflow.data.sharding import _ShardDataset
        return _ShardDataset(self, num_shards, index)

    def skip(self, count, name=None):
        """Returns a dataset without the first ``count`` elements (-1: all)."""
        from tapeflow.data.transformations import _SkipDataset
        return _SkipDataset(self, count)

    def take_while(self, predicate, name=None):
        """Returns the elements up to (not including) the first where ``predicate`` is False."""
        from tapeflow.data.transformations import _TakeWhileDataset
        return _TakeWhileDataset(self, predicate)

    def enumerate(self, start=0, name=None):
        """Returns a dataset of ``(index, element)`` pairs with int64 indices."""
        ds = Dataset.zip((Dataset.range(start, np.iinfo(np.int64).max), self))
        if self._card == INFINITE:  # the counter's huge range is not a bound
            ds._card = INFINITE
        return ds

    def concatenate(self, dataset, name=None):
        """Returns this dataset's elements followed by ``dataset``'s.

        Raises:
          TypeError: if the two element structures or dtypes differ.
        """
        from tapeflow.data.sources import _ConcatenateDataset
        return _ConcatenateDataset(self, dataset)

    def cache(self, filename="", name=None):
        """Returns a dataset that stores its elements on the first full pass.

        In memory when ``filename`` is empty, else in a NumPy ``.npz`` file at
        ``filename + ".npz"`` (never pickled), reused by later pipelines.
        """
        from tapeflow.data.cache import _CacheDataset
        return _CacheDataset(self, filename)

    def unique(self, name=None):
        """Returns the distinct elements of a dataset of scalars, in first-seen order."""
        from tapeflow.data.transformations import _UniqueDataset
        return _UniqueDataset(self)

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
        """Returns a dataset of windows; each window is a nest of datasets.

        Window ``i`` holds the input elements ``i*shift, i*shift + stride, ...`` (``size``
        of them, fewer at the end unless ``drop_remainder``).
        """
        from tapeflow.data.transformations import _WindowDataset
        return _WindowDataset(self, size, shift, stride, drop_remainder)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Returns a dataset of consecutive elements stacked into batches.

        The last batch is smaller unless ``drop_remainder`` is True.

        Raises:
          InvalidArgumentError: (on iteration) if elements of a batch differ in shape.
        """
        from tapeflow.data.batching import _BatchDataset
        return _BatchDataset(self, batch_size, drop_remainder)

    def ragged_batch(self, batch_size, drop_remainder=False, row_splits_dtype=dtypes.int64,
                     name=None):
        """Returns batches in which components of differing shapes become RaggedTensors."""
        from tapeflow.data.batching import _RaggedBatchDataset
        return _RaggedBatchDataset(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None):
        """Returns batches whose components are padded to a common shape."""
        from tapeflow.data.batching import _PaddedBatchDataset
        return _PaddedBatchDataset(self, batch_size, padded_shapes, padding_values,
                                   drop_remainder)

    def unbatch(self, name=None):
        """Returns a dataset of the slices of each element along its first axis."""
        from tapeflow.data.batching import _UnbatchDataset
        return _UnbatchDataset(self)

    def rebatch(self, batch_size, drop_remainder=False, name=None):
        """Returns the elements re-split into batches of ``batch_size`` (an int or a list)."""
        from tapeflow.data.batching import _RebatchDataset
        return _RebatchDataset(self, batch_size, drop_remainder)

    def prefetch(self, buffer_size, name=None):
        """Returns a dataset that produces up to ``buffer_size`` elements ahead, in a thread."""
        from tapeflow.data.prefetch import _PrefetchDataset
        return _PrefetchDataset(self, buffer_size)

    def reduce(self, initial_state, reduce_func, name=None):
        """Returns ``reduce_func(state, element)`` folded over the dataset.

        Returns:
          The final state, as a nest of Tensors.
        """
        from tapeflow.data.transformations import call_fn
        state = st.normalize_output(initial_state)
        # The initial state becomes tensors first (0 is an int32 tensor), as in TensorFlow.
        state = st.wrap(st.template_of(state), [st.to_array(x) for x in st.flatten(state)])
        tmpl = self._template
        for flat in self._gen():
            state = st.normalize_output(call_fn(reduce_func, (state, st.wrap(tmpl, flat)),
                                                unpack=True))
        s_tmpl = st.template_of(state)
        return st.wrap(s_tmpl, [st.to_array(x) for x in st.flatten(state)])

    def apply(self, transformation_func):
        """Returns ``transformation_func(self)``."""
        return transformation_func(self)

    def options(self):
        """Returns the dataset's ``tf.data.Options``."""
        from tapeflow.data.options import Options
        return getattr(self, "_options", None) or Options()

    def with_options(self, options, name=None):
        """Returns this dataset with ``options`` attached (they change nothing here)."""
        self._options = options
        return self


class _Iterator:
    """The iterator ``iter(dataset)`` returns: ``next()``, ``get_next()``, ``element_spec``."""

    __slots__ = ("_gen", "_tmpl", "_spec")

    def __init__(self, ds):
        self._gen = ds._gen()
        self._tmpl = ds._template
        self._spec = ds

    def __iter__(self):
        return self

    def __next__(self):
        return st.wrap(self._tmpl, next(self._gen))

    def get_next(self):
        """Returns the next element.

        Raises:
          OutOfRangeError: at the end of the dataset.
        """
        try:
            return self.__next__()
        except StopIteration:
            from tapeflow.framework.errors import OutOfRangeError
            raise OutOfRangeError(None, None, "End of sequence") from None

    @property
    def element_spec(self):
        return self._spec.element_spec


# -- simple sources -------------------------------------------------------------

def _arrays_of(tensors):
    tmpl = st.template_of(tensors)
    arrays = [st.to_array(x) for x in st.flatten(tensors)]
    return tmpl, arrays


class _TensorSliceDataset(Dataset):
    def __init__(self, tensors):
        tmpl, arrays = _arrays_of(tensors)
        arrays = [np.array(a) for a in arrays]  # own copy, as TensorFlow copies
        n = None
        for a in arrays:
            if a.ndim == 0:
                raise ValueError("Unbatching a tensor is only supported for rank >= 1")
            if n is None:
                n = a.shape[0]
            elif a.shape[0] != n:
                raise ValueError(f"Dimensions {n} and {a.shape[0]} are not compatible")
        self._arrays = arrays
        self._n = n or 0
        super().__init__(tmpl, [st.spec_of(a, True) for a in arrays], self._n)

    @property
    def _slice_root(self):
        return self

    def _gen(self):
        arrays = self._arrays
        if len(arrays) == 1:
            a = arrays[0]
            for i in range(self._n):
                yield (a[i, ...],)
        else:
            for i in range(self._n):
                yield tuple([a[i, ...] for a in arrays])

    def _index_gen(self):
        """Yields the slice indices in order (lets batch/shuffle work on indices)."""
        return iter(range(self._n))


class _TensorDataset(Dataset):
    def __init__(self, tensors):
        tmpl, arrays = _arrays_of(tensors)
        self._arrays = tuple(arrays)
        super().__init__(tmpl, [st.spec_of(a) for a in arrays], 1)

    def _gen(self):
        yield self._arrays


class _RangeDataset(Dataset):
    def __init__(self, args, output_type):
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Invalid arguments to RangeDataset: {args}")
        args = [int(a) for a in args]
        self._range = range(*args)
        self._np = dtypes.as_dtype(output_type)._np
        super().__init__(st._LEAF, [TensorSpec((), output_type)], len(self._range))

    def _gen(self):
        t = self._np.type
        for i in self._range:
            yield (np.asarray(t(i)),)
