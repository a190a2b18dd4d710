"""Distributed datasets: each worker's part of every global batch.

A dataset given to ``experimental_distribute_dataset`` yields *global* batches.
As TensorFlow does, each global batch (a short last one too) is split into
``num_replicas_in_sync`` per-replica batches whose sizes differ by at most one,
the first replicas taking the extra elements, and the dataset's
``auto_shard_policy`` decides which pieces a worker reads:

- DATA (and AUTO when the pipeline does not read files): worker ``i`` keeps
  piece ``i`` of every global batch; every worker reads the whole input.
- FILE (and AUTO when it does): worker ``i`` reads every ``N``-th input file and
  yields all the per-replica pieces of its own batches.
- OFF: every worker reads the whole dataset and yields all its pieces.
"""
import numpy as np

from tapeflow.data.options import AutoShardPolicy
from tapeflow.data.sharding import auto_shard_policy, shard_files
from tapeflow.distribute.distribute_lib import InputContext
from tapeflow.framework import errors, nest
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.tensor_spec import TensorSpec
from tapeflow.framework.variable import array_of


def split_sizes(n, num_replicas):
    """Returns the per-replica sizes of a batch of ``n`` elements.

    As TensorFlow's multi-worker input (checked against TF 2.21 on two workers): any
    batch, a short last one too, is split evenly, the first ``n % num_replicas``
    replicas taking one more (so 2 elements over 2 workers give 1 and 1, and 1 element
    gives 1 and an empty batch).
    """
    base, extra = divmod(n, num_replicas)
    return [base + (1 if r < extra else 0) for r in range(num_replicas)]


def _leading(leaf):
    a = array_of(leaf) if isinstance(leaf, Tensor) else np.asarray(leaf)
    return a.shape[0] if a.ndim else None


def split_element(element, num_replicas):
    """Returns the per-replica pieces of one batch (a nest of tensors), as a list."""
    flat = nest.flatten(element)
    n = next((d for d in map(_leading, flat) if d is not None), None)
    if n is None:   # unbatched scalars: every replica gets the element
        return [element] * num_replicas
    sizes = split_sizes(n, num_replicas)
    pieces, start = [], 0
    for size in sizes:
        stop = start + size
        leaves = [Tensor((array_of(leaf) if isinstance(leaf, Tensor) else np.asarray(leaf))
                         [start:stop]) if _leading(leaf) is not None else leaf for leaf in flat]
        pieces.append(nest.pack_sequence_as(element, leaves))
        start = stop
    return pieces


class DistributedDataset:
    """This worker's view of a dataset of global batches (``tf.distribute.DistributedDataset``).

    Iterating yields this worker's per-replica batches.
    """

    def __init__(self, strategy, dataset, options=None):
        world = strategy.extended.world
        self._strategy = strategy
        self._dataset = dataset
        self._n, self._rank = world.size, world.rank
        self._mode, self._source = "whole", dataset
        if self._n > 1:
            policy = auto_shard_policy(dataset)
            if policy == AutoShardPolicy.OFF:
                self._mode = "pieces"
            elif policy in (AutoShardPolicy.FILE, AutoShardPolicy.AUTO, AutoShardPolicy.HINT):
                sharded = shard_files(dataset, self._n, self._rank)
                if sharded is not None:
                    self._mode, self._source = "pieces", sharded
                elif policy == AutoShardPolicy.FILE:
                    raise errors.NotFoundError(
                        None, None, "Found an unshardable source dataset: FILE sharding "
                        "needs a pipeline that reads files (Dataset.list_files or file "
                        "names read by interleave/flat_map). Use AutoShardPolicy.DATA.")
                else:
                    self._mode = "mine"
            else:
                self._mode = "mine"

    @property
    def one_batch_per_global_batch(self):
        """Returns True when this worker yields one batch per global batch (DATA sharding,
        or one worker), so it takes as many steps as the dataset has batches."""
        return self._mode in ("whole", "mine")

    @property
    def element_spec(self):
        """Returns the spec of one per-replica batch (leading dimension unknown)."""
        def relax(spec):
            if isinstance(spec, TensorSpec) and self._n > 1 and spec.shape.rank:
                return TensorSpec([None] + spec.shape.as_list()[1:], spec.dtype, spec.name)
            return spec
        return nest.map_structure(relax, self._dataset.element_spec)

    def __iter__(self):
        """Returns an iterator over this worker's per-replica batches."""
        return DistributedIterator(self._batches(), self.element_spec)

    def _batches(self):
        n, rank = self._n, self._rank
        for element in self._source:
            if self._mode == "whole":
                yield element
            elif self._mode == "mine":
                yield split_element(element, n)[rank]
            else:
                for piece in split_element(element, n):
                    yield piece

    def reduce(self, initial_state, reduce_fn):
        """Returns ``reduce_fn(state, batch)`` folded over this worker's batches."""
        state = initial_state
        for batch in self:
            state = reduce_fn(state, batch)
        return state


class DistributedIterator:
    """An iterator over per-replica batches; ``get_next`` and ``get_next_as_optional``."""

    def __init__(self, generator, element_spec):
        self._gen = generator
        self._spec = element_spec

    @property
    def element_spec(self):
        """Returns the spec of one per-replica batch."""
        return self._spec

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._gen)

    def get_next(self):
        """Returns the next batch.

        Raises:
          OutOfRangeError: at the end of the data.
        """
        try:
            return next(self._gen)
        except StopIteration:
            raise errors.OutOfRangeError(None, None, "End of sequence") from None


class DistributedDatasetsFromFunction(DistributedDataset):
    """The dataset ``dataset_fn(InputContext)`` builds for this worker (already sharded and
    batched per replica by the function)."""

    def __init__(self, strategy, dataset_fn, options=None):
        world = strategy.extended.world
        context = InputContext(num_input_pipelines=world.size, input_pipeline_id=world.rank,
                               num_replicas_in_sync=strategy.num_replicas_in_sync)
        dataset = dataset_fn(context)
        self._strategy = strategy
        self._dataset = dataset
        self._n, self._rank = 1, 0
        self._mode, self._source = "whole", dataset
