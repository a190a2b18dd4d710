"""``tf.train.Checkpoint``: save and restore the variables of a graph of objects.

    ckpt = tf.train.Checkpoint(model=model, optimizer=optimizer, step=step)
    path = ckpt.save("ckpts/ckpt")          # "ckpts/ckpt-1"
    ckpt.restore(tf.train.latest_checkpoint("ckpts")).assert_consumed()

Keys are the objects' attribute paths, as TensorFlow names them
(``model/dense/kernel/.ATTRIBUTES/VARIABLE_VALUE``). A restore fills the variables that exist
now and keeps the rest pending: a variable created later (a Keras layer built on its first
call, an optimizer's slots made at its first step, an attribute set on the checkpoint) gets
its saved value as soon as it is attached. The files are described in ``checkpoint_io``.
"""
import os
import numpy as np

from tapeflow.framework import dtypes, errors
from tapeflow.framework.variable import Variable
from tapeflow.tracking import checkpoint_io, trackable


class Checkpoint:
    """Groups trackable objects (``tf.train.Checkpoint``) to save and restore their variables.

    Args:
      root: optional object whose children become the checkpoint's top-level names.
      **kwargs: the objects to save, by name (variables, ``tf.Module``s, Keras models,
        layers and optimizers, other checkpoints).

    Raises:
      ValueError: if a value is not a trackable object.
    """

    def __init__(self, root=None, **kwargs):
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_save_counter", None)
        object.__setattr__(self, "_children", {})
        for name, value in sorted(kwargs.items()):
            setattr(self, name, value)

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        if not (trackable.is_trackable(value) or type(value) in (list, tuple, dict)):
            raise ValueError(
                f"`Checkpoint` was expecting {name} to be a trackable object (an object "
                f"derived from `Trackable`), got {value}. If you believe this object should "
                "be trackable (i.e. it is part of the TensorFlow Python API and manages "
                "state), please open an issue.")
        self._children[name] = value
        object.__setattr__(self, name, value)
        if trackable.PENDING:
            trackable.restore_pending()

    def _trackable_children(self):
        out = []
        if self._root is not None:
            out.extend(trackable.trackable_children(self._root))
        out.extend(self._children.items())
        if self._save_counter is not None:
            out.append(("save_counter", self._save_counter))
        return out

    @property
    def save_counter(self):
        """Returns the int64 variable counting ``save`` calls (created on first use)."""
        if self._save_counter is None:
            object.__setattr__(self, "_save_counter", Variable(
                np.int64(0), trainable=False, name="save_counter", dtype=dtypes.int64))
        return self._save_counter

    def write(self, file_prefix, options=None):
        """Writes the checkpoint files at ``file_prefix`` (no numbering, no state file).

        Returns:
          ``file_prefix``, the path to pass to ``read`` or ``restore``.
        """
        file_prefix = os.fspath(file_prefix)
        edges = {}
        graph = trackable.object_graph(self, edges=edges)
        index = {id(obj): i for i, (_, obj) in enumerate(graph)}
        values, nodes = {}, []
        for path, obj in graph:
            if trackable.is_variable(obj):
                key = path + trackable.VARIABLE_SUFFIX
                values[key] = np.asarray(obj.numpy())
                full = obj.name.rsplit(":", 1)[0] if isinstance(obj, Variable) else \
                    getattr(obj, "path", obj.name)
                nodes.append({"children": [], "attributes": [("VARIABLE_VALUE", full, key)]})
            else:
                nodes.append({"children": [(index[id(c)], str(n)) for n, c in edges[id(obj)]
                                           if id(c) in index], "attributes": []})
        return checkpoint_io.write(file_prefix, values, nodes)

    def save(self, file_prefix, options=None):
        """Saves a numbered checkpoint ``file_prefix-N`` (N is the incremented ``save_counter``)
        and records it in the folder's ``checkpoint`` file.

        Returns:
          The path of the checkpoint written, e.g. ``"ckpts/ckpt-1"``.
        """
        file_prefix = os.fspath(file_prefix)
        counter = self.save_counter
        counter.assign_add(np.int64(1))
        try:
            path = self.write(f"{file_prefix}-{int(counter.numpy())}")
        except BaseException:
            counter.assign_sub(np.int64(1))
            raise
        from tapeflow.tracking import checkpoint_management
        checkpoint_management.update_checkpoint_state(os.path.dirname(path), path, [path])
        return path

    def read(self, save_path, options=None):
        """Restores from ``save_path`` (as ``write`` wrote it); returns a load status."""
        return self._restore(save_path)

    def restore(self, save_path, options=None):
        """Restores the variables saved at ``save_path``; returns a load status.

        Variables that do not exist yet are restored when they are created and attached.
        ``save_path=None`` restores nothing (an ``InitializationOnlyStatus``).

        Raises:
          NotFoundError: if no checkpoint exists at ``save_path``.
          ValueError: if a saved value's shape differs from its variable's.
          InvalidArgumentError: if a saved value's dtype differs from its variable's.
        """
        if save_path is None:
            return InitializationOnlyStatus()
        reader = checkpoint_io.Reader(os.fspath(save_path))
        self.save_counter  # noqa: B018  (TF creates it on restore, so that it is restored too)
        return self._restore(save_path, reader)

    def _restore(self, save_path, reader=None):
        if reader is None:
            reader = checkpoint_io.Reader(os.fspath(save_path))
        for status in list(trackable.PENDING):  # a newer restore of this root replaces older
            if status._root() is self:
                trackable.PENDING.remove(status)
        status = CheckpointLoadStatus(self, reader)
        status._match()
        if status._unmatched_keys():
            trackable.PENDING.append(status)
            del trackable.PENDING[:-_MAX_PENDING]
        return status


# Pending restores hold their checkpoint (and so its objects) alive, as TensorFlow's deferred
# restorations do; beyond this many, the oldest stop waiting.
_MAX_PENDING = 16


def _display_path(path):
    return "(root)." + ".".join(path.split("/")) if path else "(root)"


class CheckpointLoadStatus:
    """What ``Checkpoint.restore`` returns: checks on how the restore matched."""

    def __init__(self, root, reader):
        self._root = lambda: root  # strong: ``Checkpoint(model=m).restore(p)`` is common
        self._reader = reader
        self._restored = set()   # keys whose value was assigned

    def _match(self):
        root = self._root()
        if root is None:
            if self in trackable.PENDING:
                trackable.PENDING.remove(self)
            return
        reader = self._reader
        keys, aliases = reader.key_set, reader.aliases
        for path, var in trackable.variables_by_path(root).items():
            key = trackable.resolve_key(path, keys, aliases)
            if key is None or key in self._restored:
                continue
            _assign_saved(var, reader, key)
            self._restored.add(key)
        if not self._unmatched_keys() and self in trackable.PENDING:
            trackable.PENDING.remove(self)

    def _unmatched_keys(self):
        return [k for k in self._reader.keys() if k not in self._restored]

    def assert_consumed(self):
        """Checks that every saved value was restored and every variable got one.

        Returns:
          This status.

        Raises:
          AssertionError: naming the first saved value left unused, or the variables that
            have no saved value.
        """
        self._match()
        unmatched = self._unmatched_keys()
        if unmatched:
            key = unmatched[0]
            path = key[:-len(trackable.VARIABLE_SUFFIX)] \
                if key.endswith(trackable.VARIABLE_SUFFIX) else key
            name = self._reader.name(key)
            raise AssertionError(
                f"Unresolved object in checkpoint {_display_path(path)}: attributes {{\n"
                f"  name: \"VARIABLE_VALUE\"\n  full_name: \"{name}\"\n"
                f"  checkpoint_key: \"{key}\"\n}}\nhas_checkpoint_values {{\n"
                f"  value: true\n}}\n")
        self.assert_existing_objects_matched()
        return self

    def assert_existing_objects_matched(self):
        """Checks that every variable reachable now received a saved value.

        Returns:
          This status.

        Raises:
          AssertionError: listing the variables without a saved value.
        """
        self._match()
        root = self._root()
        if root is None:
            return self
        keys, aliases = self._reader.key_set, self._reader.aliases
        missing = [v for p, v in trackable.variables_by_path(root).items()
                   if trackable.resolve_key(p, keys, aliases) not in self._restored]
        if missing:
            raise AssertionError(
                f"Found {len(missing)} Python objects that were not bound to checkpointed "
                "values, likely due to changes in the Python program. Showing "
                f"{min(len(missing), 10)} of {len(missing)} unmatched objects: {missing[:10]}")
        return self

    def assert_nontrivial_match(self):
        """Checks that at least one variable (besides ``save_counter``) was restored.

        Returns:
          This status.

        Raises:
          AssertionError: if nothing was matched.
        """
        self._match()
        if not (self._restored - {"save_counter" + trackable.VARIABLE_SUFFIX}):
            raise AssertionError(
                "Nothing to load. No dependencies have been added to the checkpoint root yet.")
        return self

    def expect_partial(self):
        """Marks the restore as deliberately partial (no warning about unused values);
        returns this status."""
        return self

    def run_restore_ops(self, session=None):
        """Does nothing when executing eagerly (restores happen at once)."""


class InitializationOnlyStatus:
    """What ``restore(None)`` returns: nothing was restored."""

    def assert_consumed(self):
        """Raises AssertionError: nothing is being restored."""
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being "
                             "restored.")

    assert_existing_objects_matched = assert_consumed
    assert_nontrivial_match = assert_consumed

    def expect_partial(self):
        """Returns this status."""
        return self

    def run_restore_ops(self, session=None):
        """Does nothing."""


def _assign_saved(var, reader, key):
    """Assigns the value saved under ``key`` to ``var``, after checking shape and dtype."""
    saved_shape = reader.shape(key)
    var_shape = [int(d) for d in np.shape(var.numpy())]
    saved_dtype = reader.dtype(key)
    var_dtype = np.asarray(var.numpy()).dtype
    if saved_shape != var_shape:
        raise ValueError(
            f"Received incompatible tensor with shape {tuple(saved_shape)} when attempting to "
            f"restore variable with shape {tuple(var_shape)} and name {var.name}.")
    if saved_dtype.kind in "OSU" and var_dtype.kind in "OSU":
        var.assign(reader.read(key))  # strings
        return
    if saved_dtype != var_dtype:
        raise errors.InvalidArgumentError(
            None, "RestoreV2",
            f"tensor_name = {key}; expected dtype {dtypes.as_dtype(var_dtype).name} does not "
            f"equal original dtype {_tf_dtype_word(saved_dtype)} [Op:RestoreV2]")
    var.assign(reader.read(key))


def _tf_dtype_word(dt):
    # TensorFlow's kernel messages use C++ names: "float", "double", "int32", ...
    if dt.kind in "OSU":
        return "string"
    return {"float32": "float", "float64": "double"}.get(dt.name, dt.name)


__all__ = ["Checkpoint", "CheckpointLoadStatus", "InitializationOnlyStatus"]
