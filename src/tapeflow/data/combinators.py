"""``Dataset.sample_from_datasets`` and ``Dataset.choose_from_datasets``."""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.data.dataset import UNKNOWN, Dataset


def _common(datasets):
    datasets = list(datasets)
    if not datasets:
        raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
    first = datasets[0]
    for d in datasets[1:]:
        if [s.dtype for s in d._specs] != [s.dtype for s in first._specs]:
            raise TypeError("Invalid `datasets`. `datasets` must have compatible element "
                            f"specs.\n Dataset 0 element_spec={first.element_spec}.\nDataset "
                            f"1 element_spec={d.element_spec}.")
    specs = []
    for j, s in enumerate(first._specs):
        shapes = [d._specs[j].shape for d in datasets]
        same = all(sh.as_list() == shapes[0].as_list() for sh in shapes) \
            if all(sh.rank is not None for sh in shapes) else False
        specs.append(s if same else type(s)(
            [None] * s.shape.rank if s.shape.rank is not None and
            all(sh.rank == s.shape.rank for sh in shapes) else None, s.dtype))
    return datasets, first._template, specs


class _DirectedInterleaveDataset(Dataset):
    _tf_name = "_DirectedInterleaveDataset"

    def __init__(self, datasets, choose, stop_on_empty):
        self._datasets, tmpl, specs = _common(datasets)
        self._choose = choose  # a callable returning an iterator of dataset indices
        self._stop = stop_on_empty
        super().__init__(tmpl, specs, UNKNOWN)

    def _gen(self):
        gens = [d._gen() for d in self._datasets]
        alive = [True] * len(gens)
        for i in self._choose(alive):
            if i < 0 or i >= len(gens):
                raise InvalidArgumentError(None, None, f"Selector index out of range: {i} >= "
                                           f"{len(gens)}")
            if not alive[i]:
                continue
            x = next(gens[i], None)
            if x is None:
                alive[i] = False
                if self._stop or not any(alive):
                    return
                continue
            yield x


def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                         rerandomize_each_iteration=None):
    """Returns a dataset drawing each element from ``datasets[i]`` with probability
    ``weights[i]`` (uniform by default); exhausted inputs stop being drawn (or end the
    dataset with ``stop_on_empty_dataset``).

    Raises:
      ValueError: if ``weights`` has the wrong length.
    """
    from tapeflow.ops import random_ops
    datasets = list(datasets)
    n = len(datasets)
    if weights is None:
        w = np.full(n, 1.0 / max(n, 1))
    else:
        if isinstance(weights, Dataset):
            raise NotImplementedError("weights given as a Dataset are not supported")
        w = np.asarray(weights, dtype=np.float64).reshape(-1)
        if len(w) != n:
            raise ValueError(f"Invalid `weights`. The shape of `weights` should be compatible "
                             f"with `[len(datasets)]` but is {list(w.shape)}.")
    g, op = random_ops.get_seed(None if seed is None else int(seed))
    epoch = [0]

    def choose(alive):
        epoch[0] += 1
        rng = np.random.default_rng(None if g is None else [g & 0xFFFFFFFF, op & 0xFFFFFFFF,
                                                             epoch[0] if rerandomize_each_iteration
                                                             else 0])
        while True:
            p = np.where(alive, w, 0.0)
            total = p.sum()
            if total <= 0:
                return
            yield int(rng.choice(n, p=p / total))

    return _DirectedInterleaveDataset(datasets, choose, stop_on_empty_dataset)


def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
    """Returns a dataset taking its next element from ``datasets[c]`` for each int64
    scalar ``c`` of ``choice_dataset``.

    Raises:
      TypeError: if ``choice_dataset`` is not a dataset of int64 scalars.
      InvalidArgumentError: (on iteration) for a choice out of range.
    """
    if not isinstance(choice_dataset, Dataset):
        raise TypeError("Invalid `choice_dataset`. `choice_dataset` must be a "
                        f"`tf.data.Dataset`. Received: {choice_dataset}")
    spec = choice_dataset.element_spec
    if getattr(spec, "dtype", None) is not dtypes.int64 or spec.shape.rank != 0:
        raise TypeError("Invalid `choice_dataset`. Elements of `choice_dataset` must be scalar "
                        f"`tf.int64` tensors but are {spec}.")

    def choose(alive):
        for (c,) in choice_dataset._gen():
            yield int(c)

    return _DirectedInterleaveDataset(datasets, choose, stop_on_empty_dataset)
