"""``tf.custom_gradient``: a function whose gradient you write yourself.

The decorated function runs normally (as in TensorFlow's eager mode, its ops
are recorded too, so tensors it closes over stay differentiable); its outputs
are then re-issued as new Tensors and recorded on the watching tapes as one op
whose inputs are the call's tensors (plus the variables the function read) and
whose gradient rule calls the user's ``grad_fn``. The gradient function uses
tapeflow ops, so an outer tape that is still recording records it too
(second-order gradients).
"""
import functools

from tapeflow.framework import context as _context
from tapeflow.framework import nest
from tapeflow.framework import primitive as _prim
from tapeflow.framework.indexed_slices import IndexedSlices
from tapeflow.framework.tensor import Tensor, convert_to_tensor


def _custom_grad(op, *dys):
    """Calls the user's gradient function; returns one gradient per recorded input."""
    attrs = op.attrs
    grad_fn = attrs["grad_fn"]
    variables = attrs["variables"]
    n_args = attrs["n_args"]
    if variables:
        result = grad_fn(*dys, variables=variables)
        if not (isinstance(result, (list, tuple)) and len(result) == 2):
            raise TypeError("If using @custom_gradient with a function that uses variables, "
                            "then grad_fn must return a pair (input_grads, variable_grads).")
        input_grads, var_grads = result
        var_grads = list(var_grads)
        if len(var_grads) != len(variables):
            raise ValueError(f"Must return gradient for each variable from @custom_gradient "
                             f"grad_fn: expected {len(variables)}, got {len(var_grads)}.")
    else:
        input_grads, var_grads = grad_fn(*dys), []
    input_grads = nest.flatten(input_grads) if isinstance(input_grads, (list, tuple)) \
        else [input_grads]
    if len(input_grads) != n_args:
        raise ValueError(f"custom_gradient function expected to return {n_args} gradients, "
                         f"but returned {len(input_grads)} instead.")
    return [g if g is None or isinstance(g, (Tensor, IndexedSlices)) else convert_to_tensor(g)
            for g in input_grads + var_grads]


_CUSTOM_OP = _prim.Op("CustomGradient", None, num_outputs=-1)
_CUSTOM_OP.def_grad(_custom_grad)


class _VariableCollector:
    """A stand-in tape that only notes which trainable variables are read."""

    _recording = True
    _watch_accessed = True
    _tracing = False

    def __init__(self):
        self._watched = {}
        self._records = []
        self.variables = {}

    def _watch_variable(self, var):
        var = getattr(var, "_parent", var)
        self.variables.setdefault(id(var), var)
        self._watched[id(var._tensor)] = var._tensor


def custom_gradient(f=None):
    """Decorator: defines a function together with its gradient.

    The decorated ``f(*x)`` returns ``(y, grad_fn)``. ``grad_fn(*dy)`` returns
    one gradient per input in ``x`` (a single Tensor for one input). When ``f``
    reads trainable variables, ``grad_fn(*dy, variables=...)`` is called
    instead and returns ``(input_grads, variable_grads)``.

    >>> import tapeflow as tf
    >>> @custom_gradient
    ... def log1pexp(x):
    ...     e = tf.exp(x)
    ...     def grad(dy):
    ...         return dy * (1 - 1 / (1 + e))
    ...     return tf.math.log(1 + e), grad
    >>> x = tf.constant(100.)
    >>> with tf.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = log1pexp(x)
    >>> tape.gradient(y, x).numpy()  # finite, where the automatic gradient is nan
    np.float32(1.0)

    Returns:
      The decorated function: it returns ``y`` (Tensors are new objects).
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        # TensorFlow converts the arguments to Tensors (variables are read).
        args = [convert_to_tensor(a) if not isinstance(a, Tensor) and (
            hasattr(type(a), "__tf_tensor__") or isinstance(a, (int, float, list))) else a
            for a in args]
        if not _prim.recording():
            y, _ = f(*args, **kwargs)
            return y
        collector = _VariableCollector()
        _context.push_tape(collector)
        try:
            y, grad_fn = f(*args, **kwargs)
        finally:
            _context.pop_tape(collector)
        flat_y = nest.flatten(y)
        outputs = tuple(Tensor(convert_to_tensor(o)._value) for o in flat_y)
        result = nest.pack_sequence_as(y, list(outputs))
        variables = list(collector.variables.values())
        var_reads = tuple(v.__tf_tensor__() for v in variables)  # watched by the real tapes
        inputs = tuple(a for a in args if type(a) is Tensor or isinstance(a, Tensor))
        if len(inputs) != len(args):
            keep = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
            grad_fn = _select(grad_fn, keep, len(args), bool(variables))
        _prim.record(_CUSTOM_OP, inputs + var_reads, outputs,
                     {"grad_fn": grad_fn, "variables": variables, "n_args": len(inputs)})
        return result

    return decorated


def _select(grad_fn, keep, n, with_vars):
    """Wraps ``grad_fn`` to return the gradients of the tensor arguments only."""
    def selected(*dys, **kw):
        out = grad_fn(*dys, **kw)
        grads, var_grads = (out if with_vars else (out, None))
        grads = list(grads) if isinstance(grads, (list, tuple)) else [grads]
        grads = [grads[i] for i in keep] if len(grads) == n else grads
        return (grads, var_grads) if with_vars else grads
    return selected
