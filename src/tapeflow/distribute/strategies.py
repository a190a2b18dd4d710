"""The concrete strategies: ``OneDeviceStrategy``, ``MirroredStrategy`` and
``MultiWorkerMirroredStrategy``, with the cluster resolvers and communication options.

On one machine tapeflow runs one replica per process, so ``OneDeviceStrategy``
and ``MirroredStrategy`` have one replica (device names are accepted and
reported). ``MultiWorkerMirroredStrategy`` has one replica per MPI process when
launched with ``mpirun -np N python train.py`` (or ``srun``): gradients are
summed over the workers in one fused all-reduce per step.
"""
import enum
import json
import os
import re

from tapeflow.distribute import collective
from tapeflow.distribute.distribute_lib import Strategy, StrategyExtended

_LOCAL_CPU = "/job:localhost/replica:0/task:0/device:CPU:0"


def _canonical_device(name, job="localhost", task=0):
    """Returns a full device name: ``"/cpu:0"`` -> ``/job:localhost/replica:0/task:0/device:CPU:0``."""
    if not isinstance(name, str):
        raise ValueError(f"A device must be a string, got {name!r}")
    m = re.search(r"(?:device:)?(cpu|gpu|tpu)(?::(\d+))?\s*$", name, re.IGNORECASE)
    kind, index = (m.group(1).upper(), m.group(2) or "0") if m else ("CPU", "0")
    jm = re.search(r"/job:([^/]+)", name)
    tm = re.search(r"/task:(\d+)", name)
    job = jm.group(1) if jm else job
    task = int(tm.group(1)) if tm else task
    return f"/job:{job}/replica:0/task:{task}/device:{kind}:{index}"


class OneDeviceStrategy(Strategy):
    """Runs everything on one device (one replica).

    Args:
      device: the device name, e.g. ``"/cpu:0"`` or ``"/gpu:0"``.
    """

    def __init__(self, device):
        super().__init__(StrategyExtended(self, devices=(_canonical_device(device),)))
        self._device = device


class MirroredStrategy(Strategy):
    """Synchronous training on this machine's devices.

    tapeflow computes on the CPU in one process: the strategy has one replica;
    ``devices`` names are accepted and reported by ``extended.worker_devices``.

    Args:
      devices: device names (default: this machine's CPU).
      cross_device_ops: accepted for compatibility.
    """

    def __init__(self, devices=None, cross_device_ops=None):
        if devices is not None:
            if isinstance(devices, str):
                devices = [devices]
            devices = tuple(_canonical_device(d) for d in devices)
            if len(set(devices)) != len(devices):
                raise ValueError(f"No duplicates allowed in `devices` argument: {list(devices)}")
        super().__init__(StrategyExtended(self, devices=devices or (_LOCAL_CPU,)))


class ClusterSpec:
    """The cluster's jobs and their task addresses (``tf.train.ClusterSpec``)."""

    def __init__(self, cluster):
        self._cluster = {k: list(v) for k, v in dict(cluster or {}).items()}

    def as_dict(self):
        """Returns ``{job: [address, ...]}``."""
        return {k: list(v) for k, v in self._cluster.items()}

    @property
    def jobs(self):
        """Returns the job names."""
        return list(self._cluster)

    def _job(self, job_name):
        if job_name not in self._cluster:
            raise ValueError(f"No such job in cluster: {job_name!r}")
        return self._cluster[job_name]

    def num_tasks(self, job_name):
        """Returns the number of tasks of ``job_name``.

        Raises:
          ValueError: for a job the cluster lacks (TensorFlow's message).
        """
        return len(self._job(job_name))

    def task_indices(self, job_name):
        """Returns the task indices of ``job_name`` (``[0, ..., n - 1]``)."""
        return list(range(len(self._job(job_name))))

    def task_address(self, job_name, task_index):
        """Returns the address of task ``task_index`` of ``job_name``.

        Raises:
          ValueError: for a job or task the cluster lacks (TensorFlow's messages).
        """
        tasks = self._job(job_name)
        if not 0 <= task_index < len(tasks):
            raise ValueError(f"No task with index {task_index!r} in job {job_name!r}")
        return tasks[task_index]

    def __bool__(self):
        return bool(self._cluster)

    def __eq__(self, other):
        return isinstance(other, ClusterSpec) and other._cluster == self._cluster

    def __repr__(self):
        return f"ClusterSpec({self._cluster!r})"


def _read_tf_config():
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError as e:
        raise ValueError(f"TF_CONFIG is not valid JSON: {raw!r}") from e


class TFConfigClusterResolver:
    """The cluster described by the ``TF_CONFIG`` environment variable.

    ``task_type``/``task_id`` are None when ``TF_CONFIG`` is unset.
    """

    def __init__(self, task_type=None, task_id=None, rpc_layer=None, environment=None):
        config = _read_tf_config()
        task = config.get("task", {})
        self._cluster = config.get("cluster", {})
        self._task_type = task_type if task_type is not None else task.get("type")
        self._task_id = task_id if task_id is not None else task.get("index")
        self.rpc_layer = rpc_layer or config.get("rpc_layer")
        self.environment = environment or config.get("environment", "")

    @property
    def task_type(self):
        """Returns this task's job name (``"worker"``, ``"chief"``) or None."""
        return self._task_type

    @task_type.setter
    def task_type(self, value):
        self._task_type = value

    @property
    def task_id(self):
        """Returns this task's index in its job, or None."""
        return self._task_id

    @task_id.setter
    def task_id(self, value):
        self._task_id = value

    def cluster_spec(self):
        """Returns the cluster as a ``ClusterSpec``."""
        return ClusterSpec(self._cluster)

    def num_accelerators(self, task_type=None, task_id=None, config_proto=None):
        """Returns ``{}``: tapeflow computes on CPUs."""
        return {}

    def master(self, task_type=None, task_id=None, rpc_layer=None):
        """Returns ``""`` (no gRPC master: workers talk through MPI)."""
        return ""


class MPIClusterResolver(TFConfigClusterResolver):
    """The MPI world as a cluster: ``world_size`` workers, this process is ``"worker"``
    number ``rank`` (worker 0 is the chief)."""

    def __init__(self, world):
        super().__init__()
        self._task_type = "worker"
        self._task_id = world.rank
        self._cluster = {"worker": [f"mpi-rank-{i}" for i in range(world.size)]}
        self._world = world


class CommunicationImplementation(enum.Enum):
    """Which collective implementation to use (all map to MPI in tapeflow)."""

    AUTO = "AUTO"
    RING = "RING"
    NCCL = "NCCL"


CollectiveCommunication = CommunicationImplementation


class CommunicationOptions:
    """Options for the collectives (``tf.distribute.experimental.CommunicationOptions``).

    Args:
      bytes_per_pack: accepted for compatibility (all gradients go in one pack).
      timeout_seconds: a collective that takes longer raises ``DeadlineExceededError``.
      implementation: a ``CommunicationImplementation`` (all use MPI here).
    """

    def __init__(self, bytes_per_pack=0, timeout_seconds=None,
                 implementation=CommunicationImplementation.AUTO):
        if bytes_per_pack < 0:
            raise ValueError(f"bytes_per_pack must be non-negative, got {bytes_per_pack}.")
        if isinstance(implementation, str):
            implementation = CommunicationImplementation(implementation.upper())
        self.bytes_per_pack = bytes_per_pack
        self.timeout_seconds = timeout_seconds
        self.implementation = implementation

    def __str__(self):
        return (f"Options(bytes_per_pack={self.bytes_per_pack},timeout_seconds="
                f"{self.timeout_seconds}, implementation={self.implementation})")


def _launch_error(n_tasks):
    return RuntimeError(
        f"TF_CONFIG describes a cluster of {n_tasks} tasks, but this process was not started "
        "by an MPI launcher. tapeflow runs multi-worker training on MPI instead of "
        "TensorFlow's gRPC servers: start one process per worker with "
        f"`mpirun -np {n_tasks} python your_script.py` (or `srun -n {n_tasks} python "
        "your_script.py` under Slurm); TF_CONFIG is not needed. Install MPI support with "
        "`pip install \"tapeflow[mpi]\"`.")


class CollectiveAllReduceStrategy(Strategy):
    """Synchronous data-parallel training over workers (``MultiWorkerMirroredStrategy``).

    Launched as ``mpirun -np N python train.py``, each MPI process is one worker
    with one replica: ``num_replicas_in_sync == N``; each worker reads its part of
    every global batch, gradients are summed over the workers in one fused
    all-reduce per step, variables start from worker 0's values and only worker 0
    (the chief) writes checkpoints and logs. Without an MPI launcher it is a
    single-worker strategy.

    Args:
      cluster_resolver: accepted; under MPI the MPI world defines the cluster.
      communication_options: a ``CommunicationOptions`` (its ``timeout_seconds``
        bounds every collective).

    Raises:
      RuntimeError: when ``TF_CONFIG`` describes several workers but no MPI launcher
        started this process (the message says how to launch).
      ImportError: under an MPI launcher when mpi4py is missing.
    """

    def __init__(self, cluster_resolver=None, communication_options=None):
        options = communication_options or CommunicationOptions()
        if collective.launched_size() > 1:
            world = collective.world(options.timeout_seconds)
            resolver = MPIClusterResolver(world)
            devices = (f"/job:worker/replica:0/task:{world.rank}/device:CPU:0",)
        else:
            resolver = cluster_resolver or TFConfigClusterResolver()
            n_tasks = sum(len(v) for k, v in resolver.cluster_spec().as_dict().items()
                          if k in ("chief", "worker"))
            if n_tasks > 1:
                raise _launch_error(n_tasks)
            world = collective.LocalWorld(options.timeout_seconds)
            devices = (_LOCAL_CPU,)
        super().__init__(StrategyExtended(self, world=world, devices=devices))
        self._cluster_resolver = resolver
        self._communication_options = options

    @property
    def cluster_resolver(self):
        """Returns the cluster resolver: the MPI world, or ``TF_CONFIG``'s cluster."""
        return self._cluster_resolver


MultiWorkerMirroredStrategy = CollectiveAllReduceStrategy


def _unsupported(name, hint):
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(f"tf.distribute.{name} is not supported: tapeflow computes "
                                  f"on CPUs with NumPy. {hint}")
    return type(name, (Strategy,), {"__init__": __init__,
                                    "__doc__": f"Not supported in tapeflow: {hint}"})


TPUStrategy = _unsupported(
    "TPUStrategy", "Use tf.distribute.MirroredStrategy() on one machine or "
    "MultiWorkerMirroredStrategy() under mpirun for several processes.")
ParameterServerStrategy = _unsupported(
    "ParameterServerStrategy", "Use MultiWorkerMirroredStrategy() under mpirun "
    "(synchronous data parallelism) instead.")


class TPUClusterResolver(TFConfigClusterResolver):
    """Not supported: tapeflow has no TPU runtime (``connect`` raises)."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError("TPUs are not supported: tapeflow computes on CPUs with "
                                  "NumPy. Use tf.distribute.MirroredStrategy() instead.")

    @classmethod
    def connect(cls, *args, **kwargs):
        """Raises NotImplementedError (no TPU runtime)."""
        return cls()
