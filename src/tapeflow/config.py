"""``tf.config``: devices and threading, as seen by a NumPy-only runtime.

tapeflow runs on the CPU; there is one physical device. Setters that only
matter to accelerators are accepted and do nothing.
"""
import collections

from tapeflow.framework import function as _function

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = collections.namedtuple("LogicalDevice", ["name", "device_type"])

_CPU = PhysicalDevice(name="/physical_device:CPU:0", device_type="CPU")
_visible = [_CPU]


def list_physical_devices(device_type=None):
    """Returns the physical devices of ``device_type`` ('CPU', 'GPU' ...; None: all).

    >>> list_physical_devices('CPU')
    [PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')]
    >>> list_physical_devices('GPU')
    []
    """
    if device_type is None or str(device_type).upper() == "CPU":
        return [_CPU]
    return []


def list_logical_devices(device_type=None):
    """Returns the logical devices of ``device_type`` (the CPU only)."""
    if device_type is None or str(device_type).upper() == "CPU":
        return [LogicalDevice(name="/device:CPU:0", device_type="CPU")]
    return []


def get_visible_devices(device_type=None):
    """Returns the visible physical devices of ``device_type``."""
    return [d for d in _visible if device_type is None or d.device_type == device_type.upper()]


def set_visible_devices(devices, device_type=None):
    """Sets the visible devices (only the CPU exists; other devices are ignored).

    Raises:
      ValueError: if a device is not a PhysicalDevice of this machine.
    """
    if isinstance(devices, PhysicalDevice):
        devices = [devices]
    for d in devices:
        if not isinstance(d, PhysicalDevice) or d not in list_physical_devices():
            raise ValueError(f"Unrecognized device: {d!r}")
    if device_type is None or device_type.upper() == "CPU":
        _visible[:] = [_CPU]


def get_logical_device_configuration(device):
    """Returns None: logical device configurations are not supported."""
    return None


def set_logical_device_configuration(device, logical_devices):
    """Accepted for compatibility; does nothing."""


def run_functions_eagerly(run_eagerly):
    """Sets whether ``tf.function`` runs eagerly (it always does in tapeflow)."""
    _function._RUN_EAGERLY[0] = bool(run_eagerly)


def functions_run_eagerly():
    """Returns the value last given to ``run_functions_eagerly`` (False by default)."""
    return _function._RUN_EAGERLY[0]


def set_soft_device_placement(enabled):
    """Accepted for compatibility; does nothing."""


def get_soft_device_placement():
    """Returns True: ops always run on the CPU."""
    return True


class experimental:  # noqa: N801  (TensorFlow's namespace name)
    """``tf.config.experimental``: accelerator memory settings (no-ops here)."""

    _growth = {}

    @staticmethod
    def set_memory_growth(device, enable):
        """Accepted for compatibility; does nothing on the CPU."""
        experimental._growth[device] = bool(enable)

    @staticmethod
    def get_memory_growth(device):
        """Returns the value last set for ``device`` (False by default)."""
        return experimental._growth.get(device, False)

    @staticmethod
    def get_memory_info(device):
        """Returns ``{'current': 0, 'peak': 0}``: not tracked."""
        return {"current": 0, "peak": 0}

    list_physical_devices = staticmethod(list_physical_devices)
    list_logical_devices = staticmethod(list_logical_devices)
    set_visible_devices = staticmethod(set_visible_devices)
    get_visible_devices = staticmethod(get_visible_devices)

    @staticmethod
    def enable_op_determinism():
        """Accepted for compatibility: NumPy kernels are already deterministic."""


class threading:  # noqa: N801  (TensorFlow's namespace name)
    """``tf.config.threading``: thread-pool sizes (0 means "let the system choose")."""

    _intra = [0]
    _inter = [0]

    @staticmethod
    def get_intra_op_parallelism_threads():
        """Returns the intra-op thread count last set (0: system default)."""
        return threading._intra[0]

    @staticmethod
    def set_intra_op_parallelism_threads(num_threads):
        """Records the intra-op thread count (NumPy's BLAS keeps its own setting)."""
        threading._intra[0] = int(num_threads)

    @staticmethod
    def get_inter_op_parallelism_threads():
        """Returns the inter-op thread count last set (0: system default)."""
        return threading._inter[0]

    @staticmethod
    def set_inter_op_parallelism_threads(num_threads):
        """Records the inter-op thread count (ops run one at a time here)."""
        threading._inter[0] = int(num_threads)
