"""``tf.distribute.Strategy`` and the contexts: which strategy is active, and where.

TensorFlow's model, kept here: code runs either in the *cross-replica context*
(inside ``strategy.scope()``: building the model, the training loop) or in a
*replica context* (inside ``strategy.run``: one replica's step). With no
strategy, the default strategy is active in its default replica context.

tapeflow runs one replica per process; multi-worker strategies add one replica
per MPI process (see ``collective``). Values returned by ``strategy.run`` are
therefore this replica's own values, as TensorFlow returns them when a worker
has one local device.
"""
import contextlib
import enum

import numpy as np

from tapeflow.framework import context as _ctx
from tapeflow.framework import nest
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.variable import array_of


class ReduceOp(enum.Enum):
    """How values from the replicas are combined: ``SUM`` or ``MEAN``."""

    SUM = "SUM"
    MEAN = "MEAN"

    @staticmethod
    def from_variable_aggregation(aggregation):
        """Returns the ReduceOp matching a ``tf.VariableAggregation`` name (SUM or MEAN)."""
        name = getattr(aggregation, "name", str(aggregation)).upper()
        if name == "ONLY_FIRST_REPLICA":
            return ReduceOp.MEAN
        return ReduceOp(name)


def _reduce_op(reduce_op):
    if isinstance(reduce_op, str):
        return ReduceOp(reduce_op.upper())
    if not isinstance(reduce_op, ReduceOp):
        raise AssertionError()
    return reduce_op


def _as_array(value):
    if isinstance(value, Tensor):
        return np.asarray(array_of(value))
    tensor = getattr(value, "__tf_tensor__", None)
    if tensor is not None:
        return np.asarray(array_of(tensor()))
    return np.asarray(array_of(convert_to_tensor(value)))


# -- contexts ----------------------------------------------------------------
def get_strategy():
    """Returns the strategy of the innermost ``scope()``/``run``, or the default strategy."""
    entry = _ctx.strategy_entry()
    return entry[0] if entry is not None else _default_strategy()


def has_strategy():
    """Returns True inside a non-default strategy's ``scope()`` or ``run``."""
    return _ctx.strategy_entry() is not None


def in_cross_replica_context():
    """Returns True inside ``strategy.scope()`` but outside ``strategy.run``."""
    entry = _ctx.strategy_entry()
    return entry is not None and entry[1] is None


def get_replica_context():
    """Returns the current ``ReplicaContext``; None in the cross-replica context.

    With no strategy this is the default replica context (one replica, id 0).
    """
    entry = _ctx.strategy_entry()
    if entry is None:
        return _default_replica_context()
    return entry[1]


def experimental_set_strategy(strategy):
    """Makes ``strategy`` the current strategy of this thread (None: the default again)."""
    stack = _ctx.state.strategies
    while stack and getattr(stack[-1][0], "_set_globally", False):
        stack.pop()
    if strategy is not None:
        strategy._set_globally = True
        stack.append((strategy, None))


def replica_scope(strategy):
    """Returns a context manager running its block in ``strategy``'s replica context on
    this worker, as ``strategy.run`` does (tapeflow's own API; Keras's ``fit`` uses it)."""
    return _entered(strategy, strategy._replica_context())


@contextlib.contextmanager
def _entered(strategy, replica_context):
    stack = _ctx.state.strategies
    stack.append((strategy, replica_context))
    try:
        yield
    finally:
        stack.pop()


# -- replica context -----------------------------------------------------------
class ReplicaContext:
    """One replica's view inside ``strategy.run``: its id and the collectives.

    ``all_reduce`` and ``all_gather`` must be called by every replica in the same
    order (as in TensorFlow); ``all_reduce`` is differentiable.
    """

    def __init__(self, strategy, replica_id_in_sync_group):
        self._strategy = strategy
        self._replica_id = replica_id_in_sync_group

    @property
    def strategy(self):
        """Returns the strategy this replica belongs to."""
        return self._strategy

    @property
    def num_replicas_in_sync(self):
        """Returns the number of replicas taking part in collectives."""
        return self._strategy.num_replicas_in_sync

    @property
    def replica_id_in_sync_group(self):
        """Returns this replica's id (0 .. num_replicas_in_sync - 1) as an int32 scalar Tensor."""
        return Tensor(np.int32(self._replica_id))

    @property
    def devices(self):
        """Returns the devices this replica runs on."""
        return self._strategy.extended.worker_devices[:1]

    def all_reduce(self, reduce_op, value, options=None):
        """Returns ``value`` (a nest of tensors) summed or averaged over all replicas.

        Gradients flow through it: the gradient of a sum is the sum of the gradients.
        """
        op = _reduce_op(reduce_op)
        flat = nest.flatten(value)
        tensors = [v if isinstance(v, Tensor) else convert_to_tensor(v) for v in flat]
        reduced = self._strategy.extended._all_reduce_tensors(tensors)
        if op is ReduceOp.MEAN:
            n = self.num_replicas_in_sync
            reduced = [t / np.asarray(n, array_of(t).dtype) if n > 1 else t for t in reduced]
        return nest.pack_sequence_as(value, reduced)

    def all_gather(self, value, axis, options=None):
        """Returns each tensor of ``value`` concatenated over the replicas along ``axis``."""
        return nest.map_structure(
            lambda v: Tensor(self._strategy.extended._gather_array(_as_array(v), axis)), value)

    def merge_call(self, merge_fn, args=(), kwargs=None):
        """Returns ``merge_fn(strategy, *args, **kwargs)`` run in the cross-replica context."""
        with _entered(self._strategy, None):
            return merge_fn(self._strategy, *args, **(kwargs or {}))


class _DefaultReplicaContext(ReplicaContext):
    @property
    def replica_id_in_sync_group(self):
        return 0


# -- strategies ------------------------------------------------------------------
class StrategyExtended:
    """Strategy internals TensorFlow exposes as ``strategy.extended``."""

    def __init__(self, container_strategy, world=None, devices=None):
        from tapeflow.distribute import collective
        self._container_strategy = container_strategy
        self._world = world if world is not None else collective.LocalWorld()
        self._devices = tuple(devices or ("/job:localhost/replica:0/task:0/device:CPU:0",))

    @property
    def world(self):
        """Returns the workers' communicator (``collective.MPIWorld`` or ``LocalWorld``);
        tapeflow's own API (Keras and the benchmarks use it)."""
        return self._world

    @property
    def worker_devices(self):
        """Returns the devices of this worker's replicas."""
        return self._devices

    @property
    def parameter_devices(self):
        """Returns the devices holding the variables."""
        return self._devices

    @property
    def should_checkpoint(self):
        """Returns True on the worker that writes checkpoints (the chief, rank 0)."""
        return self._world.rank == 0

    @property
    def should_save_summary(self):
        """Returns True on the worker that writes summaries (the chief)."""
        return self._world.rank == 0

    @property
    def experimental_between_graph(self):
        """Returns True when each worker runs its own copy of the program."""
        return self._world.size > 1

    @property
    def experimental_should_init(self):
        """Returns True: every worker initializes its variables."""
        return True

    def broadcast_initial_value(self, array):
        """Returns worker 0's initial value for a variable created in the scope (tapeflow's
        own API, called by ``tf.Variable``)."""
        if self._world.size == 1:
            return array
        return np.array(self._world.broadcast([array], root=0)[0], copy=True)

    def _in_multi_worker_mode(self):
        return self._world.size > 1

    def _all_reduce_tensors(self, tensors):
        if self._world.size == 1:
            return list(tensors)
        return _all_reduce_sum(self._world, tensors)

    def _gather_array(self, array, axis):
        if self._world.size == 1:
            return array
        axis = axis % max(array.ndim, 1)
        moved = np.moveaxis(array, axis, 0) if array.ndim else array
        gathered = self._world.allgather(moved)
        return np.moveaxis(gathered, 0, axis) if array.ndim else gathered


def _all_reduce_sum(world, tensors):
    """Sums tensors over the workers in one fused reduction; differentiable (the gradient is
    the sum of the upstream gradients over the workers)."""
    from tapeflow.framework.custom_gradient import custom_gradient

    @custom_gradient
    def reduce(*xs):
        sums = world.allreduce([array_of(x) for x in xs])

        def grad(*dys):
            # Every worker must join the reduction, with zeros for unused outputs.
            dys = [Tensor(np.zeros_like(array_of(x))) if d is None else convert_to_tensor(d)
                   for x, d in zip(xs, dys)]
            return _all_reduce_sum(world, dys)

        return [Tensor(np.asarray(s)) for s in sums], grad

    out = reduce(*tensors)
    return list(out) if isinstance(out, (list, tuple)) else [out]


class Strategy:
    """The base of every strategy: ``scope``, ``run``, ``reduce``, datasets.

    Use a subclass (``MirroredStrategy``, ``MultiWorkerMirroredStrategy``,
    ``OneDeviceStrategy``) or ``tf.distribute.get_strategy()``.

    >>> import tapeflow as tf
    >>> strategy = tf.distribute.MirroredStrategy()
    >>> with strategy.scope():
    ...     v = tf.Variable(1.0)
    >>> strategy.num_replicas_in_sync
    1
    >>> per_replica = strategy.run(lambda: v * 2)
    >>> strategy.reduce("SUM", per_replica, axis=None)
    <tf.Tensor: shape=(), dtype=float32, numpy=2.0>
    """

    def __init__(self, extended):
        self._extended = extended
        self._set_globally = False

    @property
    def extended(self):
        """Returns the ``StrategyExtended`` with the strategy's internals."""
        return self._extended

    @property
    def num_replicas_in_sync(self):
        """Returns the number of replicas over which gradients are aggregated."""
        return self._extended._world.size

    @property
    def cluster_resolver(self):
        """Returns the cluster resolver (None for single-machine strategies)."""
        return None

    @contextlib.contextmanager
    def _scope(self):
        if isinstance(self, _DefaultDistributionStrategy):   # TF: entering it changes nothing
            yield self
            return
        entry = _ctx.strategy_entry()
        if entry is not None and entry[0] is not self:
            raise RuntimeError(f"Mixing different tf.distribute.Strategy objects: "
                               f"{entry[0]!r} is not {self!r}")
        with _entered(self, None):
            yield self

    def scope(self):
        """Returns a context manager: variables, models and optimizers created inside belong
        to this strategy, and Keras ``fit``/``evaluate``/``predict`` use it.

        Raises:
          RuntimeError: when another strategy's scope is already active.
        """
        return self._scope()

    def _replica_context(self):
        return ReplicaContext(self, self._extended._world.rank)

    def run(self, fn, args=(), kwargs=None, options=None):
        """Returns ``fn(*args, **kwargs)`` run in this worker's replica context.

        With one replica per worker the result is that replica's value.
        """
        if isinstance(self, _DefaultDistributionStrategy):
            return fn(*args, **(kwargs or {}))
        entry = _ctx.strategy_entry()
        if entry is not None and entry[0] is not self:
            raise RuntimeError(f"Mixing different tf.distribute.Strategy objects: "
                               f"{entry[0]!r} is not {self!r}")
        with _entered(self, self._replica_context()):
            return fn(*args, **(kwargs or {}))

    def reduce(self, reduce_op, value, axis):
        """Returns ``value`` reduced over the replicas (and over ``axis`` when given).

        ``MEAN`` with an axis averages over every element along that axis on every
        replica; an integer mean is float64, as in TensorFlow.

        Raises:
          ValueError: for a string that names no ``ReduceOp``.
        """
        op = _reduce_op(reduce_op)
        flat = nest.flatten(value)
        arrays, counts = [], []
        for v in flat:
            a = _as_array(v)
            if axis is not None:
                counts.append(a.shape[axis] if a.ndim else 1)
                a = np.sum(a, axis=axis).astype(a.dtype, copy=False) if a.ndim else a
            arrays.append(a)
        world = self._extended._world
        if world.size > 1:
            if counts:
                extra = world.allreduce([np.asarray(counts, np.int64)])[0]
                counts = extra.tolist()
            arrays = world.allreduce(arrays)
        out = []
        for i, a in enumerate(arrays):
            if op is ReduceOp.MEAN:
                n = counts[i] if axis is not None else world.size
                a = (a / n).astype(a.dtype) if a.dtype.kind == "f" else \
                    np.asarray(a / n, np.float64)
            out.append(Tensor(np.asarray(a)))
        return nest.pack_sequence_as(value, out)

    def gather(self, value, axis):
        """Returns each tensor of ``value`` concatenated over all replicas along ``axis``."""
        return nest.map_structure(
            lambda v: Tensor(self._extended._gather_array(_as_array(v), axis)), value)

    def experimental_local_results(self, value):
        """Returns the tuple of this worker's per-replica values (one replica: ``(value,)``)."""
        return (value,)

    def experimental_distribute_dataset(self, dataset, options=None):
        """Returns a ``DistributedDataset`` giving this worker its part of every global
        batch of ``dataset`` (see ``tf.data.experimental.AutoShardPolicy``)."""
        from tapeflow.distribute.input_lib import DistributedDataset
        return DistributedDataset(self, dataset, options)

    def distribute_datasets_from_function(self, dataset_fn, options=None):
        """Returns the dataset ``dataset_fn(input_context)`` builds for this worker's input
        pipeline; the function shards and batches it itself (per-replica batches)."""
        from tapeflow.distribute.input_lib import DistributedDatasetsFromFunction
        return DistributedDatasetsFromFunction(self, dataset_fn, options)

    def experimental_distribute_values_from_function(self, value_fn):
        """Returns ``value_fn(ValueContext)`` for this worker's replica."""
        world = self._extended._world
        return value_fn(ValueContext(world.rank, world.size))

    def experimental_run(self, fn, input_iterator=None):
        """Runs ``fn`` on the next element of ``input_iterator`` in the replica context."""
        if input_iterator is None:
            return self.run(fn)
        return self.run(fn, args=(next(input_iterator),))

    def __deepcopy__(self, memo):
        return self


class _DefaultDistributionStrategy(Strategy):
    """The strategy in effect when no other is: one replica, no communication."""


class _DefaultExtended(StrategyExtended):
    @property
    def worker_devices(self):
        raise RuntimeError("worker_devices() method unsupported by default "
                           "tf.distribute.Strategy.")

    @property
    def parameter_devices(self):
        raise RuntimeError("parameter_devices() method unsupported by default "
                           "tf.distribute.Strategy.")


_DEFAULTS = {}


def _default_strategy():
    s = _DEFAULTS.get("strategy")
    if s is None:
        s = _DEFAULTS["strategy"] = _DefaultDistributionStrategy(None)
        s._extended = _DefaultExtended(s)
    return s


def _default_replica_context():
    r = _DEFAULTS.get("replica")
    if r is None:
        r = _DEFAULTS["replica"] = _DefaultReplicaContext(_default_strategy(), 0)
    return r


class InputContext:
    """What a ``distribute_datasets_from_function`` dataset function needs to know.

    Args:
      num_input_pipelines: the number of input pipelines (workers).
      input_pipeline_id: this pipeline's id (0 .. num_input_pipelines - 1).
      num_replicas_in_sync: the number of replicas in sync.
    """

    def __init__(self, num_input_pipelines=1, input_pipeline_id=0, num_replicas_in_sync=1):
        self._num_input_pipelines = num_input_pipelines
        self._input_pipeline_id = input_pipeline_id
        self._num_replicas_in_sync = num_replicas_in_sync

    @property
    def num_input_pipelines(self):
        """Returns the number of input pipelines."""
        return self._num_input_pipelines

    @property
    def input_pipeline_id(self):
        """Returns this input pipeline's id."""
        return self._input_pipeline_id

    @property
    def num_replicas_in_sync(self):
        """Returns the number of replicas in sync."""
        return self._num_replicas_in_sync

    def get_per_replica_batch_size(self, global_batch_size):
        """Returns ``global_batch_size // num_replicas_in_sync``.

        Raises:
          ValueError: when the global batch size is not divisible by the replicas.
        """
        if global_batch_size % self._num_replicas_in_sync != 0:
            raise ValueError(f"The `global_batch_size` {global_batch_size} is not divisible "
                             f"by `num_replicas_in_sync` {self._num_replicas_in_sync} ")
        return global_batch_size // self._num_replicas_in_sync

    def __str__(self):
        return (f"tf.distribute.InputContext(input pipeline id {self._input_pipeline_id}, "
                f"total: {self._num_input_pipelines})")


class ValueContext:
    """What ``experimental_distribute_values_from_function``'s function receives."""

    def __init__(self, replica_id_in_sync_group=0, num_replicas_in_sync=1):
        self._replica_id = replica_id_in_sync_group
        self._num = num_replicas_in_sync

    @property
    def replica_id_in_sync_group(self):
        """Returns the replica's id."""
        return self._replica_id

    @property
    def num_replicas_in_sync(self):
        """Returns the number of replicas in sync."""
        return self._num
