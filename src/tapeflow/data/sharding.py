"""``Dataset.shard``: keep every ``num_shards``-th element, starting at ``index``."""
import itertools

from tapeflow.data.dataset import INFINITE, UNKNOWN, Dataset
from tapeflow.framework.errors import InvalidArgumentError


def _int(v):
    import numpy as np
    return int(np.asarray(getattr(v, "_value", v)))


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
