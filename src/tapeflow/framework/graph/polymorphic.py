"""``tf.function``'s ``Function``: traces its Python function once per input signature and
replays the graph (``framework.function`` re-exports it).

Signatures follow TensorFlow: tensors (and NumPy arrays) by dtype and shape, Python values
by value, other objects by identity. ``reduce_retracing`` widens differing dimensions to
None after a second trace; ``input_signature`` fixes the signature. A signature whose
dataflow cannot be recorded (see ``func_graph``) runs eagerly, with a one-time warning.
"""
import functools
import inspect
import types
import weakref

from tapeflow.framework import nest
from tapeflow.framework.graph.signature import EAGER as _EAGER, key as _key, lookup, trace_new
from tapeflow.framework.tensor import Tensor

_RUN_EAGERLY = [False]
AUTOGRAPH = [None]    # tapeflow.autograph.convert, set when tf.function is first looked up


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """Wraps ``func`` as a ``tf.function`` (usable as ``@tf.function`` or ``@tf.function(...)``).

    Returns:
      A ``Function`` (or, without ``func``, a decorator that makes one).
    """
    def decorate(f):
        return Function(f, input_signature, autograph, jit_compile,
                        bool(reduce_retracing or experimental_relax_shapes))
    return decorate if func is None else decorate(func)


class Function:
    """A function decorated with ``tf.function``: traced per signature, then replayed."""

    def __init__(self, python_function, input_signature=None, autograph=True,
                 jit_compile=None, reduce_retracing=False, name=None):
        self._python_function = python_function
        self._input_signature = input_signature
        self._autograph = autograph
        self._jit_compile = jit_compile
        self._reduce_retracing = reduce_retracing
        self._name = name or getattr(python_function, "__name__", "function")
        self._sig = inspect.signature(python_function)
        params = list(self._sig.parameters.values())
        self._npos = len(params) if all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params) \
            else -1
        self._cache, self._by_struct, self._all, self._count = {}, {}, [], 0
        self._fast = {}   # (dtype, shape) per positional Tensor argument -> cache entry
        self._bound = weakref.WeakKeyDictionary()
        functools.update_wrapper(self, python_function)

    python_function = property(lambda self: self._python_function,
                               doc="Returns the wrapped Python function.")
    input_signature = property(lambda self: self._input_signature,
                               doc="Returns the input signature given to tf.function, or None.")
    function_spec = input_signature

    def _canonical(self, args, kwargs):
        if self._input_signature is not None:
            from tapeflow.framework.graph.signature import bind_signature
            return bind_signature(self, args, kwargs)
        if not kwargs and len(args) == self._npos:
            return args, {}
        b = self._sig.bind(*args, **kwargs)
        b.apply_defaults()
        return b.args, b.kwargs

    def __call__(self, *args, **kwargs):
        if _RUN_EAGERLY[0]:
            return self._python_function(*args, **kwargs)
        if not kwargs and len(args) == self._npos:   # the hot path: all arguments Tensors
            fast = []
            for a in args:
                if type(a) is not Tensor:
                    break
                v = a._value
                fast.append((v.dtype, v.shape))
            else:
                fast = tuple(fast)
                entry = self._fast.get(fast)
                if entry is None:
                    entry = self._fast[fast] = self._entry(args, kwargs)
                if entry is not _EAGER:
                    return entry[0]._run(entry[1], args)
        return self._call(args, kwargs)

    def _entry(self, args, kwargs):
        call = self._canonical(args, kwargs)
        tensors, shapes = [], []
        struct = _key(call, tensors, shapes)
        key = (struct, tuple(shapes))
        entry = self._cache.get(key)
        return entry if entry is not None else self._lookup(struct, key, call, shapes)

    def _call(self, args, kwargs):
        call = self._canonical(args, kwargs)
        tensors, shapes = [], []
        struct = _key(call, tensors, shapes)
        key = (struct, tuple(shapes))
        entry = self._cache.get(key)
        if entry is None:
            entry = self._lookup(struct, key, call, shapes)
        if entry is _EAGER:
            return self._python_function(*call[0], **call[1])
        return entry[0]._run(entry[1], tensors)

    def _lookup(self, struct, key, call, shapes):
        return lookup(self, struct, key, call, shapes)

    def _traced_function(self):
        """Returns the Python function to trace: converted by AutoGraph when enabled."""
        f = self.__dict__.get("_ag")
        if f is None:
            f = self._python_function
            if self._autograph and AUTOGRAPH[0] is not None and not getattr(
                    f, "__ag_do_not_convert__", False):
                f = AUTOGRAPH[0](f)
            self._ag = f
        return f

    def _trace(self, call, pattern):
        cf, self._count = trace_new(self, call, pattern)
        return cf

    def __get__(self, instance, owner):
        if instance is None:
            return self
        try:
            return self._bound[instance]
        except (KeyError, TypeError):
            pass
        bound = Function(types.MethodType(self._python_function, instance),
                         self._input_signature, self._autograph, self._jit_compile,
                         self._reduce_retracing, self._name)
        try:
            self._bound[instance] = bound
        except TypeError:
            pass
        return bound

    def get_concrete_function(self, *args, **kwargs):
        """Returns the ``ConcreteFunction`` for these arguments (``TensorSpec``s allowed)."""
        if self._input_signature is not None and not args and not kwargs:
            call = (tuple(self._input_signature), {})   # the specs themselves: traced as is
        else:
            call = self._canonical(args, kwargs)
        tensors, shapes = [], []
        struct = _key(call, tensors, shapes)
        key = (struct, tuple(shapes))
        entry = self._cache.get(key) or self._lookup(struct, key, call, shapes)
        if entry is _EAGER:
            raise ValueError(f"tf.function {self._name} cannot be traced for these arguments "
                             f"and runs eagerly; it has no concrete function.")
        return entry[0]

    def experimental_get_tracing_count(self):
        """Returns how many times the Python function has been traced."""
        return self._count

    def pretty_printed_concrete_signatures(self, verbose=True):
        """Returns the text of every concrete function's signature, as TensorFlow prints it."""
        return "\n\n".join(cf.pretty_printed_signature(verbose) for cf in self._all)

    def __repr__(self):
        return f"<tapeflow.Function object {self._name} at 0x{id(self):x}>"

