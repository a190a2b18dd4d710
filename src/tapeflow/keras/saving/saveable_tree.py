"""Where each layer and optimizer keeps its state in a Keras 3 file.

Keras 3 walks a model as a tree of attributes and writes each object's own variables
under ``<path>/vars`` (and its assets under ``assets/<path>/``). A model's ``layers``
come first (as a list); then its attributes, sorted by name with private names last.
Objects in a list are named by their snake_case class name made unique within the list
(``dense``, ``dense_1``, ...), never by their ``name``; nested lists become
``container``, ``container_1``, ... An object reached twice keeps its first path.

This module reproduces those paths for tapeflow's objects, so that
``layers/dense/vars/0`` names the same variable in both libraries.
"""
import re

# tapeflow's own bookkeeping attributes: they hold layers already reachable through
# ``layers`` or public attributes (or, like ``_init_args``, copies of constructor
# arguments), and have no counterpart in a Keras file. As Keras does with its own base
# classes, the attributes of bare base-class instances are added to these (``_internal``).
_INTERNAL = frozenset({"_tracked", "_seq_layers", "_graph_layers", "_layers", "_functional",
                       "_graph", "_compile_loss", "_compile_metrics", "_loss_tracker",
                       "_own_weights", "_created_non_trainable", "_cache", "_init_args",
                       "_inbound_nodes", "_outbound_nodes", "_compile_config"})
_SKIP = []

# Layers whose sublayers Keras reaches under other attribute names: tapeflow attribute ->
# Keras's name (None: Keras has no such saveable object there).
_KERAS_NAMES = {
    "MultiHeadAttention": {"_query_dense": "query_dense", "_key_dense": "key_dense",
                           "_value_dense": "value_dense", "_output_dense": "output_dense"},
    "Attention": {"_dropout_layer": None},
}
# Saveable objects without variables that Keras's layer owns and tapeflow's does not:
# written as empty groups, so the file's layout is Keras's. attribute -> Keras's name.
_KERAS_EXTRAS = {"TextVectorization": {"_lookup_layer": "string_lookup"},
                 "MultiHeadAttention": {"_softmax": "softmax"}}


def _internal():
    if not _SKIP:
        from tapeflow.keras.layers.layer import Layer
        from tapeflow.keras.models.sequential import Sequential
        names = set(_INTERNAL)
        for ref in (Layer(name="_reference"), Sequential(name="_reference")):  # named:
            # no auto-name ("layer", "sequential") is used up
            names.update(vars(ref))
        _SKIP.append(frozenset(names))
    return _SKIP[0]


class Node:
    """One saveable object: its path in the file, the object and the name Keras records."""
    __slots__ = ("path", "obj", "name", "virtual")

    def __init__(self, path, obj, name, virtual=False):
        self.path, self.obj, self.name, self.virtual = path, obj, name, virtual

    def __repr__(self):
        return f"Node({self.path!r}, {self.name!r})"


class StandIn:
    """A sublayer Keras's layer has and tapeflow's does not, such as TextVectorization's
    ``_lookup_layer`` (a StringLookup whose assets repeat the vocabulary) or
    MultiHeadAttention's ``_softmax``: written with no variables (and the owner's assets,
    for the lookup), ignored when reading."""

    def __init__(self, owner, name):
        self.owner, self.name = owner, name

    def save_assets(self, dir_path):
        """Writes the owner's assets (the vocabulary), as Keras's StringLookup does."""
        self.owner.save_assets(dir_path)


def snake_case(name):
    """Returns a class name in snake_case as Keras names saved objects (``Conv2D`` ->
    ``conv2d``, ``BatchNormalization`` -> ``batch_normalization``)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


def _join(path, name):
    return f"{path}/{name}" if path else name


def _is_saveable(obj):
    from tapeflow.keras.layers.layer import Layer
    from tapeflow.keras.optimizers.base_optimizer import Optimizer
    return isinstance(obj, (Layer, Optimizer, StandIn))


def _is_optimizer(obj):
    from tapeflow.keras.optimizers.base_optimizer import Optimizer
    return isinstance(obj, Optimizer)


def _is_container(obj):
    return isinstance(obj, (list, tuple, dict))


def _name_key(name):
    return "~" + name if name.startswith("_") else name


def _children(obj):
    """Yields ``(attribute, value)`` in Keras's visiting order."""
    from tapeflow.keras.models.functional import Functional
    from tapeflow.keras.models.model import Model
    from tapeflow.keras.models.sequential import Sequential
    if isinstance(obj, StandIn):
        return
    if isinstance(obj, (Functional, Sequential)):
        yield "layers", list(obj.layers)
    attrs = {}
    skip = _internal() if not _is_optimizer(obj) else _INTERNAL
    renames = _for_class(obj, _KERAS_NAMES)
    for key, value in vars(obj).items():
        if key.startswith("__") or key in skip:
            continue
        key = renames.get(key, key)
        if key is not None and (_is_saveable(value) or (_is_container(value) and value)):
            attrs[key] = value
    for key, value in _user_properties(obj):
        attrs.setdefault(key, value)
    if isinstance(obj, Model) and not isinstance(obj, (Functional, Sequential)):
        attrs["layers"] = list(obj.layers)
    for key, name in _for_class(obj, _KERAS_EXTRAS).items():
        attrs.setdefault(key, StandIn(obj, name))
    for key in sorted(attrs, key=_name_key):
        yield key, attrs[key]


def _for_class(obj, table):
    """The row of ``table`` for the tapeflow class ``obj`` is (or derives from)."""
    for cls in type(obj).__mro__:
        if cls.__name__ in table and (cls.__module__ or "").startswith("tapeflow."):
            return table[cls.__name__]
    return {}


def _user_properties(obj):
    """Yields ``(name, value)`` of the properties that classes outside tapeflow (a user's
    subclass) define and that return saveable objects: Keras visits every attribute ``dir``
    lists, properties included."""
    seen = set()
    for cls in type(obj).__mro__:
        if (cls.__module__ or "").startswith("tapeflow.") or cls is object:
            continue
        for key, attr in vars(cls).items():
            if not isinstance(attr, property) or key in seen or key.startswith("__"):
                continue
            seen.add(key)
            try:
                value = getattr(obj, key)
            except Exception:   # noqa: BLE001 (Keras skips what cannot be read, as here)
                continue
            if _is_saveable(value) or (_is_container(value) and value):
                yield key, value


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def _object_name(obj):
    if isinstance(obj, StandIn):
        return obj.name
    name = getattr(obj, "name", None)
    return name if isinstance(name, str) else None


def walk(model, include_optimizer=True):
    """Returns the list of ``Node``s of ``model`` (and its optimizer), in Keras's order.

    The root has path ``""``; its variables live under ``vars``.
    """
    nodes, visited = [], set()

    def visit(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        nodes.append(Node(path, obj, _object_name(obj), isinstance(obj, StandIn)))
        for attr, value in _children(obj):
            if attr == "optimizer" and not include_optimizer:
                continue
            if _is_saveable(value):
                visit(value, _join(path, attr))
            elif _is_container(value):
                container(value, _join(path, attr), set())

    def container(value, path, seen):
        if id(value) in seen:
            return
        seen.add(id(value))
        used = {}
        items = list(value.values()) if isinstance(value, dict) else list(value)
        for item in items:
            if _is_saveable(item):
                obj = item.owner if isinstance(item, StandIn) else item
                visit(item, _join(path, _unique(snake_case(type(obj).__name__), used)))
            elif _is_container(item):
                container(item, _join(path, _unique("container", used)), seen)

    visit(model, "")
    return nodes


def vars_path(path):
    """Returns the HDF5 group holding the variables of the object at ``path``."""
    return _join(path, "vars")
