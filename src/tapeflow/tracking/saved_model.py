"""``tf.saved_model.save`` / ``load``: TensorFlow's SavedModel files, objects, variables and
computations.

    export_dir/saved_model.pb                      a SavedModel protobuf: object graph and
                                                   the traced functions (FunctionDefs)
    export_dir/variables/variables.index           the variables: a TensorBundle checkpoint
    export_dir/variables/variables.data-00000-of-00001
    export_dir/assets/                             empty

``saved_model.pb`` holds the ``SavedObjectGraph``: every object (user objects, list and
dict wrappers, variables with dtype/shape/name/trainable, ``tf.function``s with their
``FunctionSpec`` and concrete functions, the ``signatures`` map), numbered as the checkpoint
numbers them, and the meta graph's function library: each traced concrete function as a
TensorFlow ``FunctionDef`` (``sm_functions``, ``sm_write``, ``sm_ops``), so TensorFlow's
``tf.saved_model.load`` runs tapeflow's files and tapeflow's runs TensorFlow's (``sm_load``:
an allow-list of ops run with tapeflow ops; differentiable). A function whose graph cannot
be written (ops outside the allow-list, Python nodes, control flow) is saved without it,
with a warning, and its loaded stub raises ``NotImplementedError``. Reading never
unpickles, never imports or calls what a file names, and checks sizes and indices first.
"""
import os

from tapeflow.framework import errors
from tapeflow.tracking import checkpoint_io, tensor_bundle, trackable

MAX_GRAPH_BYTES = 256 << 20  # TensorFlow's saved_model.pb holds graphs: allow large ones


def _function_specs(obj):
    """Returns ``[(attribute name, tf.function)]`` for the ``tf.function``s of ``obj``."""
    from tapeflow.framework.function import Function
    out, seen = [], set()
    for name in sorted(set(vars(type(obj))) | set(getattr(obj, "__dict__", {}))):
        try:
            value = getattr(obj, name)
        except Exception:  # noqa: BLE001  (a property may fail; it is not a function)
            continue
        fn = value if isinstance(value, Function) else getattr(value, "__func__", None)
        if isinstance(fn, Function) and id(fn) not in seen:
            seen.add(id(fn))
            out.append((name, fn))
    return out


def save(obj, export_dir, signatures=None, options=None):
    """Saves ``obj``'s variables and object graph in ``export_dir`` (see the module doc).

    Args:
      obj: a trackable object (``tf.Module``, Keras model or layer).
      export_dir: the folder to write (created; files in it are replaced).
      signatures: a ``tf.function`` (named ``"serving_default"``) or a dict of them.

    Raises:
      ValueError: if ``obj`` is not trackable.
    """
    if not trackable.is_trackable(obj) or trackable.is_variable(obj):
        raise ValueError("Expected an object of type `Trackable`, such as `tf.Module` or a "
                         "subclass of the `Trackable` class, for export. Got "
                         f"{obj} with type {type(obj)}.")
    # Traces made while saving record attention as TensorFlow ops, not the fused op.
    from tapeflow.ops.attention_ops import composite_attention
    with composite_attention():
        return _save(obj, export_dir, signatures, options)


def _save(obj, export_dir, signatures, options):
    """``save``'s work, once ``obj`` is known to be trackable."""
    from tapeflow.tracking.checkpoint import Checkpoint
    export_dir = os.fspath(export_dir)
    os.makedirs(os.path.join(export_dir, "variables"), exist_ok=True)
    os.makedirs(os.path.join(export_dir, "assets"), exist_ok=True)
    ck = Checkpoint(root=obj)
    ck.write(os.path.join(export_dir, "variables", "variables"))
    from tapeflow.framework.function import Function
    if signatures is None:
        call = getattr(type(obj), "__call__", None)
        signatures = {"serving_default": call.__get__(obj, type(obj))} if isinstance(
            call, Function) and call.input_signature is not None else {}
        default = getattr(obj, "_default_save_signature", None)   # Keras models
        if not signatures and callable(default):
            sig = default()
            signatures = {"serving_default": sig} if sig is not None else {}
    elif not isinstance(signatures, dict):
        signatures = {"serving_default": signatures}
    from tapeflow.tracking import saved_model_tf
    from tapeflow.framework.graph.concrete_function import ConcreteFunction
    raw = saved_model_tf.encode(ck, _function_specs, {
        k: f for k, f in signatures.items() if isinstance(f, (Function, ConcreteFunction))})
    checkpoint_io._atomic_write(os.path.join(export_dir, "saved_model.pb"), [raw])


class _UserObject:
    """An object rebuilt by ``tf.saved_model.load``: attributes only, no Python class."""

    def __call__(self, *args, **kwargs):
        fn = self.__dict__.get("__call__")
        if fn is None:
            raise TypeError("'_UserObject' object is not callable")
        return fn(*args, **kwargs)

    def __repr__(self):
        return f"<tapeflow.saved_model._UserObject object at {hex(id(self))}>"


class RestoredFunction:
    """A ``tf.function`` or signature loaded from a SavedModel.

    Calling it picks the saved concrete function whose input structure, dtypes and shapes
    fit the arguments and runs its ``FunctionDef`` with tapeflow ops (``sm_load``), the
    captured variables bound to the loaded ones; a ``GradientTape`` records the ops.

    Raises:
      NotImplementedError: when called, if the file holds no graph for it (saved without
        one: a function tapeflow could not write, or the object had no trace).
      NotFoundError: when called, if its graph uses an op outside tapeflow's allow-list.
      TypeError: for arguments that fit none of the saved signatures.
    """

    def __init__(self, name, input_signature, concrete=(), library=None, keywords=None,
                 argspec=None):
        self.name = name
        self.input_signature = input_signature
        self._concrete = [c for c in concrete if c is not None]
        self._library = library
        self._keywords = keywords       # a signature (bare concrete function): its keywords
        self._variables = {}
        self._argspec = argspec         # (parameter names, defaults) of the Python function

    def _bind_variables(self, objects):
        for c in self._concrete:
            for i in c.bound:
                if not 0 <= i < len(objects) or not (getattr(
                        objects[i], "_is_variable", False) or hasattr(objects[i], "tensor")):
                    raise tensor_bundle._Bad(f"function {c.name!r} captures node {i}, which "
                                             "is not a variable or constant")
            self._variables[c.name] = [objects[i] for i in c.bound]

    @property
    def structured_outputs(self):
        """Returns the saved output structure (TensorSpecs) of the first concrete function."""
        return self._concrete[0].output_sig if self._concrete else None

    @property
    def structured_input_signature(self):
        """Returns the saved ``(args, kwargs)`` of TensorSpecs of the first concrete function."""
        return self._concrete[0].input_sig if self._concrete else None

    def __call__(self, *args, **kwargs):
        from tapeflow.tracking import sm_load
        if not self._concrete:
            raise NotImplementedError(
                f"The function {self.name!r} was loaded from a SavedModel that holds no graph "
                "for it (the writer could not save one; see the warning it logged). Build the "
                "Python object again and restore its variables with "
                "tf.train.Checkpoint(root=obj).read('<export_dir>/variables/variables').")
        errors_seen = []
        for c in self._concrete:
            try:
                inputs = sm_load.bind(c, args, kwargs, self.name, self._keywords,
                                      len(self._keywords or ()), self._argspec)
            except TypeError as e:
                errors_seen.append(str(e))
                continue
            captured = [v.tensor() if hasattr(v, "tensor") else v
                        for v in self._variables.get(c.name, [])]
            outs = self._library.run(c.name, inputs + captured)
            return sm_load.pack(c.output_sig, outs)
        raise TypeError(errors_seen[0] if len(errors_seen) == 1 else
                        f"{self.name}() arguments match none of its {len(errors_seen)} saved "
                        "concrete functions:\n  " + "\n  ".join(errors_seen))

    def __repr__(self):
        return f"<RestoredFunction {self.name!r}>"


def _bad(export_dir, why):
    return errors.DataLossError(None, None, f"SavedModel at {export_dir!r} is corrupt: {why}")


def load(export_dir, tags=None, options=None):
    """Loads a SavedModel (written by ``save``, or by TensorFlow): objects and variables,
    function stubs.

    Returns:
      A ``_UserObject`` whose attributes mirror the saved object's trackable attributes, with
      ``signatures`` (a dict of ``RestoredFunction``s).

    Raises:
      OSError: if ``export_dir`` holds no ``saved_model.pb``.
      DataLossError: if the files are malformed or do not belong together.
    """
    export_dir = os.fspath(export_dir)
    path = os.path.join(export_dir, "saved_model.pb")
    if not os.path.isfile(path):
        raise OSError(f"SavedModel file does not exist at: {export_dir}"
                      f"{os.sep}{{saved_model.pbtxt|saved_model.pb}}")
    if os.path.getsize(path) > MAX_GRAPH_BYTES:
        raise _bad(export_dir, "saved_model.pb is too large")
    with open(path, "rb") as f:
        raw = f.read(MAX_GRAPH_BYTES + 1)
    from tapeflow.tracking import saved_model_tf
    reader = checkpoint_io.Reader(os.path.join(export_dir, "variables", "variables"))
    try:
        return saved_model_tf.build(raw, reader, _UserObject, RestoredFunction)
    except tensor_bundle._Bad as e:
        raise _bad(export_dir, f"saved_model.pb: {e}") from None


__all__ = ["save", "load", "RestoredFunction"]
