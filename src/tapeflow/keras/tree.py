"""``keras.tree``: nested structures (lists, tuples, dicts) of leaves."""
from tapeflow.framework import nest


def is_nested(structure):
    """Returns True for a list, tuple or dict."""
    return nest.is_nested(structure)


def flatten(structure):
    """Returns the leaves of ``structure`` in order (dicts by sorted key)."""
    return nest.flatten(structure)


def map_structure(func, *structures):
    """Returns ``func`` applied to the matching leaves of ``structures``, same structure."""
    return nest.map_structure(func, *structures)


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
