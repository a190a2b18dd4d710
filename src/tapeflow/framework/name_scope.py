"""``tf.name_scope``: the per-thread name prefix (``"outer/inner/"``).

Eager tensors have no names, so a scope only prefixes the names of variables made
inside it (``outer/w:0``) and of ``tf.Module``s' own scopes.
"""
from tapeflow.framework import context as _context

# The prefix lives in the per-thread engine context: ``context.state.name_scope``
# ("" or a prefix ending in "/").
_state = _context.state


def current_prefix():
    """Returns the current scope prefix, ``""`` or ``"outer/inner/"``."""
    return _state.name_scope


class name_scope:  # noqa: N801  (TensorFlow's name)
    """A context manager that prefixes names made inside it (``tf.name_scope``).

    ``with tf.name_scope("outer") as scope:`` binds ``scope`` to ``"outer/"``; nested
    scopes append (``"outer/inner/"``). A name ending in ``/`` is absolute: it replaces
    the current prefix instead of extending it; ``""`` resets to the top level.

    Args:
      name: the scope's name.

    Raises:
      ValueError: if ``name`` is not a string.
    """

    __slots__ = ("_name", "_saved")

    def __init__(self, name):
        if not isinstance(name, str):
            raise ValueError("name for name_scope must be a string.")
        self._name = name
        self._saved = []

    @property
    def name(self):
        """Returns the name given to the scope."""
        return self._name

    def __enter__(self):
        name = self._name
        prev = _state.name_scope
        if not name:
            scope = ""
        elif name.endswith("/"):
            scope = name
        else:
            scope = prev + name + "/"
        self._saved.append(prev)
        _state.name_scope = scope
        return scope

    def __exit__(self, *exc):
        _state.name_scope = self._saved.pop()
        return False


__all__ = ["name_scope"]
