"""``Dataset.shard`` (keep every ``num_shards``-th element, starting at ``index``) and the
pipeline inspection ``tf.distribute`` needs for auto-sharding: the pipeline's
``auto_shard_policy`` and rebuilding a file-reading pipeline on a share of its files."""
import copy
import itertools

import numpy as np

from tapeflow.data.dataset import INFINITE, UNKNOWN, Dataset
from tapeflow.data.options import AutoShardPolicy
from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError


def _int(v):
    return int(np.asarray(v))


class _ShardDataset(Dataset):
    def __init__(self, input_ds, num_shards, index):
        num_shards, index = _int(num_shards), _int(index)
        if num_shards <= 0:
            raise InvalidArgumentError(None, None, "Number of shards must be greater than zero "
                                       f"(currently num_shards = {num_shards}).")
        if not 0 <= index < num_shards:
            raise InvalidArgumentError(None, None, f"Index must be between 0 and "
                                       f"{num_shards - 1} (currently index = {index}).")
        self._input = input_ds
        self._n, self._i = num_shards, index
        n = input_ds._card
        if n in (INFINITE, UNKNOWN):
            card = n
        else:
            card = n // num_shards + (1 if index < n % num_shards else 0)
        super().__init__(input_ds._template, input_ds._specs, card)
        self._slice_root = input_ds._slice_root

    def _index_gen(self):
        return itertools.islice(self._input._index_gen(), self._i, None, self._n)

    def _gen(self):
        g = self._input._gen()
        try:
            yield from itertools.islice(g, self._i, None, self._n)
        finally:
            g.close()


def _chain(dataset):
    """The datasets from ``dataset`` down its single-input chain to the source."""
    out = [dataset]
    while isinstance(getattr(out[-1], "_input", None), Dataset):
        out.append(out[-1]._input)
    return out


def auto_shard_policy(dataset):
    """Returns the ``AutoShardPolicy`` set on ``dataset`` or on a dataset it was built from."""
    for ds in _chain(dataset):
        opts = ds.__dict__.get("_options")
        dist = getattr(opts, "experimental_distribute", None)
        policy = getattr(dist, "auto_shard_policy", None)
        if policy is not None:
            return AutoShardPolicy(policy)
    return AutoShardPolicy.AUTO


def shard_files(dataset, num_workers, index):
    """Returns ``dataset`` rebuilt on ``1/num_workers`` of its input files, or None when
    the pipeline does not read files (its source is not a list of file names read by
    ``flat_map``/``interleave``).

    Raises:
      InvalidArgumentError: when there are fewer files than workers.
    """
    chain = _chain(dataset)
    source = chain[-1]
    specs = source._specs
    reads = any(hasattr(ds, "_datasets") for ds in chain[:-1])
    if not reads or len(specs) != 1 or specs[0].dtype != dtypes.string or \
            specs[0].shape.rank != 0:
        return None
    n_files = int(np.asarray(source.cardinality()))
    if 0 <= n_files < num_workers:
        raise InvalidArgumentError(
            None, None, f"There are {n_files} input files but {num_workers} workers: FILE "
            "sharding needs at least one file per worker. Use AutoShardPolicy.DATA.")
    rebuilt = source.shard(num_workers, index)
    for node in reversed(chain[:-1]):
        clone = copy.copy(node)
        clone._input = rebuilt
        if "_slice_root" in node.__dict__:
            clone._slice_root = rebuilt._slice_root
        rebuilt = clone
    return rebuilt
