"""Shapes as layers take them: standardized tuples (``None`` for unknown sizes), possibly in
lists or dicts for several inputs."""


def _shape_of(x):
    if isinstance(x, dict):
        return {k: _shape_of(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_shape_of(v) for v in x]
    if x is None:
        return None
    return tuple(x.shape)


def _standard_shape(shape):
    if isinstance(shape, dict):
        return {k: _standard_shape(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple, dict)):
        return [_standard_shape(s) for s in shape]
    if hasattr(shape, "as_list"):
        shape = shape.as_list() if shape.rank is not None else None
    return None if shape is None else tuple(None if d is None else int(d) for d in shape)


def _map_shapes(shape, fn):
    if isinstance(shape, dict):
        return {k: _map_shapes(v, fn) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [_map_shapes(s, fn) for s in shape]
    return fn(tuple(shape))
