"""``tf.train.CheckpointManager`` and ``tf.train.latest_checkpoint``: numbered checkpoints in
a folder, the oldest deleted beyond ``max_to_keep``, listed in the folder's ``checkpoint``
file (TensorFlow's text format: ``model_checkpoint_path: "ckpt-3"`` ...)."""
import os
import re
import time

from tapeflow.tracking import checkpoint_io

STATE_FILE = "checkpoint"
_MAX_STATE_BYTES = 1 << 20
_LINE = re.compile(r'^\s*([a-z_]+)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|([-+0-9.eE]+|inf|nan))\s*$')


def _unescape(s):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


def _escape(s):
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _read_state(directory, latest_filename=None):
    """Returns the parsed ``checkpoint`` file as a dict of lists, or None if it is missing
    or unreadable (oversized or malformed files are ignored, never evaluated)."""
    path = os.path.join(directory, latest_filename or STATE_FILE)
    try:
        if os.path.getsize(path) > _MAX_STATE_BYTES:
            return None
        with open(path, "rb") as f:
            text = f.read(_MAX_STATE_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    state = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _LINE.match(line)
        if m is None:
            return None
        key, sval, num = m.groups()
        if sval is not None:
            value = _unescape(sval)
        else:
            try:
                value = float(num)
            except ValueError:
                return None
        state.setdefault(key, []).append(value)
    return state


def _absolute(directory, path):
    return path if os.path.isabs(path) else os.path.join(directory, path)


def _relative(directory, path):
    if os.path.dirname(os.path.abspath(path)) == os.path.abspath(directory):
        return os.path.basename(path)
    return path


def update_checkpoint_state(directory, latest, all_paths, timestamps=None,
                            last_preserved=None):
    """Writes the folder's ``checkpoint`` file (atomically); returns None."""
    directory = directory or "."
    lines = [f'model_checkpoint_path: "{_escape(_relative(directory, latest))}"']
    lines += [f'all_model_checkpoint_paths: "{_escape(_relative(directory, p))}"'
              for p in all_paths]
    if timestamps is not None:
        lines += [f"all_model_checkpoint_timestamps: {t!r}" for t in timestamps]
    if last_preserved is not None:
        lines.append(f"last_preserved_timestamp: {last_preserved!r}")
    checkpoint_io.write_text_atomic(os.path.join(directory, STATE_FILE), "\n".join(lines) + "\n")


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """Returns the path of the newest checkpoint recorded in ``checkpoint_dir``, or None if
    there is none (or its files are gone)."""
    checkpoint_dir = os.fspath(checkpoint_dir)
    state = _read_state(checkpoint_dir, latest_filename)
    if not state or not state.get("model_checkpoint_path"):
        return None
    path = _absolute(checkpoint_dir, str(state["model_checkpoint_path"][-1]))
    return path if checkpoint_io.exists(path) else None


def _delete(prefix):
    for p in (checkpoint_io.index_path(prefix), checkpoint_io.data_path(prefix)):
        try:
            os.remove(p)
        except FileNotFoundError:
            pass


def _resolve(ckpt_dir_or_file):
    path = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(path):
        latest = latest_checkpoint(path)
        if latest is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given "
                             f"directory {path}")
        return latest
    return path


class CheckpointReader:
    """Reads the values of a checkpoint (what ``tf.train.load_checkpoint`` returns).

    Raises:
      NotFoundError / DataLossError: as ``checkpoint_io.Reader``.
    """

    def __init__(self, prefix):
        self._reader = checkpoint_io.Reader(prefix)

    def get_tensor(self, tensor_str):
        """Returns the saved value ``tensor_str`` as a NumPy array."""
        return self._reader.read(tensor_str)

    def has_tensor(self, tensor_str):
        """Returns True if ``tensor_str`` is saved."""
        return self._reader.has_tensor(tensor_str)

    def get_variable_to_shape_map(self):
        """Returns ``{key: shape list}`` for every saved value."""
        return {k: self._reader.shape(k) for k in self._reader.all_keys()}

    def get_variable_to_dtype_map(self):
        """Returns ``{key: tf.DType}`` for every saved value."""
        from tapeflow.framework import dtypes
        return {k: dtypes.string if self._reader.dtype(k) == object
                else dtypes.as_dtype(self._reader.dtype(k)) for k in self._reader.all_keys()}


def load_checkpoint(ckpt_dir_or_file):
    """Returns a ``CheckpointReader`` for a checkpoint prefix, or the latest one in a folder."""
    return CheckpointReader(_resolve(ckpt_dir_or_file))


def load_variable(ckpt_dir_or_file, name):
    """Returns the value saved under key ``name`` as a NumPy array."""
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def list_variables(ckpt_dir_or_file):
    """Returns ``[(key, shape), ...]`` of every saved value sorted by key (the object graph
    ``_CHECKPOINTABLE_OBJECT_GRAPH`` included, as ``tf.train.list_variables`` shows it)."""
    reader = load_checkpoint(ckpt_dir_or_file)
    return sorted(reader.get_variable_to_shape_map().items())


class CheckpointManager:
    """Keeps numbered checkpoints of ``checkpoint`` in ``directory`` (``tf.train.CheckpointManager``).

    Args:
      checkpoint: the ``tf.train.Checkpoint`` to save and restore.
      directory: the folder of the checkpoints and their ``checkpoint`` state file.
      max_to_keep: how many recent checkpoints to keep (None keeps all).
      keep_checkpoint_every_n_hours: also keep one checkpoint per this many hours.
      checkpoint_name: the file-name prefix (``"ckpt"`` gives ``ckpt-1``, ``ckpt-2`` ...).
      step_counter: a variable read by ``save`` when ``checkpoint_interval`` is set.
      checkpoint_interval: save only when ``step_counter`` advanced by this much.
      init_fn: called by ``restore_or_initialize`` when there is no checkpoint.

    Raises:
      ValueError: if ``checkpoint_interval`` is set without ``step_counter``, or
        ``max_to_keep`` is not positive.
    """

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt", step_counter=None, checkpoint_interval=None,
                 init_fn=None, last_checkpoint_step=None):
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError(f"Expected a positive integer or `None` for `max_to_keep`, "
                             f"got {max_to_keep}.")
        if checkpoint_interval is not None and step_counter is None:
            raise ValueError("`step_counter` should be passed if `checkpoint_interval` is "
                             "not None.")
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_hours = keep_checkpoint_every_n_hours
        self._checkpoint_prefix = os.path.join(self._directory, checkpoint_name)
        self._step_counter = step_counter
        self._checkpoint_interval = checkpoint_interval
        self._init_fn = init_fn
        self._last_checkpoint_step = last_checkpoint_step
        state = _read_state(self._directory)
        self._maybe_delete = {}  # path -> timestamp, oldest first
        self._last_preserved = time.time()
        if state:
            paths = [_absolute(self._directory, str(p))
                     for p in state.get("all_model_checkpoint_paths", [])]
            stamps = state.get("all_model_checkpoint_timestamps", [])
            now = time.time()
            for i, p in enumerate(paths):
                self._maybe_delete[p] = float(stamps[i]) if i < len(stamps) else now
            if state.get("last_preserved_timestamp"):
                self._last_preserved = float(state["last_preserved_timestamp"][-1])
            latest = state.get("model_checkpoint_path")
            if latest:
                p = _absolute(self._directory, str(latest[-1]))
                self._maybe_delete.pop(p, None)
                self._maybe_delete[p] = now
            self._latest = _absolute(self._directory, str(latest[-1])) if latest else None
        else:
            self._latest = None

    @property
    def directory(self):
        """Returns the checkpoint folder."""
        return self._directory

    @property
    def checkpoint(self):
        """Returns the managed ``tf.train.Checkpoint``."""
        return self._checkpoint

    @property
    def checkpoints(self):
        """Returns the kept checkpoints' paths, oldest first."""
        return list(self._maybe_delete)

    @property
    def latest_checkpoint(self):
        """Returns the newest checkpoint's path, or None."""
        return self._latest

    @property
    def checkpoint_interval(self):
        """Returns the saving interval in steps, or None."""
        return self._checkpoint_interval

    def _sweep(self):
        if self._max_to_keep is None:
            return
        while len(self._maybe_delete) > self._max_to_keep:
            path, stamp = next(iter(self._maybe_delete.items()))
            del self._maybe_delete[path]
            if self._keep_hours is not None and \
                    stamp - self._keep_hours * 3600 >= self._last_preserved:
                self._last_preserved = stamp
                continue
            _delete(path)

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        """Saves a new checkpoint ``<checkpoint_name>-N``, deletes those beyond ``max_to_keep``.

        Args:
          checkpoint_number: N; by default the checkpoint's incremented ``save_counter``.
          check_interval: honour ``checkpoint_interval`` (skip the save if too soon).

        Returns:
          The new checkpoint's path, or None when skipped by the interval.
        """
        if self._checkpoint_interval is not None and check_interval:
            step = int(self._step_counter.numpy()) if hasattr(self._step_counter, "numpy") \
                else int(self._step_counter)
            if self._last_checkpoint_step is not None and \
                    step - self._last_checkpoint_step < self._checkpoint_interval:
                return None
            self._last_checkpoint_step = step
        counter = self._checkpoint.save_counter
        counter.assign_add(1)
        number = int(counter.numpy()) if checkpoint_number is None else int(
            checkpoint_number.numpy() if hasattr(checkpoint_number, "numpy")
            else checkpoint_number)
        prefix = f"{self._checkpoint_prefix}-{number}"
        try:
            path = self._checkpoint.write(prefix)
        except BaseException:
            counter.assign_sub(1)
            raise
        self._maybe_delete.pop(path, None)
        self._maybe_delete[path] = time.time()
        self._latest = path
        self._sweep()
        update_checkpoint_state(self._directory, path, list(self._maybe_delete),
                                list(self._maybe_delete.values()), self._last_preserved)
        return path

    def restore_or_initialize(self):
        """Restores the latest checkpoint if any (returning its path), else calls ``init_fn``
        and returns None."""
        if self._latest is not None:
            self._checkpoint.restore(self._latest)
            return self._latest
        if self._init_fn is not None:
            self._init_fn()
        return None


__all__ = ["CheckpointManager", "CheckpointReader", "latest_checkpoint", "list_variables",
           "load_checkpoint", "load_variable", "update_checkpoint_state"]
