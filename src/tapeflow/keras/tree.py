"""``keras.tree``: nested structures (lists, tuples, dicts) of leaves.

The one nested-structure module of ``keras/`` (it sits at the bottom: it imports only
``framework.nest``): the functional graph, layers, ops and models all flatten and map through
it, so every part agrees on the order of the leaves. As in Keras 3 (and ``tf.nest``), dicts
are flattened in sorted key order (insertion order when the keys cannot be sorted) and
mapped dicts keep their own key order.
"""
from tapeflow.framework import nest


def is_nested(structure):
    """Returns True for a list, tuple or dict."""
    return nest.is_nested(structure)


def flatten(structure):
    """Returns the leaves of ``structure`` in order (dicts by sorted key)."""
    t = type(structure)
    if t is list or t is tuple:
        if not any(isinstance(v, (list, tuple, dict)) for v in structure):
            return list(structure)   # the common flat case, without a walk
    elif t is not dict and not nest.is_nested(structure):
        return [structure]
    return nest.flatten(structure)


def map_structure(func, *structures):
    """Returns ``func`` applied to the matching leaves of ``structures``, same structure.

    Raises:
      ValueError: if the structures do not have the same nesting.
    """
    if len(structures) == 1:
        return _map_one(func, structures[0])
    return nest.map_structure(func, *structures)


def _map_one(func, s):
    t = type(s)
    if t is list:
        return [_map_one(func, v) for v in s]
    if t is tuple:
        return tuple(_map_one(func, v) for v in s)
    if t is dict:
        return {k: _map_one(func, v) for k, v in s.items()}
    if nest.is_nested(s):   # namedtuples, other mappings
        return nest.map_structure(func, s)
    return func(s)


def _sorted_keys(mapping):
    """Returns ``mapping``'s keys in the order ``flatten`` visits them (sorted if sortable)."""
    try:
        return sorted(mapping)
    except TypeError:
        return list(mapping)


def map_structure_up_to(shallow_structure, func, *structures):
    """Returns ``func`` applied to the sub-structures at ``shallow_structure``'s leaves."""
    if not is_nested(shallow_structure):
        return func(*structures)
    if isinstance(shallow_structure, dict):
        return {k: map_structure_up_to(shallow_structure[k], func, *[s[k] for s in structures])
                for k in shallow_structure}
    out = [map_structure_up_to(sub, func, *[s[i] for s in structures])
           for i, sub in enumerate(shallow_structure)]
    return type(shallow_structure)(out) if isinstance(shallow_structure, tuple) else out


def pack_sequence_as(structure, flat_sequence, sequence_fn=None):
    """Returns ``flat_sequence`` arranged as ``structure``."""
    return nest.pack_sequence_as(structure, flat_sequence)


def assert_same_structure(a, b, check_types=False):
    """Raises ValueError unless ``a`` and ``b`` have the same nesting."""
    nest.assert_same_structure(a, b)


def traverse(func, structure, top_down=True):
    """Applies ``func`` to every node (here: the leaves), returning the new structure."""
    return nest.map_structure(func, structure)


def flatten_with_path(structure):
    """Returns ``[(path tuple, leaf), ...]``."""
    out = []

    def walk(s, path):
        if isinstance(s, dict):
            for k in sorted(s):
                walk(s[k], path + (k,))
        elif isinstance(s, (list, tuple)):
            for i, v in enumerate(s):
                walk(v, path + (i,))
        else:
            out.append((path, s))
    walk(structure, ())
    return out


def lists_to_tuples(structure):
    """Returns ``structure`` with every list turned into a tuple."""
    if isinstance(structure, dict):
        return {k: lists_to_tuples(v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return tuple(lists_to_tuples(v) for v in structure)
    return structure
