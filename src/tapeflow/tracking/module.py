"""``tf.Module``: a named container of variables and submodules, found through its attributes.

Nothing is registered: ``variables``, ``trainable_variables`` and ``submodules`` walk the
instance's attributes at each call (sorted by attribute name, nested lists, tuples and
dicts flattened as ``tf.nest`` does, dict keys sorted), so a list appended to later is seen.
A module's own leaves come first, then each submodule's, in the order they were found.
"""
import functools
import re

from tapeflow.framework.name_scope import name_scope
from tapeflow.framework.variable import Variable
from tapeflow.tracking import trackable as _trackable

_VALID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CAMEL = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")


def _camel_to_snake(name):
    return _CAMEL.sub(r"_\1", name).lower()


class Module:
    """Base class for neural-network modules (``tf.Module``).

    Args:
      name: the module's name, a valid Python identifier; by default the snake_case
        class name (``MyDense`` -> ``"my_dense"``).

    Raises:
      ValueError: if ``name`` is not a valid Python identifier.
    """

    _TF_MODULE_IGNORED_PROPERTIES = frozenset((
        "_self_unconditional_checkpoint_dependencies",
        "_self_unconditional_dependency_names"))

    def __init__(self, name=None):
        if name is None:
            name = _camel_to_snake(type(self).__name__)
        elif not isinstance(name, str) or not _VALID_NAME.match(name):
            raise ValueError(
                f"{name!r} is not a valid module name. Module names must be valid Python "
                "identifiers (e.g. a valid class name).")
        self._name = name
        with name_scope(name) as scope_name:
            self._name_scope = name_scope(scope_name)  # absolute: "outer/name/"

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        if _trackable.PENDING:  # a checkpoint restore may wait for this new attribute
            _trackable.restore_pending()

    @property
    def name(self):
        """Returns the name given to the module (without its enclosing scopes)."""
        return self._name

    @property
    def name_scope(self):
        """Returns the module's ``tf.name_scope`` (its ``name`` is ``"outer/name/"``)."""
        return self._name_scope

    @property
    def variables(self):
        """Returns a tuple of the ``tf.Variable``s of this module and its submodules."""
        return tuple(_flatten_module(self, _is_variable))

    @property
    def trainable_variables(self):
        """Returns a tuple of the trainable ``tf.Variable``s of this module and its submodules."""
        return tuple(_flatten_module(self, lambda v: _is_variable(v) and v.trainable))

    @property
    def non_trainable_variables(self):
        """Returns a tuple of the non-trainable ``tf.Variable``s of this module and submodules."""
        return tuple(_flatten_module(self, lambda v: _is_variable(v) and not v.trainable))

    @property
    def submodules(self):
        """Returns a tuple of all nested ``tf.Module``s, this module's own ones first."""
        return tuple(_flatten_module(self, _is_module))

    @classmethod
    def with_name_scope(cls, method):
        """Decorator that runs ``method`` inside the module's name scope.

        >>> class Dense(tf.Module):
        ...     @tf.Module.with_name_scope
        ...     def __call__(self, x):
        ...         return tf.Variable(x, name="w")
        >>> Dense(name="d")(1.0).name
        'd/w:0'

        Returns:
          The wrapped method.
        """
        @functools.wraps(method)
        def method_with_name_scope(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        return method_with_name_scope


def _is_variable(x):
    return isinstance(x, Variable)


def _is_module(x):
    return isinstance(x, Module)


def _leaves(value):
    """Yields the leaves of a nested structure in ``tf.nest`` order (dict keys sorted)."""
    t = type(value)
    if t is list or t is tuple or (isinstance(value, (list, tuple)) and
                                   not _is_variable(value)):
        for v in value:
            yield from _leaves(v)
    elif isinstance(value, dict):
        try:
            keys = sorted(value)
        except TypeError:
            keys = list(value)
        for k in keys:
            yield from _leaves(value[k])
    else:
        yield value


def _flatten_module(module, predicate):
    """Yields the values of ``module``'s attributes (and its submodules') that satisfy
    ``predicate``, each once: this module's first, then each submodule's in turn."""
    seen = {id(module)}
    yield from _walk(module, predicate, seen)


def _walk(module, predicate, seen):
    submodules = []
    attrs = vars(module)
    ignored = getattr(module, "_TF_MODULE_IGNORED_PROPERTIES", ())
    for key in sorted(attrs):
        if key in ignored:
            continue
        for leaf in _leaves(attrs[key]):
            if id(leaf) in seen:
                continue
            seen.add(id(leaf))
            if predicate(leaf):
                yield leaf
            if isinstance(leaf, Module):
                submodules.append(leaf)
    for sub in submodules:
        yield from _walk(sub, predicate, seen)


__all__ = ["Module"]
