"""Attribute tracking of layers: which values a layer tracks (layers, variables, containers
of them), the structure version that invalidates cached weight lists, and the list/dict
wrappers whose mutations bump it."""
from tapeflow.framework.variable import BaseVariable as _TFVariable


def _is_tracked_var(v):
    return isinstance(v, _TFVariable)


def _contains_trackable(value):
    items = value.values() if isinstance(value, dict) else value
    for v in items:
        if _is_layer(v) or _is_tracked_var(v):
            return True
        if isinstance(v, (list, tuple, dict)) and _contains_trackable(v):
            return True
    return False


def _is_layer(v):
    return isinstance(v, LayerTracking)


# -- structure version: caches of weights/sublayers are valid while it is unchanged --------
_VERSION = [0]


def _bump():
    _VERSION[0] += 1


def _mutator(name):
    base = getattr(list, name, None) or getattr(dict, name)

    def method(self, *args, **kwargs):
        _VERSION[0] += 1
        return getattr(super(type(self), self), name)(*args, **kwargs)
    method.__name__ = name
    method.__doc__ = base.__doc__
    return method


class TrackedList(list):
    """A list attribute of a layer: mutations invalidate the layer's weight caches."""

    __slots__ = ()


for _name in ("append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse",
              "__setitem__", "__delitem__", "__iadd__", "__imul__"):
    setattr(TrackedList, _name, _mutator(_name))


class TrackedDict(dict):
    """A dict attribute of a layer: mutations invalidate the layer's weight caches."""

    __slots__ = ()


for _name in ("__setitem__", "__delitem__", "pop", "popitem", "clear", "update",
              "setdefault"):
    setattr(TrackedDict, _name, _mutator(_name))


def _wrap_container(value):
    """Returns a list/dict as a TrackedList/TrackedDict (other values unchanged)."""
    t = type(value)
    if t is list:
        return TrackedList(value)
    if t is dict:
        return TrackedDict(value)
    return value


class LayerTracking:
    """The tracking half of ``keras.layers.Layer`` (its base class): attributes that are
    layers, variables or lists/dicts of them are tracked in assignment order, so nested
    weights and sublayers are found; results derived from them are cached per structure
    version (``_cached``)."""

    def __setattr__(self, name, value):
        if getattr(type(value), "_keras_seed_generator", False):
            self._track(value.state)  # keras.random.SeedGenerator: its state saves too
        if isinstance(value, (LayerTracking, list, dict, tuple)) or _is_tracked_var(value):
            t = type(value)
            if (t is list or t is dict) and (not value or _contains_trackable(value)):
                value = _wrap_container(value)  # so later appends are seen too
            self._track(value)
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        value = self.__dict__.get(name)
        tracked = self.__dict__["_tracked"]
        for i, t in enumerate(tracked):
            if t is value:
                del tracked[i]
                _bump()
                break
        object.__delattr__(self, name)

    def _track(self, value):
        tracked = self.__dict__["_tracked"]
        if isinstance(value, (list, dict, tuple)) and value and not _contains_trackable(value):
            return
        for t in tracked:
            if t is value:
                return
        if _is_tracked_var(value):
            for w in self._own_weights:
                if w is value:
                    return
        tracked.append(value)
        _bump()

    def _cached(self, key, fn):
        """Returns ``fn()``, computed once per version of the layer structure.

        Any change that can alter the answer (tracking, ``add_weight``, a tracked
        list or dict mutated, ``trainable`` set) bumps the global version.
        """
        d = self.__dict__
        cache = d.get("_cache")
        if cache is None or cache[0] != _VERSION[0]:
            cache = (_VERSION[0], {})
            d["_cache"] = cache
        values = cache[1]
        if key not in values:
            values[key] = fn()
        return values[key]

    def _flatten_tracked(self):
        """Yields tracked layers and variables in assignment order (containers expanded)."""
        seen = set()
        stack = list(reversed(self._tracked))
        while stack:
            t = stack.pop()
            if isinstance(t, (list, tuple)):
                stack.extend(reversed(t))
            elif isinstance(t, dict):
                stack.extend(reversed(list(t.values())))
            elif (isinstance(t, LayerTracking) and t is not self) or _is_tracked_var(t):
                if id(t) not in seen:
                    seen.add(id(t))
                    yield t

    @property
    def _layers(self):
        """Returns the directly tracked sublayers, in assignment order."""
        return self._cached("layers", lambda: [t for t in self._flatten_tracked()
                                               if isinstance(t, LayerTracking)])

    def _flatten_layers(self, include_self=True, recursive=True):
        """Returns this layer and all nested layers, depth first."""
        if include_self and recursive:
            return self._cached("flat", lambda: self._walk_layers(True, True))
        return self._walk_layers(include_self, recursive)

    def _walk_layers(self, include_self, recursive):
        out = [self] if include_self else []
        seen = {id(self)}
        stack = list(reversed(self._layers))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            if recursive:
                stack.extend(reversed(layer._layers))
        return out

    def _own_variables(self):
        return self._cached("own", self._find_own_variables)

    def _find_own_variables(self):
        own = list(self._own_weights)
        ids = {id(w) for w in own}
        for t in self._flatten_tracked():
            if not isinstance(t, LayerTracking) and id(t) not in ids:
                own.append(t)
                ids.add(id(t))
        return own
