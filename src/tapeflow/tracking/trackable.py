"""The object graph a checkpoint saves: which objects hold which variables, under which names.

An object's children are, in order: what its ``_trackable_children()`` returns if its class
defines one (``tf.train.Checkpoint``, Keras layers, models and optimizers do), else its
attributes in assignment order (``tf.Module`` and plain objects), keeping only variables,
trackable objects and lists, tuples and dicts holding them (a list's children are named
``"0"``, ``"1"``, ...; a dict's by its keys). Each variable is saved once, under the first
path a breadth-first walk from the root reaches it by, as TensorFlow does:
``model/layer/kernel/.ATTRIBUTES/VARIABLE_VALUE``.

Restorations not finished yet (variables that do not exist yet) are kept in ``PENDING``;
code that creates variables later (``Layer.build``, an optimizer's first step, attribute
assignment on a ``tf.Module``) calls ``restore_pending()`` when that list is non-empty.
"""
import collections

from tapeflow.framework.variable import BaseVariable

VARIABLE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"

PENDING = []  # restore statuses still waiting for variables to appear


def escape_name(name):
    """Returns a child name made safe for a ``/``-separated path (TensorFlow's escaping:
    ``.`` becomes ``..`` and ``/`` becomes ``.S``)."""
    return str(name).replace(".", "..").replace("/", ".S")


def is_variable(x):
    """Returns True for a ``tf.Variable`` or a ``keras.Variable``."""
    return isinstance(x, BaseVariable)


def is_trackable(x):
    """Returns True for objects a checkpoint can hold: variables, ``tf.Module``s and objects
    whose class defines ``_trackable_children``."""
    if isinstance(x, BaseVariable) or hasattr(type(x), "_trackable_children"):
        return True
    from tapeflow.tracking.module import Module
    return isinstance(x, Module)


def _holds_trackable(x, depth=0):
    if depth > 64:
        return False
    if isinstance(x, (list, tuple)) and not isinstance(x, BaseVariable):
        return any(_holds_trackable(v, depth + 1) for v in x)
    if isinstance(x, dict):
        return any(_holds_trackable(v, depth + 1) for v in x.values())
    return is_trackable(x)


def attribute_children(obj, skip=()):
    """Returns ``(name, child)`` for ``obj``'s attributes that are or hold trackables, in
    assignment order (what ``tf.Module`` and plain objects contribute)."""
    ignored = getattr(obj, "_TF_MODULE_IGNORED_PROPERTIES", ())
    try:
        attrs = vars(obj)
    except TypeError:
        return []
    return [(k, v) for k, v in attrs.items()
            if k not in ignored and k not in skip and _holds_trackable(v)]


def trackable_children(obj):
    """Returns the ``(name, child)`` pairs of ``obj`` in the object graph (see module doc)."""
    if isinstance(obj, BaseVariable):
        return []
    fn = getattr(type(obj), "_trackable_children", None)
    if fn is not None:
        return [(n, c) for n, c in fn(obj)
                if _holds_trackable(c) or (type(c) in (list, tuple, dict) and not c)]
    if isinstance(obj, (list, tuple)):
        return [(str(i), v) for i, v in enumerate(obj) if _holds_trackable(v)]
    if isinstance(obj, dict):
        return [(str(k), v) for k, v in obj.items() if _holds_trackable(v)]
    return attribute_children(obj)


def object_graph(root, aliases=None, edges=None):
    """Returns ``[(path, obj), ...]``: every object reachable from ``root``, breadth first,
    each once under the first (shortest) path found; the root's path is ``""``.

    If ``aliases`` is a dict, each other path reaching an object already seen is recorded
    in it as ``{other path: first path}`` (a restore follows them: a variable saved under
    ``optimizer/_trainable_variables/0`` is also ``model/dense/_kernel``). If ``edges`` is a
    dict, ``edges[id(obj)]`` receives each object's ``(name, child)`` pairs as walked."""
    path_of = {id(root): ""}
    queue = collections.deque([("", root)])
    out = []
    while queue:
        path, obj = queue.popleft()
        out.append((path, obj))  # also keeps every node alive, so ids stay unique
        children = trackable_children(obj)
        if edges is not None:
            edges[id(obj)] = children
        for name, child in children:
            child_path = f"{path}/{escape_name(name)}" if path else escape_name(name)
            first = path_of.get(id(child))
            if first is not None:
                if aliases is not None and first != child_path:
                    aliases.setdefault(child_path, first)
                continue
            path_of[id(child)] = child_path
            queue.append((child_path, child))
    return out


def variables_by_path(root):
    """Returns ``{path: variable}`` for every variable reachable from ``root``."""
    return {path: obj for path, obj in object_graph(root) if isinstance(obj, BaseVariable)}


def resolve_key(path, keys, aliases, _depth=0):
    """Returns the saved key for the variable at ``path``, following the saved ``aliases``
    (longest matching prefix first), or None if the checkpoint has no value for it."""
    key = path + VARIABLE_SUFFIX
    if key in keys:
        return key
    if _depth > 16 or not aliases:
        return None
    parts = path.split("/")
    for i in range(len(parts), 0, -1):
        target = aliases.get("/".join(parts[:i]))
        if target is not None:
            return resolve_key("/".join([target] + parts[i:]) if target else
                               "/".join(parts[i:]), keys, aliases, _depth + 1)
    return None


def restore_pending():
    """Gives the pending restorations a chance to fill variables created since; returns None.

    Callers check ``if PENDING:`` first, so this costs nothing when nothing is pending.
    """
    for status in list(PENDING):
        status._match()


__all__ = ["escape_name", "is_trackable", "is_variable", "object_graph", "variables_by_path",
           "resolve_key",
           "restore_pending", "trackable_children", "PENDING"]
