"""One declaration per op; the wrapper, checks, recording and exports derive from it.

    sqrt = defop("Sqrt", np.sqrt, grad=_sqrt_grad, dtypes=FLOAT_COMPLEX, quiet=True,
                 export="sqrt", test=dict(domain="pos"))

says everything about ``tf.sqrt``: its TensorFlow op name, its NumPy kernel (raw arrays in,
raw array out), its gradient rule (Tensors in, one gradient per input out, written with
tapeflow ops), the dtypes TensorFlow registers a kernel for, and how its arguments are
normalised (``kind``: elementwise ``"unary"``/``"binary"``, or ``"reduce"``, ``"scan"``
(cumsum) and ``"arg"`` (argmax), whose ``axis`` follows TensorFlow's rules; or ``"call"``,
with an ``args`` normaliser as the public signature, or without one ``op(*tensors,
**attrs)`` for ops whose public function normalises its arguments itself). From it come:

* the primitive in ``primitive.REGISTRY`` (so tapes and ``tf.function`` see one op);
* a fast wrapper ``sqrt(x, name=None)`` that converts its input with TensorFlow's rules,
  refuses a dtype outside ``dtypes`` with TensorFlow's error (InvalidArgumentError when the
  op's definition excludes the dtype, NotFoundError when only the CPU kernel is missing:
  ``kernels=``), runs the kernel (``quiet``: NaN/inf silently, as TensorFlow), turns kernel
  exceptions into InvalidArgumentError naming the op, shapes and dtypes, and records on the
  tapes that watch an input (every op reaches ``record()``; non-differentiable ones are
  skipped there, so a ``tf.function`` trace can take them);
* for binary ops, broadcasting undone by the engine (``tape._backward``): rules return
  gradients of the broadcast shape and never call ``unbroadcast`` themselves;
* the module's exports (``exported(globals())`` for ``__all__``) and the op-table test row
  (``OP_DEFS[name].test``).

See docs/engine.md for a walk-through.
"""
import sys

import numpy as np

from tapeflow.framework import dtypes as _dtypes
from tapeflow.framework import primitive as _prim
from tapeflow.framework.errors import InvalidArgumentError, NotFoundError
from tapeflow.framework.tensor import Tensor, convert_to_tensor

# TensorFlow's type lists, named and ordered as its kernel messages print them.
FLOAT = ("bfloat16", "half", "float", "double")
COMPLEX = ("complex64", "complex128")
INT = ("int8", "int16", "int32", "int64")
UINT = ("uint8", "uint16", "uint32", "uint64")
FLOAT_COMPLEX = FLOAT + COMPLEX
SIGNED = FLOAT + INT + COMPLEX                    # Neg, Sign, Reciprocal
NUMBER = FLOAT + INT + UINT + COMPLEX             # Square
REAL = FLOAT + ("int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64")
# Less, Greater ...: ``realnumbertypes``
COMPARE = ("float", "double", "int32", "uint8", "int16", "int8", "int64", "bfloat16", "uint16",
           "half", "uint32", "uint64")
ANY = ("bool",) + FLOAT + INT + UINT + COMPLEX + ("string",)   # Equal, NotEqual: every type
# Sub, Mul, RealDiv, FloorDiv: TensorFlow's registry order
ARITH = FLOAT + ("uint8", "int8", "uint16", "int16", "int32", "uint32", "uint64", "int64") + \
    COMPLEX
# Sum, Mean, Prod, Cumsum: TensorFlow's ``numbertypes`` in its registry order
REDUCE_NUMBER = ("float", "double", "int32", "uint8", "int16", "int8", "complex64", "int64",
                 "qint8", "quint8", "qint32", "bfloat16", "qint16", "quint16", "uint16",
                 "complex128", "half", "uint32", "uint64")
# Max, Min: ``realnumbertypes`` and the quantized types
REDUCE_REAL = ("float", "double", "int32", "uint8", "int16", "int8", "int64", "bfloat16",
               "uint16", "half", "uint32", "uint64", "qint8", "quint8", "qint32", "qint16",
               "quint16")

_C_NAMES = {"half": "float16", "float": "float32", "double": "float64", "string": "object"}
_TF_NAMES = {"float16": "half", "float32": "float", "float64": "double"}
OP_DEFS = {}        # TensorFlow op name -> OpDef

try:  # NumPy 2 keeps its error state in a context variable: setting it directly costs
    # ~0.1 us where ``with np.errstate(...)`` costs ~2 us on every call.
    from numpy._core._ufunc_config import _extobj_contextvar as _ERRSTATE
    from numpy._core._ufunc_config import _make_extobj
    _IGNORE = _make_extobj(all="ignore")
except ImportError:  # pragma: no cover  (older NumPy: the same through the public API)
    class _ERRSTATE:  # noqa: N801
        @staticmethod
        def set(_):
            state = np.errstate(all="ignore")
            state.__enter__()
            return state

        @staticmethod
        def reset(state):
            state.__exit__(None, None, None)
    _IGNORE = None


_NP_DTYPES = {}   # TF dtype name -> NumPy dtype (None: bfloat16, qint8 ...), memoised


def _np_dtypes(names):
    out = set()
    for n in names:
        d = _NP_DTYPES.get(n, False)
        if d is False:
            try:
                d = np.dtype(_C_NAMES.get(n, n))
            except TypeError:
                d = None  # bfloat16, qint8 ...: not NumPy dtypes
            _NP_DTYPES[n] = d
        if d is not None:
            out.add(d)
    return frozenset(out)


_ALL_NP = _np_dtypes(ANY)


class OpDef:
    """One op's declaration: what TensorFlow calls it, its dtypes, its primitive and wrapper."""

    __slots__ = ("name", "op", "fn", "kind", "allowed", "kernels", "ok", "exports", "test",
                 "fallback", "fixed", "args", "typed", "attr")

    def __init__(self, name, op, kind, allowed, kernels, exports, test, fallback=None,
                 fixed=False, args=None, typed=0):
        self.name, self.op, self.kind, self.fallback = name, op, kind, fallback
        self.fixed, self.args, self.typed, self.attr = fixed, args, typed, "T"
        self.allowed = tuple(allowed)
        self.kernels = _np_dtypes(kernels if kernels is not None else allowed)
        self.ok = self.kernels & _np_dtypes(allowed)   # the dtypes the wrapper runs
        self.exports, self.test, self.fn = exports, test, None

    def refuse(self, *tensors, **attrs):
        """The slow path for a dtype outside the kernels: the fallback's result, or raises."""
        if self.fallback is not None:
            out = self.fallback(*tensors, **attrs)
            if out is not NotImplemented:
                return out
        raise self.dtype_error(tensors[self.typed]._value.dtype)

    def dtype_error(self, npd):
        """Returns TensorFlow's error for running this op on NumPy dtype ``npd``."""
        d = _dtypes._BY_NP.get(npd)
        name = d.name if d is not None else str(npd)
        tf_name = _TF_NAMES.get(name, name)
        if self.fixed:   # an input of one fixed type (LogicalAnd's bool), not a type attr
            return InvalidArgumentError(
                None, self.name, f"cannot compute {self.name} as input #0(zero-based) was "
                f"expected to be a {self.allowed[0]} tensor but is a {tf_name} tensor "
                f"[Op:{self.name}]")
        if tf_name in self.allowed:
            return NotFoundError(
                None, self.name, f"Could not find device for node: {{{{node {self.name}}}}} = "
                f"{self.name}[{self.attr}=DT_{name.upper()}] (no CPU kernel for {name}) "
                f"[Op:{self.name}]")
        return InvalidArgumentError(
            None, self.name, f"Value for attr '{self.attr}' of {tf_name} is not in the list of "
            f"allowed values: {', '.join(self.allowed)} [Op:{self.name}]")

    def __repr__(self):
        return f"<OpDef {self.name} ({self.kind})>"


def exported(namespace):
    """Returns the public names declared with ``defop(..., export=...)`` in ``namespace``
    (a module's ``globals()``), for its ``__all__``."""
    mod = namespace.get("__name__")
    return [n for n, v in namespace.items() if getattr(v, "__module__", None) == mod
            and n in getattr(getattr(v, "op_def", None), "exports", ())]


def defop(name, kernel, grad=None, *, dtypes, kernels=None, kind="unary", quiet=False,
          export=None, test=None, module=None, fallback=None, fixed=False, args=None,
          typed=0, num_outputs=1, attr="T"):
    # module: the ``__module__`` the wrapper reports (its docs' home)
    """Declares op ``name``; returns its public wrapper (with ``.op_def``).

    Args:
      name: TensorFlow's op name (``"Sqrt"``).
      kernel: ``f(*arrays)`` (``f(array, axis, keepdims)`` for reductions) -> array.
      grad: ``g(op, dy)`` -> one gradient per input (None: not differentiable).
      dtypes: TensorFlow's allowed dtype names for the op (a list above, or your own).
      kernels: the dtypes with a CPU kernel, when fewer than ``dtypes`` (NotFoundError).
      kind: ``"unary"``, ``"binary"`` (elementwise, broadcasting) or ``"reduce"``;
        ``"call"`` (implied by ``args``) for any other signature; ``"call"`` without
        ``args`` gives ``op(*tensors, **attrs)`` (input ``typed``'s dtype checked).
      quiet: run the kernel with NumPy's floating-point warnings off.
      export: the public name(s) the wrapper is published under.
      test: the op-table row's hints (``domain``, ``shapes``, ``ref``, ``order``).
      fallback: ``f(*tensors, **attrs)`` tried for a dtype outside the op's kernels before
        raising (TensorFlow's Python layer dispatching elsewhere: ``abs`` of complex is
        ``ComplexAbs``, ``round`` of ints is the identity); returns NotImplemented to decline.
      fixed: the inputs have one fixed type (``dtypes`` names it), not a type attribute:
        TensorFlow words the error "expected to be a bool tensor".
      args: ``kind="call"``'s argument normaliser, with the op's public signature and
        docstring: converts and checks arguments as TensorFlow does; returns ``(inputs,
        attrs)`` (Tensors, kernel keywords) or a non-tuple result returned as it is.
      typed: the index of the input whose dtype ``dtypes`` constrains (TensorFlow's ``T``).
      num_outputs: the kernel's output count (``-1``: a list of any length).
      attr: the name of TensorFlow's type attribute, for messages (``Tidx`` for Range).
    """
    if args is not None:
        kind = "call"
    op = _prim.primitive(name, num_outputs=num_outputs, differentiable=grad is not None)(
        _quietly(kernel) if quiet else kernel)
    op.broadcasts = kind == "binary"
    if grad is not None:
        op.def_grad(grad)
    exports = (export,) if isinstance(export, str) else tuple(export or ())
    od = OpDef(name, op, kind, dtypes, kernels, exports, test, fallback, fixed, args, typed)
    od.attr = attr
    fn = (_direct if kind == "call" and args is None else _WRAPPERS[kind])(od, op)
    fn.__name__ = exports[0] if exports else name
    fn.__qualname__ = fn.__name__
    fn.__doc__ = getattr(args if args is not None else kernel, "__doc__", None) or \
        f"TensorFlow's ``{name}`` op."
    fn.__module__ = module or sys._getframe(1).f_globals.get("__name__", __name__)
    fn.op_def = od
    od.fn = fn
    OP_DEFS[name] = od
    return fn


def _quietly(kernel):
    """Returns ``kernel`` run with NumPy's floating-point warnings off (inf/NaN silently)."""
    def quiet_kernel(*args, **attrs):
        token = _ERRSTATE.set(_IGNORE)
        try:
            return kernel(*args, **attrs)
        finally:
            _ERRSTATE.reset(token)
    quiet_kernel.__name__ = getattr(kernel, "__name__", "kernel")
    quiet_kernel.__module__ = getattr(kernel, "__module__", None)
    return quiet_kernel


_KERNEL_ERRORS = (ValueError, TypeError, IndexError, ArithmeticError, np.linalg.LinAlgError)
_tapes = _prim.ACTIVE
_record = _prim.record
_NO_ATTRS = _prim._NO_ATTRS


def _unary(od, op):
    forward, ok = op.forward, od.ok

    def unary(x, name=None):
        if type(x) is not Tensor:
            hook = getattr(type(x), "__tf_dispatch__", None)  # RaggedTensor ...
            if hook is not None:
                return hook(x, unary, (x,), {})
            x = convert_to_tensor(x)
        v = x._value
        if v.dtype not in ok:
            return od.refuse(x)
        try:
            out = Tensor(forward(v))
        except InvalidArgumentError:
            raise
        except _KERNEL_ERRORS as e:
            raise _prim.kernel_error(op, [v], e) from None
        if _tapes:
            _record(op, (x,), (out,), _NO_ATTRS)
        return out
    return unary


def _binary(od, op):
    forward, ok, name_ = op.forward, od.ok, op.name
    scalar_like, binary_inputs = _prim.scalar_like, _prim.binary_inputs
    fixed = od.fixed

    def binary(x, y, name=None):
        if fixed:
            x, y = _fixed_inputs(od, x, y)
        if type(x) is Tensor:
            ty = type(y)
            if ty is Tensor:
                if x._value.dtype != y._value.dtype:
                    x, y = binary_inputs(name_, x, y)   # raises TensorFlow's mismatch error
            elif ty is float or ty is int:
                y = scalar_like(name_, y, x, 1)
            else:
                if hasattr(ty, "__tf_dispatch__"):  # a RaggedTensor operand
                    return y.__tf_dispatch__(binary, (x, y), {})
                x, y = binary_inputs(name_, x, y)
        elif type(y) is Tensor and (type(x) is float or type(x) is int):
            x = scalar_like(name_, x, y, 0)
        else:
            r = x if hasattr(type(x), "__tf_dispatch__") else y   # a RaggedTensor operand?
            if hasattr(type(r), "__tf_dispatch__"):
                return r.__tf_dispatch__(binary, (x, y), {})
            x, y = binary_inputs(name_, x, y)
        a, b = x._value, y._value
        if a.dtype not in ok:
            return od.refuse(x, y)
        try:
            out = Tensor(forward(a, b))
        except InvalidArgumentError:
            raise
        except _KERNEL_ERRORS as e:
            raise _prim.kernel_error(op, [a, b], e) from None
        if _tapes:
            _record(op, (x, y), (out,), _NO_ATTRS)
        return out
    return binary


def _fixed_inputs(od, x, y):
    """Converts non-Tensor operands to the op's one fixed type (``bool``), as TensorFlow
    does before it checks the Tensor operands' dtypes."""
    want = _dtypes.as_dtype(od.allowed[0])
    out = []
    for v in (x, y):
        if not isinstance(v, Tensor) and not hasattr(type(v), "__tf_tensor__"):
            if type(v) in (int, float, complex):   # only a Python bool converts to bool
                raise TypeError(f"Cannot convert {v!r} to EagerTensor of dtype {want.name}")
            v = convert_to_tensor(v, want)
        out.append(v)
    return out


def _reduce(od, op):
    forward, ok, name_ = op.forward, od.ok, op.name

    def reduction(input_tensor, axis=None, keepdims=False, name=None):
        if type(input_tensor) is not Tensor and hasattr(type(input_tensor), "__tf_dispatch__"):
            return input_tensor.__tf_dispatch__(reduction, (input_tensor,),
                                                {"axis": axis, "keepdims": keepdims})
        x = input_tensor if type(input_tensor) is Tensor else convert_to_tensor(input_tensor)
        v = x._value
        if v.dtype not in ok:
            return od.refuse(x, axis=axis, keepdims=keepdims)
        if axis is not None:
            axis = reduction_axes(axis, v.ndim, name_)
        keepdims = bool(keepdims)
        try:
            out = Tensor(forward(v, axis, keepdims))
        except InvalidArgumentError:
            raise
        except _KERNEL_ERRORS as e:
            raise _prim.kernel_error(op, [v], e) from None
        if _tapes:
            _record(op, (x,), (out,), {"axis": axis, "keepdims": keepdims})
        return out
    return reduction


def _scan(od, op):
    forward, ok, name_ = op.forward, od.ok, op.name

    def scan(x, axis=0, exclusive=False, reverse=False, name=None):
        x = x if type(x) is Tensor else convert_to_tensor(x)
        if axis is None:   # TensorFlow converts ``axis`` to a Tensor first
            raise ValueError("Attempt to convert a value (None) with an unsupported type "
                             "(<class 'NoneType'>) to a Tensor.")
        v = x._value
        if v.dtype not in ok:
            return od.refuse(x, axis=axis, exclusive=exclusive, reverse=reverse)
        attrs = {"axis": scalar_axis(axis, v.ndim, name_, "scan"),
                 "exclusive": bool(exclusive), "reverse": bool(reverse)}
        out = Tensor(forward(v, **attrs))
        if _tapes:
            _record(op, (x,), (out,), attrs)
        return out
    return scan


def _arg(od, op):
    forward, ok, name_ = op.forward, od.ok, op.name

    def arg(input, axis=None, output_type=_dtypes.int64, name=None):  # noqa: A002
        x = input if type(input) is Tensor else convert_to_tensor(input)
        v = x._value
        if v.dtype not in ok:
            return od.refuse(x, axis=axis, output_type=output_type)
        attrs = {"axis": scalar_axis(0 if axis is None else axis, v.ndim, name_, "dim"),
                 "output_type": _dtypes.as_dtype(output_type)._np}
        out = Tensor(forward(v, **attrs))
        if _tapes:   # not differentiable: only a tf.function trace takes it
            _record(op, (x,), (out,), attrs)
        return out
    return arg


def _direct(od, op):
    """``kind="call"`` without ``args``: ``op(*tensors, **attrs)`` (softmax's, svd's ...)."""
    forward, ok, single, typed = op.forward, od.ok, op.num_outputs == 1, od.typed

    def call(*inputs, **attrs):
        ts = inputs
        for x in inputs:
            if type(x) is not Tensor:
                ts = tuple(x if type(x) is Tensor else convert_to_tensor(x) for x in inputs)
                break
        vs = [t._value for t in ts]
        if vs[typed].dtype not in ok:
            return od.refuse(*ts, **attrs)
        try:
            out = forward(*vs, **attrs)
        except InvalidArgumentError:
            raise
        except _KERNEL_ERRORS as e:
            raise _prim.kernel_error(op, vs, e) from None
        result = Tensor(out) if single else [Tensor(o) for o in out]
        if _tapes:
            _record(op, ts, (result,) if single else tuple(result), attrs)
        return result
    return call


_WRAPPERS = {"unary": _unary, "binary": _binary, "reduce": _reduce, "scan": _scan, "arg": _arg}


def _traced_value(t):
    """``t._value``; inside a tf.function trace, a traced tensor here is not capturable."""
    from tapeflow.framework.graph.func_graph import value_of
    return value_of(t)


def index_array(axis, op_name, attr="Tidx"):
    """Returns an index argument (an axis, a shape, paddings) as an integer NumPy array,
    refused as TensorFlow refuses a value for its ``Tidx``/``Tshape``/... attribute."""
    if isinstance(axis, Tensor):
        axis = _traced_value(axis)
    elif isinstance(axis, (list, tuple)):
        axis = [_traced_value(a) if isinstance(a, Tensor) else a for a in axis]
    if type(axis) is float:
        raise TypeError(f"Cannot convert {axis!r} to EagerTensor of dtype int32")
    listed = isinstance(axis, (list, tuple))
    arr = np.asarray(axis)
    if listed and arr.size == 0:
        arr = arr.astype(np.int32)         # ``[]`` converts to an empty int32 tensor
    if listed and arr.dtype == np.float64:
        arr = arr.astype(np.float32)       # Python floats convert to float32, as TF does
    if arr.dtype.kind not in "iub":
        d = _dtypes._BY_NP.get(arr.dtype)
        kind = "string" if arr.dtype.kind in "OSU" else (d.name if d else str(arr.dtype))
        raise InvalidArgumentError(
            None, op_name, f"Value for attr '{attr}' of {_TF_NAMES.get(kind, kind)} is not in "
            f"the list of allowed values: int32, int64 [Op:{op_name}]")
    return arr


def scalar_axis(axis, ndim, op_name, rule):
    """Returns the one ``axis`` of a scan (``rule="scan"``: cumsum) or an arg-reduction
    (``"dim"``: argmax) as an int in ``[0, ndim)``, refused as TensorFlow does."""
    if type(axis) is not int or not -ndim <= axis < ndim:
        arr = index_array(axis, op_name)
        if arr.ndim:
            what = f"not [{','.join(map(str, arr.shape))}]" if rule == "scan" else \
                f"but received tensor of shape: [{','.join(map(str, arr.shape))}]"
            raise InvalidArgumentError(
                None, op_name, f"{'ScanOp: axis' if rule == 'scan' else 'dim'} must be a "
                f"scalar, {what} [Op:{op_name}]")
        axis = int(arr)
        if not -ndim <= axis < ndim:
            shown = axis + ndim if rule == "scan" and axis < 0 else axis
            head = "ScanOp: Expected scan axis" if rule == "scan" else "Expected dimension"
            raise InvalidArgumentError(None, op_name, f"{head} in the range [{-ndim}, {ndim}), "
                                       f"but got {shown} [Op:{op_name}]")
    return axis + ndim if axis < 0 else axis


def reduction_axes(axis, ndim, op_name):
    """Returns ``axis`` (int, list, NumPy or Tensor) as a tuple of axes in ``[0, ndim)``.

    Raises (as TensorFlow's reductions do):
      TypeError: for a Python float (it cannot become an int32 index).
      InvalidArgumentError: for a string or float Tensor axis (``Tidx``), an axis out of
        range (any axis of a 0-d tensor is), or a repeated axis.
    """
    if type(axis) is int and -ndim <= axis < ndim:  # the common case
        return (axis + ndim if axis < 0 else axis,)
    if isinstance(axis, (list, tuple)) and not axis:
        return ()                      # ``axis=[]``: reduce nothing
    axes = [int(a) for a in index_array(axis, op_name).reshape(-1)]
    for a in axes:
        if not -ndim <= a < ndim:
            raise InvalidArgumentError(
                None, op_name, f"Invalid reduction dimension ({a} for input with {ndim} "
                f"dimension(s) [Op:{op_name}]")
    norm = [a + ndim if a < 0 else a for a in axes]
    if len(set(norm)) < len(norm):
        dup = next(a for a in norm if norm.count(a) > 1)
        raise InvalidArgumentError(
            None, op_name, f"Invalid reduction arguments: Axes contains duplicate dimension: "
            f"{dup} [Op:{op_name}]")
    return tuple(norm)


# ``kind="call"`` (an argument normaliser) lives in op_args with TensorFlow's argument rules.
from tapeflow.framework.op_args import call_wrapper as _call  # noqa: E402
_WRAPPERS["call"] = _call
