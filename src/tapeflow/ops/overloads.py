"""Attaches Python operators to Tensor and Variable, each routed through an op."""
from tapeflow.backend import xp as np
from tapeflow.framework import primitive as prim
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.variable import BaseVariable as Variable
from tapeflow.ops import array_ops, math_ops as m
# what ``&``, ``|``, ``^`` and ``~`` mean on integer tensors (the logical ops on bools)
from tapeflow.ops.bitwise_ops import bitwise_and, bitwise_or, bitwise_xor, invert


def _logic(logical, bitwise):
    """Returns ``f(x, y)``: the logical op on bools, the bitwise op on integers."""
    def op(x, y):
        t = x if isinstance(x, Tensor) else y
        if isinstance(t, (Tensor, Variable)) and t.dtype.is_integer:
            return bitwise(x, y)
        return logical(x, y)
    return op


def _radd(self, other):
    # ``2.5 + int_tensor`` converts the Python operand to the tensor's dtype (TypeError);
    # only ``tf.add(2.5, t)`` takes AddV2's own conversion path.
    if type(self) is not Tensor:
        self = self.value()   # a Variable
    if type(other) is float or type(other) is int:
        return m.add(prim.scalar_like("Add", other, self, 0), self)
    if not isinstance(other, Tensor):
        other = prim.operand_like("Add", other, self, 0)
    return m.add(other, self)


def _r(fn):
    def reflected(self, other):
        return fn(other, self)
    return reflected


def _matmul(a, b):
    return m.matmul(a, b)


_OPS = {
    "__add__": m.add, "__radd__": _radd,
    "__sub__": m.subtract, "__rsub__": _r(m.subtract),
    "__mul__": m.multiply, "__rmul__": _r(m.multiply),
    "__truediv__": m.divide, "__rtruediv__": _r(m.divide),
    "__floordiv__": m.floordiv, "__rfloordiv__": _r(m.floordiv),
    "__mod__": m.floormod, "__rmod__": _r(m.floormod),
    "__pow__": m.pow, "__rpow__": _r(m.pow),
    "__matmul__": _matmul, "__rmatmul__": _r(_matmul),
    "__lt__": m.less, "__le__": m.less_equal, "__gt__": m.greater, "__ge__": m.greater_equal,
    "__and__": _logic(m.logical_and, bitwise_and),
    "__rand__": _r(_logic(m.logical_and, bitwise_and)),
    "__or__": _logic(m.logical_or, bitwise_or), "__ror__": _r(_logic(m.logical_or, bitwise_or)),
    "__xor__": _logic(m.logical_xor, bitwise_xor),
    "__rxor__": _r(_logic(m.logical_xor, bitwise_xor)),
}


def _neg(self):
    return m.negative(self)


def _pos(self):
    return self if isinstance(self, Tensor) else array_ops.identity(self)


def _abs(self):
    return m.abs(self)


def _invert(self):
    if self.dtype.is_integer:
        return invert(self)
    return m.logical_not(self)


def _compare(op, self, other, incompatible):
    """``==``/``!=`` as TensorFlow: an operand that does not convert to ``self``'s dtype
    raises (TypeError; InvalidArgumentError for a Tensor of another dtype), and shapes
    that do not broadcast give the scalar ``incompatible`` instead of an error."""
    x, y = prim.binary_inputs(op.__name__, self, other)
    try:
        return op(x, y)
    except InvalidArgumentError:
        return Tensor(np.bool_(incompatible))


def _eq(self, other):
    if other is None:
        return False
    return _compare(m.equal, self, other, False)


def _ne(self, other):
    if other is None:
        return True
    return _compare(m.not_equal, self, other, True)


for _cls in (Tensor, Variable):
    for _name, _fn in _OPS.items():
        setattr(_cls, _name, _fn)
    _cls.__neg__ = _neg
    _cls.__pos__ = _pos
    _cls.__abs__ = _abs
    _cls.__invert__ = _invert
    _cls.__eq__ = _eq
    _cls.__ne__ = _ne

Tensor.__getitem__ = array_ops._getitem
