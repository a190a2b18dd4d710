"""What Keras does differently under a ``tf.distribute`` strategy (one place for it all).

The trainer, the optimizer, the losses, BatchNormalization and the checkpoint
callbacks call these hooks; each returns at once when no multi-replica strategy
is active. Under ``MultiWorkerMirroredStrategy`` on N MPI workers, as in Keras 3
with TensorFlow:

- a model created or compiled inside ``strategy.scope()`` trains with that strategy;
- each worker gets its part of every global batch (``fit``'s ``batch_size`` is
  the global batch size); array data is shuffled identically on every worker,
  from a private copy of worker 0's NumPy RNG state;
- losses reduced over the batch are scaled by ``1/N`` (``scale_loss``) and the
  gradients are summed over the workers in one fused all-reduce per step, so
  the update equals one process's update on the whole global batch;
- the loss tracker and metric states are summed over the workers before every
  ``result()``, so each worker logs the global figures;
- variables start from worker 0's values (broadcast when created in the scope,
  at the start of ``fit`` and before an optimizer's first update);
- only worker 0 (the chief) writes checkpoints, backups and TensorBoard logs.
"""
import contextlib

import numpy as np

from tapeflow.framework import context as _ctx
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.variable import Variable, array_of


# -- losses -------------------------------------------------------------------
def scale_loss(loss):
    """Returns ``loss * 1/num_replicas_in_sync`` (Keras's ``scale_loss_for_distribution``)."""
    n = _ctx.num_replicas_in_sync()
    if n == 1 or loss is None:
        return loss
    from tapeflow.ops import math_ops
    t = loss if isinstance(loss, Tensor) else Tensor(np.asarray(loss, np.float32))
    return math_ops.multiply(t, Tensor(array_of(t).dtype.type(1.0 / n)))


def unscale_loss(loss):
    """Returns ``loss * num_replicas_in_sync`` (the per-replica value of a scaled loss)."""
    n = _ctx.num_replicas_in_sync()
    if n == 1 or loss is None:
        return loss
    from tapeflow.ops import math_ops
    t = loss if isinstance(loss, Tensor) else Tensor(np.asarray(loss, np.float32))
    return math_ops.multiply(t, Tensor(array_of(t).dtype.type(n)))


# -- the model's strategy ------------------------------------------------------
def on_create(model):
    """Records the strategy whose scope is active when the model is created (as Keras)."""
    entry = _ctx.strategy_entry()
    model.__dict__["_distribute_strategy"] = entry[0] if entry is not None else None


def on_compile(model):
    """Records the strategy whose scope is active at ``compile``; outside any scope the
    strategy the model was created under is kept."""
    entry = _ctx.strategy_entry()
    if entry is not None:
        model.__dict__["_distribute_strategy"] = entry[0]


def strategy_of(model):
    """Returns the model's strategy, or the current one (``model.distribute_strategy``)."""
    strategy = model.__dict__.get("_distribute_strategy")
    if strategy is not None:
        return strategy
    from tapeflow.distribute.distribute_lib import get_strategy
    return get_strategy()


def _world(model):
    strategy = model.__dict__.get("_distribute_strategy")
    if strategy is None:
        return None, None
    world = strategy.extended.world
    return strategy, world


def distribute_adapter(model, adapter):
    """Returns ``adapter`` reading this worker's part of every global batch (unchanged with
    one replica). Call once per ``fit``/``evaluate``: it also schedules the broadcast of the
    model's variables from worker 0 before the first step."""
    strategy, world = _world(model)
    if adapter is None or strategy is None or world.size == 1:
        return adapter
    model.__dict__["_distribute_needs_broadcast"] = True
    return _WorkerAdapter(strategy, adapter)


class _WorkerAdapter:
    """Wraps a Keras data adapter: splits each global batch, keeps shuffles identical."""

    def __init__(self, strategy, adapter):
        from tapeflow.data.dataset import Dataset
        from tapeflow.distribute.input_lib import DistributedDataset
        self._adapter = adapter
        world = strategy.extended.world
        self._n, self._rank = world.size, world.rank
        data = getattr(adapter, "data", None)
        self._split = True
        if isinstance(data, DistributedDataset):
            self._split = False      # already this worker's batches
        elif isinstance(data, Dataset):
            adapter.data = DistributedDataset(strategy, data)
            if not adapter.data.one_batch_per_global_batch:
                adapter._len = None
            self._split = False
        # Identical shuffles of array data on every worker: the adapter draws from a
        # private copy of worker 0's global NumPy RNG state (so worker 0 shuffles as one
        # process would); nobody's global RNG is consumed or changed.
        name, keys, pos, has_gauss, cached = np.random.get_state()
        keys, ints, cached = world.broadcast([keys, np.asarray([pos, has_gauss], np.int64),
                                              np.asarray(cached, np.float64)])
        self._rng = (name, np.array(keys, copy=True), int(ints[0]), int(ints[1]),
                     float(cached))

    @property
    def num_batches(self):
        """Returns the number of steps per epoch (the same on every worker)."""
        return self._adapter.num_batches

    def __iter__(self):
        from tapeflow.distribute.input_lib import split_element
        it = iter(self._adapter)
        while True:
            saved = np.random.get_state()
            np.random.set_state(self._rng)
            try:
                element = next(it)
            except StopIteration:
                return
            finally:
                self._rng = np.random.get_state()
                np.random.set_state(saved)
            yield split_element(element, self._n)[self._rank] if self._split \
                else element


def step_function(model, step):
    """Returns ``step`` wrapped to run in the model's strategy's replica context (``step``
    itself with no strategy). The first call after ``distribute_adapter`` broadcasts the
    model's and the optimizer's variables from worker 0."""
    strategy, world = _world(model)
    if strategy is None:
        return step
    from tapeflow.distribute.distribute_lib import replica_scope
    from tapeflow.keras.trainer import Trainer
    name = getattr(step, "__name__", "")
    # A user's train_step/test_step that returns ``{m.name: m.result()}`` reports this
    # worker's figures; they are replaced by the global ones (TF's metrics sync on read).
    custom = world.size > 1 and getattr(type(model), name, None) is not getattr(
        Trainer, name, None)

    def run(data):
        if model.__dict__.pop("_distribute_needs_broadcast", False):
            optimizer = model.optimizer
            trainable = model.trainable_variables
            if optimizer is not None and not optimizer.built and trainable and \
                    step.__name__ == "train_step":
                # Worker 0 may hold a restored optimizer state: build everywhere, then copy.
                optimizer.build(trainable)
            broadcast_variables(world, list(model.variables) + list(
                getattr(optimizer, "variables", None) or []))
        with replica_scope(strategy):
            logs = step(data)
        if custom and isinstance(logs, dict):
            if set(logs) <= {m.name for m in model.metrics}:
                reduced = model.get_metrics_result()
                logs = {k: reduced.get(k, v) for k, v in logs.items()}
        return logs
    return run


def _array(v):
    return array_of(v) if isinstance(v, (Tensor, Variable)) else np.asarray(v)


def broadcast_variables(world, variables):
    """Sets every variable to worker 0's value (one fused broadcast per dtype).

    Raises:
      ValueError: when the workers hold different variables (numbers or sizes).
    """
    if world.size == 1 or not variables:
        return
    arrays = [_array(v) for v in variables]
    mine = np.asarray([len(arrays), sum(a.size for a in arrays)], np.int64)
    chief = world.broadcast([mine], root=0)[0]
    if not np.array_equal(chief, mine):
        raise ValueError(
            f"Worker {world.rank} holds {mine[0]} variables ({mine[1]} values) but worker 0 "
            f"holds {chief[0]} ({chief[1]} values): every worker must build the same model "
            "and optimizer before training.")
    values = world.broadcast(arrays, root=0)
    for v, value in zip(variables, values):
        v.assign(np.array(value, copy=True))


# -- gradients -------------------------------------------------------------------
def all_reduce_gradients(optimizer, grads, variables):
    """Returns ``grads`` summed over the replicas (one fused all-reduce), as Keras's
    TensorFlow optimizer does in a replica context; unchanged otherwise.

    Before an optimizer's first update the trained variables are broadcast from
    worker 0, so custom loops start identical too.
    """
    entry = _ctx.strategy_entry()
    if entry is None or entry[1] is None:
        return grads
    world = entry[0].extended.world
    if world.size == 1:
        return grads
    seen = optimizer.__dict__.setdefault("_distribute_broadcast_ids", set())
    fresh = [v for v in variables if id(v) not in seen]
    if fresh:
        broadcast_variables(world, fresh)
        seen.update(id(v) for v in fresh)
    return world.allreduce(grads)


# -- metrics ---------------------------------------------------------------------
@contextlib.contextmanager
def global_metric_states(model, metrics):
    """Within the block the metrics' state variables hold their sums over the workers
    (Keras metric variables aggregate by SUM), so ``result()`` is the global figure."""
    strategy, world = _world(model)
    if strategy is None or world.size == 1:
        yield
        return
    variables = []
    for m in metrics:
        variables.extend(getattr(m, "variables", None) or [])
    if not variables:
        yield
        return
    local = [np.array(_array(v), copy=True) for v in variables]
    sums = world.allreduce(local)
    for v, s in zip(variables, sums):
        v.assign(s)
    try:
        yield
    finally:
        for v, a in zip(variables, local):
            v.assign(a)


# -- files -------------------------------------------------------------------------
def chief_value(model, value):
    """Returns worker 0's ``value`` (an int or None) on every worker of the model's
    strategy; ``value`` itself with one worker. Every worker must call it."""
    strategy, world = _world(model)
    if strategy is None or world.size == 1:
        return value
    sent = np.asarray([-1 if value is None else int(value)], np.int64)
    got = int(world.broadcast([sent], root=0)[0][0])
    return None if got == -1 else got


def should_write_files():
    """Returns True unless this process is a non-chief worker of a multi-worker job."""
    from tapeflow.distribute import collective
    return collective.rank() == 0


# -- BatchNormalization(synchronized=True) ----------------------------------------------
def synchronized_moments(x, axes):
    """Returns ``(mean, variance)`` of ``x`` over ``axes`` and over all replicas (keepdims),
    or None when no multi-replica replica context is active (use the local moments).

    As Keras's TensorFlow backend: sums of ``x``, ``x**2`` and counts are all-reduced;
    ``variance = max(E[x**2] - E[x]**2, 0)``. Differentiable.
    """
    entry = _ctx.strategy_entry()
    if entry is None or entry[1] is None or entry[0].num_replicas_in_sync == 1:
        return None
    from tapeflow.ops import math_ops as M
    replica = entry[1]
    local_sum = M.reduce_sum(x, axis=axes, keepdims=True)
    local_sq = M.reduce_sum(M.square(x), axis=axes, keepdims=True)
    xa = array_of(x)
    count = Tensor(np.full(array_of(local_sum).shape, np.prod([xa.shape[a] for a in axes]),
                           xa.dtype))
    y_sum, y_sq, n = replica.all_reduce("SUM", [local_sum, local_sq, count])
    mean = M.divide_no_nan(y_sum, n)
    variance = M.maximum(M.subtract(M.divide_no_nan(y_sq, n), M.square(mean)),
                         Tensor(xa.dtype.type(0)))
    return mean, variance


class NullWriter:
    """A summary writer that writes nothing (for non-chief workers)."""

    def scalars(self, step, values):
        """Does nothing."""

    def close(self):
        """Does nothing."""
