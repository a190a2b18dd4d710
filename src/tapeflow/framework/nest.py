"""``tf.nest``: flatten and rebuild nested structures (lists, tuples, dicts, namedtuples).

Dicts are flattened in sorted key order, as TensorFlow does.
"""
import collections.abc


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def is_nested(structure):
    """Returns True for lists, tuples and mappings (the containers ``nest`` walks)."""
    return isinstance(structure, (list, tuple, dict, collections.abc.Mapping))


def _sorted_keys(d):
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def flatten(structure, expand_composites=False):
    """Returns the leaves of ``structure`` as a flat list (dicts in sorted key order)."""
    out = []
    _flatten(structure, out)
    return out


def _flatten(s, out):
    if isinstance(s, (list, tuple)):
        for x in s:
            _flatten(x, out)
    elif isinstance(s, collections.abc.Mapping):
        for k in _sorted_keys(s):
            _flatten(s[k], out)
    else:
        out.append(s)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """Returns ``flat_sequence`` rebuilt in the shape of ``structure``.

    Raises:
      ValueError: if the number of leaves differs.
    """
    flat = list(flat_sequence)
    if not is_nested(structure):
        if len(flat) != 1:
            raise ValueError(f"Structure is a scalar but len(flat_sequence) == {len(flat)} > 1")
        return flat[0]
    it = iter(flat)
    result = _pack(structure, it)
    rest = list(it)
    if rest:
        raise ValueError(f"Could not pack sequence: {len(rest)} leaves left over.")
    return result


def _pack(s, it):
    if isinstance(s, (list, tuple)):
        items = [_pack(x, it) for x in s]
        if _is_namedtuple(s):
            return type(s)(*items)
        return type(s)(items) if isinstance(s, tuple) else items
    if isinstance(s, collections.abc.Mapping):
        packed = {k: _pack(s[k], it) for k in _sorted_keys(s)}
        if type(s) is dict:
            return {k: packed[k] for k in s}
        return type(s)((k, packed[k]) for k in s)
    try:
        return next(it)
    except StopIteration:
        raise ValueError("Could not pack sequence: too few leaves.") from None


def map_structure(func, *structures, **kwargs):
    """Returns ``func`` applied leaf-wise across structures of the same shape."""
    if not structures:
        raise ValueError("Must provide at least one structure")
    for s in structures[1:]:
        assert_same_structure(structures[0], s)
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [func(*xs) for xs in zip(*flats)])


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False):
    """Raises ValueError if the two structures do not have the same nesting."""
    if is_nested(nest1) != is_nested(nest2):
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {nest1!r}\n\nSecond structure: {nest2!r}")
    if not is_nested(nest1):
        return
    if isinstance(nest1, collections.abc.Mapping):
        if not isinstance(nest2, collections.abc.Mapping) or set(nest1) != set(nest2):
            raise ValueError("The two structures don't have the same keys: "
                             f"{nest1!r} and {nest2!r}")
        for k in nest1:
            assert_same_structure(nest1[k], nest2[k], check_types)
        return
    if isinstance(nest2, collections.abc.Mapping) or len(nest1) != len(nest2):
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {nest1!r}\n\nSecond structure: {nest2!r}")
    for a, b in zip(nest1, nest2):
        assert_same_structure(a, b, check_types)
