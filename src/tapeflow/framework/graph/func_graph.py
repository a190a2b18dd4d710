"""Tracing a Python function into a ``FuncGraph`` (the op list ``tf.function`` replays).

The function runs once on real arrays while a ``Tracer`` sits on the tape stack: every op
that runs reports itself through ``primitive.record`` and becomes a node
``(kind, payload, input slots, output slots)``. Tensors the tracer has not seen are
captured constants; an op whose inputs are all constants is folded (not recorded).
While tracing, ``Variable._tensor`` is a property that turns each read into a ``read``
node (variables are captured by reference) and ``assign*`` become ``assign`` nodes; writes
by other means, reading a traced value into Python (``bool``, ``int``, ``.numpy()``,
``np.asarray``) or a traced tensor inside an op attribute abort the trace with
``Uncapturable`` (the caller then runs that signature eagerly). Variables written while
tracing are restored afterwards: the trace only builds the graph; the call runs it.
"""
import threading

import numpy as np

from tapeflow.framework import context as _context
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.tensor_shape import TensorShape
from tapeflow.framework.variable import BaseVariable as Variable

class _Traces(threading.local):
    def __init__(self):
        self.stack = []                 # this thread's active tracers, innermost last


_LOCAL = _Traces()
_INSTALLED = [0, None]   # traces active on any thread; the undo list of the class patches
_LOCK = threading.Lock()
_SHAPE_OPS = frozenset(("Shape", "ShapeN", "Size", "Rank", "ZerosLike", "OnesLike"))
_SLOT = Variable.__dict__["_tensor"]      # the slot descriptor behind ``Variable._tensor``


class Uncapturable(Exception):
    """Raised inside a trace when the program's dataflow cannot be recorded."""


def value_of(x):
    """Returns ``x._value`` for a Tensor (``x`` itself otherwise), for an op wrapper that
    turns it into Python values (an axis, a shape, sizes).

    Raises:
      Uncapturable: inside a trace, for a traced tensor (its value is known only per call).
    """
    if not isinstance(x, Tensor):
        return x
    tr = current()
    if tr is not None and not tr.suspended and tr.is_symbolic(x):
        raise Uncapturable("a traced tensor used as a Python value (an axis, shape or size)")
    return x._value


def current():
    """Returns the innermost active tracer, or None."""
    stack = _LOCAL.stack
    return stack[-1] if stack else None


class FuncGraph:
    """A traced function: nodes over numbered slots, constants, inputs and outputs."""

    def __init__(self, name):
        self.name = name
        self.nodes = []          # [kind, payload, in_slots, out_slots]
        self.consts = {}         # slot -> array
        self.inputs = []         # input slots, in flattened-argument order
        self.outputs = []        # output slots (or ('py', value) for Python leaves)
        self.info = []           # slot -> (name, dtype, shape)
        self.variables = []      # captured variables, first-read order
        self.created_variables = 0
        self.errstates = {}      # id(node) -> np.errstate active when the node was traced

    def new_slot(self, name, value):
        self.info.append((name, getattr(value, "dtype", None), np.shape(value)))
        return len(self.info) - 1

    def get_operations(self):
        """Returns the graph's operations (inputs, then each node), as ``_Operation`` views."""
        ops = [_Operation(self.info[s][0], "Placeholder") for s in self.inputs]
        for kind, payload, _, outs in self.nodes:
            name = self.info[outs[0]][0] if outs else kind
            ops.append(_Operation(name.rsplit(":", 1)[0], _node_type(kind, payload)))
        return ops


def _node_type(kind, payload):
    if kind == "op":
        return payload[0].name
    return {"read": "ReadVariableOp", "assign": "AssignVariableOp", "call": "PyFunc",
            "cond": "If", "while": "While"}.get(kind, kind)


class _Operation:
    __slots__ = ("name", "type")

    def __init__(self, name, type_):
        self.name = name
        self.type = type_

    def __repr__(self):
        return f"<tf.Operation '{self.name}' type={self.type}>"


# TensorFlow names a node after its op, except the Python operators and a few wrappers.
_NODE_NAMES = {"AddV2": "add", "Mul": "mul", "Sub": "sub", "RealDiv": "truediv", "Pow": "pow",
               "FloorDiv": "floordiv", "FloorMod": "mod", "ConcatV2": "concat", "Pack": "stack",
               "Transpose": "transpose", "BatchMatMulV2": "MatMul"}


def _snake(name):
    return _NODE_NAMES.get(name, name)


class Tracer:
    """Records ops into a ``FuncGraph``; lives on the tape stack while a trace runs."""

    _recording = True            # gradient rules build their results from ops while tracing
    _tracing = True
    _watch_accessed = False
    _watched = {}

    def __init__(self, graph):
        self.graph = graph
        self.slot_of = {}        # id(tensor) -> slot
        self.keep = []           # tensors whose ids are in slot_of
        self.symbolic = set()    # slots that depend on inputs or variables
        self.reads = set()       # slots that are variable reads (never poisoned)
        self.saved = {}          # id(var) -> (var, tensor before the first write)
        self.suspended = 0
        self.names = {}
        self.input_shapes = {}   # slot -> shape shown in the tensor's text
        self.errstate = np.geterr()   # NumPy's error handling when the trace began

    # -- slots --------------------------------------------------------------
    def _name(self, base):
        n = self.names.get(base, 0)
        self.names[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    def bind(self, t, name, symbolic=True):
        s = self.graph.new_slot(f"{name}:0", t._value)
        self.slot_of[id(t)] = s
        self.keep.append(t)
        if symbolic:
            self.symbolic.add(s)
        return s

    def slot(self, t):
        """Returns ``t``'s slot; an unseen tensor becomes a captured constant."""
        s = self.slot_of.get(id(t))
        if s is None:
            s = self.bind(t, self._name("Const"), symbolic=False)
            self.graph.consts[s] = t._value
        return s

    def is_symbolic(self, t):
        s = self.slot_of.get(id(t))
        return s is not None and s in self.symbolic

    def add_node(self, kind, payload, inputs, outputs, base):
        ins = [self.slot(t) for t in inputs]
        name = self._name(base)
        outs = [self.bind(o, name if i == 0 else f"{name}", True) for i, o in enumerate(outputs)]
        for i, s in enumerate(outs):
            info = self.graph.info[s]
            self.graph.info[s] = (f"{name}:{i}",) + info[1:]
        node = [kind, payload, ins, outs]
        self.graph.nodes.append(node)
        err = np.geterr()
        if err != self.errstate:         # e.g. a step's ``np.errstate(over="ignore")``
            self.graph.errstates[id(node)] = err
        return outs

    # -- the hook -------------------------------------------------------------
    def trace_op(self, op, inputs, outputs, attrs):
        """Called by ``primitive.record`` for every op that runs while tracing."""
        if self.suspended:
            return
        if op.name == "CustomGradient":
            raise Uncapturable("a tf.custom_gradient function")
        for v in attrs.values():
            if isinstance(v, Tensor) and self.is_symbolic(v):
                raise Uncapturable(f"a traced tensor in an attribute of {op.name}")
        if op.name in _SHAPE_OPS or (not getattr(op, "stateful", False) and not any(
                self.is_symbolic(t) for t in inputs)):
            return                            # constant folding: outputs are constants
        self.add_node("op", (op, attrs), inputs, outputs, _snake(op.name))

    def read(self, var, t):
        if self.suspended or id(t) in self.slot_of:
            return
        if not any(v is var for v in self.graph.variables):
            self.graph.variables.append(var)
        s = self.add_node("read", var, (), (t,), "ReadVariableOp")[0]
        self.reads.add(s)

    def save(self, var):
        if id(var) not in self.saved:
            self.saved[id(var)] = (var, _SLOT.__get__(var))

    def restore(self):
        for var, t in self.saved.values():
            _SLOT.__set__(var, t)

    def poison(self):
        """Makes traced tensors that leaked out of the function raise when used."""
        for t in self.keep:
            s = self.slot_of[id(t)]
            if s in self.symbolic and s not in self.reads:
                t._value = _Leaked(self.graph.info[s], self.graph.name)


class _Leaked:
    __slots__ = ("_msg",)

    def __init__(self, info, fname):
        name, dtype, shape = info
        object.__setattr__(self, "_msg", (
            f"<tf.Tensor '{name}' shape={TensorShape(shape)} dtype={dtype}> is out of scope and "
            f"cannot be used here. Use return values, explicit Python locals or TensorFlow "
            f"collections to access it.\nPlease see https://www.tensorflow.org/guide/function"
            f"#all_outputs_of_a_tftfunction_must_be_return_values for more information.\n\n"
            f"The tensor was defined in the tf.function {fname!r}."))

    def __getattr__(self, name):
        raise TypeError(object.__getattribute__(self, "_msg"))

    def __array__(self, *a, **k):
        raise TypeError(object.__getattribute__(self, "_msg"))


_PATCHES = None


def push(tracer):
    """Makes ``tracer`` this thread's only tape-stack entry (its tapes pause) and installs
    the class patches (while any thread traces)."""
    global _PATCHES
    with _LOCK:
        if _INSTALLED[0] == 0:
            if _PATCHES is None:
                from tapeflow.framework.graph.patches import patches
                _PATCHES = patches()
            _INSTALLED[1] = [(cls, name, cls.__dict__[name]) for cls, name, _ in _PATCHES]
            for cls, name, new in _PATCHES:
                setattr(cls, name, new)
        _INSTALLED[0] += 1
    tapes = _context.state.tapes          # this thread's tape stack
    tracer._outer = tapes[:]
    tapes[:] = [tracer]
    _context.ACTIVE.append(tracer)
    _LOCAL.stack.append(tracer)


def pop(tracer):
    """Undoes ``push``."""
    _LOCAL.stack.pop()
    _context.state.tapes[:] = tracer._outer
    _context.ACTIVE.remove(tracer)
    with _LOCK:
        _INSTALLED[0] -= 1
        if _INSTALLED[0] == 0:
            for cls, name, old in _INSTALLED[1]:
                setattr(cls, name, old)


# Graph nodes for Python calls (random draws, tf.print, py_function, ops computed outside
# the op mechanism) live in calls.py; they are re-exported here.
from tapeflow.framework.graph.calls import (  # noqa: E402,F401
    leaves, opaque, rebuild, record_call, stateful)
