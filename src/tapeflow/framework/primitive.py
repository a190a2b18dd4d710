"""The op mechanism: a primitive is a NumPy kernel plus a gradient rule.

Calling a primitive converts its inputs to Tensors, runs the kernel on the raw
arrays and, only if some active tape watches an input, records
``(op, inputs, outputs, attrs)`` on that tape. Gradient rules receive the
record (``op.inputs``, ``op.outputs``, ``op.attrs``) and one incoming gradient
per output, and return one gradient (Tensor or None) per input, written with
tapeflow ops so that they can be differentiated again.
"""
import types

import numpy as np

from tapeflow.framework import context as _context
from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor, convert_to_tensor

# One entry per tape active on any thread: ops check ``if _tapes:`` (a cheap global) and
# only then look at this thread's tapes (``context.state.tapes``).
_tapes = ACTIVE = _context.ACTIVE   # ACTIVE: the public name, for the op layer
_state = _context.state

# Every primitive by its TensorFlow op name.
REGISTRY = {}

# The few ops the engine itself calls (summing gradients, seeding jacobians, slicing a
# variable). ``tapeflow.ops`` registers them when it is imported, so the framework never
# imports the layer above it.
ENGINE = types.SimpleNamespace()


class Op:
    """A registered primitive: its name, kernel, gradient rule and output count."""

    __slots__ = ("name", "forward", "grad_fn", "num_outputs", "differentiable", "broadcasts")

    def __init__(self, name, forward, num_outputs=1, differentiable=True):
        self.name = name
        self.forward = forward
        self.grad_fn = None
        self.num_outputs = num_outputs
        self.differentiable = differentiable
        # True: the rule returns gradients of the broadcast shape and the backward pass
        # sums them back to each input's shape (``ENGINE.unbroadcast``), in one place.
        self.broadcasts = False

    def def_grad(self, fn):
        """Registers ``fn(op, *dys)`` as this op's gradient rule; returns ``fn``."""
        self.grad_fn = fn
        return fn

    def __call__(self, *inputs, **attrs):
        """Runs the op on ``inputs`` (converted to Tensors) with keyword ``attrs``.

        Returns:
          A Tensor, or a list of Tensors for multi-output ops.
        """
        if len(inputs) == 1:
            x = inputs[0]
            return run(self, (x if type(x) is Tensor else convert_to_tensor(x),), attrs)
        return run(self, [x if type(x) is Tensor else convert_to_tensor(x) for x in inputs],
                   attrs)

    def __repr__(self):
        return f"<Op {self.name}>"


def primitive(name, num_outputs=1, differentiable=True):
    """Decorator: registers a kernel ``f(*arrays, **attrs)`` as op ``name``.

    Returns:
      The ``Op``; give it a gradient with ``@op.def_grad``. Ops declared with
      ``differentiable=False`` never record on tapes.
    """
    def wrap(forward):
        if name in REGISTRY:
            raise ValueError(f"Op {name} is already registered")
        op = Op(name, forward, num_outputs, differentiable)
        REGISTRY[name] = op
        return op
    return wrap


class OpRecord:
    """One recorded op application, as gradient rules see it."""

    __slots__ = ("op", "inputs", "outputs", "attrs", "skip_input_indices")

    def __init__(self, op, inputs, outputs, attrs):
        self.op = op
        self.inputs = inputs
        self.outputs = outputs
        self.attrs = attrs
        # Set by the backward pass: indices of inputs whose gradient nobody needs,
        # so that a rule may skip computing them (TensorFlow's name).
        self.skip_input_indices = ()

    @property
    def type(self):
        """Returns the op's TensorFlow name."""
        return self.op.name

    def get_attr(self, name):
        """Returns the attribute ``name`` the op was called with."""
        return self.attrs[name]


def _describe(arrays):
    return ", ".join(f"{_dtype_name(a)}{list(np.shape(a))}" for a in arrays)


def _dtype_name(a):
    d = dtypes._BY_NP.get(getattr(a, "dtype", None))
    return d.name if d is not None else str(getattr(a, "dtype", type(a).__name__))


def kernel_error(op, arrays, err):
    """Returns an InvalidArgumentError that names the op, the input shapes and dtypes."""
    if isinstance(err, InvalidArgumentError):
        return err
    return InvalidArgumentError(
        None, op.name, f"{err} (inputs: {_describe(arrays)}) [Op:{op.name}]")


def run(op, inputs, attrs):
    """Runs ``op`` on Tensors ``inputs``; records on watching tapes.

    Returns:
      A Tensor, or a list of Tensors when the op has several outputs.
    """
    try:
        if len(inputs) == 1:
            out = op.forward(inputs[0]._value, **attrs)
        else:
            out = op.forward(*[t._value for t in inputs], **attrs)
    except (ValueError, IndexError, TypeError, np.linalg.LinAlgError, InvalidArgumentError,
            FloatingPointError) as e:
        raise kernel_error(op, [t._value for t in inputs], e) from None
    if op.num_outputs == 1:
        result = Tensor(out)
        outputs = (result,)
    else:
        result = [Tensor(o) for o in out]
        outputs = tuple(result)
    if _tapes:
        record(op, inputs, outputs, attrs)
    return result


def recording():
    """Returns True if some tape is recording now (a gradient rule may then need to build
    its result from ops; otherwise it may compute it directly in NumPy)."""
    for tape in _state.tapes:
        if tape._recording:
            return True
    return False


def record(op, inputs, outputs, attrs):
    """Records one op application on every recording tape that watches an input."""
    rec = None
    for tape in _state.tapes:
        if tape._recording:
            if tape._tracing:   # a tf.function trace records every op (func_graph.Tracer)
                tape.trace_op(op, inputs, outputs, attrs)
                continue
            if not op.differentiable:
                continue
            watched = tape._watched
            for t in inputs:
                if id(t) in watched:
                    if rec is None:
                        rec = OpRecord(op, inputs, outputs, attrs)
                    tape._records.append(rec)
                    for o in outputs:
                        if o._value.dtype.kind in "fc":
                            watched[id(o)] = o
                    break


def binary_inputs(op_name, x, y):
    """Converts the two operands of a binary op with TensorFlow's dtype rules.

    A non-Tensor operand (Python scalar, list, NumPy array) takes the dtype of
    the Tensor operand; two Tensors of different dtypes raise.

    Returns:
      ``(x, y)`` as Tensors.

    Raises:
      InvalidArgumentError: on mismatched dtypes.
    """
    if type(x) is not Tensor and not isinstance(x, Tensor):
        hook = getattr(type(x), "__tf_tensor__", None)  # Variable, IndexedSlices ...
        if hook is not None:
            x = hook(x)
    if type(y) is not Tensor and not isinstance(y, Tensor):
        hook = getattr(type(y), "__tf_tensor__", None)
        if hook is not None:
            y = hook(y)
    xt = isinstance(x, Tensor)
    yt = isinstance(y, Tensor)
    if xt and yt:
        if x._value.dtype != y._value.dtype:
            raise _mismatch(op_name, x, y)
        return x, y
    if xt:
        if type(y) is float or type(y) is int:
            return x, _scalar_like(op_name, y, x, 1)
        return x, _operand_like(op_name, y, x, 1)
    if yt:
        if type(x) is float or type(x) is int:
            return _scalar_like(op_name, x, y, 0), y
        return _operand_like(op_name, x, y, 0), y
    x = convert_to_tensor(x)
    return x, _operand_like(op_name, y, x, 1)


# TensorFlow's kernel messages name dtypes by their C names.
_C_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _c_name(dtype):
    return _C_NAMES.get(dtype.name, dtype.name)


def _mismatch(op_name, x, y):
    return InvalidArgumentError(
        None, op_name,
        f"cannot compute {op_name} as input #1(zero-based) was expected to be a "
        f"{_c_name(x.dtype)} tensor but is a {_c_name(y.dtype)} tensor "
        f"(shapes {x.shape} and {y.shape}) [Op:{op_name}]")


def _cannot_convert(op_name, value, other, index):
    """The error for a Python operand that ``other``'s dtype cannot hold.

    TensorFlow converts the operand to the Tensor operand's dtype and raises TypeError,
    except for ``x + y`` / ``tf.add``, whose fast path converts the operand on its own
    and then refuses the mismatched dtypes with InvalidArgumentError.
    """
    if op_name != "AddV2":
        return TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {other.dtype.name}")
    try:
        own = _c_name(convert_to_tensor(value).dtype)
    except (TypeError, ValueError) as e:
        return e
    want, got = (_c_name(other.dtype), own) if index == 1 else (own, _c_name(other.dtype))
    return InvalidArgumentError(
        None, op_name, f"cannot compute {op_name} as input #1(zero-based) was expected to be "
        f"a {want} tensor but is a {got} tensor [Op:{op_name}]")


def _operand_like(op_name, value, other, index):
    """Converts a non-Tensor operand to ``other``'s dtype."""
    npd = other._value.dtype
    t = type(value)
    if t is float or t is int or t is bool:
        if (t is float and npd.kind in "iub") or (npd.kind == "b" and t is not bool) \
                or npd.kind in "OSU" or (t is bool and npd.kind in "iu" and npd.itemsize < 4) \
                or (t is bool and npd.kind == "u"):
            # TensorFlow refuses Python floats for integer tensors (even 2.0)
            raise _cannot_convert(op_name, value, other, index)
        try:
            with np.errstate(over="ignore"):   # 1e6 in float16 is inf, silently
                return Tensor(npd.type(value))
        except OverflowError:   # Python ints out of the dtype's range wrap, as in TensorFlow
            return convert_to_tensor(value, other.dtype)
    if isinstance(value, (np.ndarray, np.generic)):
        if value.dtype != npd:   # NumPy operands are cast (TensorFlow: 2.5 -> int32 2)
            return convert_to_tensor(value, other.dtype)
        return Tensor(value)
    if value is None:
        raise ValueError(f"Attempt to convert a value (None) with an unsupported type "
                         f"({type(None)}) to a Tensor.")
    try:
        return convert_to_tensor(value, other.dtype)
    except TypeError:
        raise _cannot_convert(op_name, value, other, index) from None


def make_unary(op):
    """Returns a fast ``f(x, name=None)`` wrapper for a one-input, one-output op."""
    forward = op.forward

    def unary(x, name=None):
        if type(x) is not Tensor:
            x = convert_to_tensor(x)
        try:
            out = Tensor(forward(x._value))
        except (ValueError, TypeError, InvalidArgumentError) as e:
            raise kernel_error(op, [x._value], e) from None
        if _tapes:
            record(op, (x,), (out,), _NO_ATTRS)
        return out
    unary.__name__ = op.name
    return unary


def make_binary(op):
    """Returns a fast ``f(x, y, name=None)`` wrapper for a two-input elementwise op."""
    forward = op.forward
    name_ = op.name

    def binary(x, y, name=None):
        if type(x) is Tensor:
            ty = type(y)
            if ty is Tensor:
                xd = x._value.dtype
                yd = y._value.dtype
                if xd is not yd and xd != yd:
                    raise _mismatch(name_, x, y)
            elif ty is float or ty is int:
                y = _scalar_like(name_, y, x, 1)
            else:
                x, y = binary_inputs(name_, x, y)
        elif type(y) is Tensor and (type(x) is float or type(x) is int):
            x = _scalar_like(name_, x, y, 0)
        else:
            x, y = binary_inputs(name_, x, y)
        try:
            out = Tensor(forward(x._value, y._value))
        except (ValueError, TypeError, InvalidArgumentError) as e:
            raise kernel_error(op, [x._value, y._value], e) from None
        if _tapes:
            record(op, (x, y), (out,), _NO_ATTRS)
        return out
    binary.__name__ = op.name
    return binary


# Python scalar operands, converted once: (value, type, NumPy dtype) -> Tensor.
# Zero is left out because 0.0 == -0.0 would share an entry.
_SCALARS = {}


def _scalar_like(op_name, value, other, index):
    """Returns the Python scalar ``value`` as a Tensor of ``other``'s dtype (cached)."""
    key = (value, type(value), other._value.dtype)
    t = _SCALARS.get(key)
    if t is None:
        t = _operand_like(op_name, value, other, index)
        if value:
            if len(_SCALARS) >= 4096:
                _SCALARS.clear()
            _SCALARS[key] = t
    return t


_NO_ATTRS = {}


# The public names the op layer uses (operator overloads convert Python operands so).
scalar_like = _scalar_like
operand_like = _operand_like
