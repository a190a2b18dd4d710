"""Attaches Python operators to Tensor and Variable, each routed through an op."""
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.variable import Variable
from tapeflow.ops import array_ops, math_ops as m


def _r(fn):
    def reflected(self, other):
        return fn(other, self)
    return reflected


def _matmul(a, b):
    return m.matmul(a, b)


_OPS = {
    "__add__": m.add, "__radd__": _r(m.add),
    "__sub__": m.subtract, "__rsub__": _r(m.subtract),
    "__mul__": m.multiply, "__rmul__": _r(m.multiply),
    "__truediv__": m.divide, "__rtruediv__": _r(m.divide),
    "__floordiv__": m.floordiv, "__rfloordiv__": _r(m.floordiv),
    "__mod__": m.floormod, "__rmod__": _r(m.floormod),
    "__pow__": m.pow, "__rpow__": _r(m.pow),
    "__matmul__": _matmul, "__rmatmul__": _r(_matmul),
    "__lt__": m.less, "__le__": m.less_equal, "__gt__": m.greater, "__ge__": m.greater_equal,
    "__and__": m.logical_and, "__rand__": _r(m.logical_and),
    "__or__": m.logical_or, "__ror__": _r(m.logical_or),
    "__xor__": m.logical_xor, "__rxor__": _r(m.logical_xor),
}


def _neg(self):
    return m.negative(self)


def _pos(self):
    return self if isinstance(self, Tensor) else array_ops.identity(self)


def _abs(self):
    return m.abs(self)


def _invert(self):
    return m.logical_not(self)


def _eq(self, other):
    if other is None:
        return False
    try:
        return m.equal(self, other)
    except Exception:  # incompatible shapes or types compare unequal, as in TensorFlow
        return False


def _ne(self, other):
    if other is None:
        return True
    try:
        return m.not_equal(self, other)
    except Exception:
        return True


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
