"""The class patches a trace installs (and removes): variable reads/writes become graph
nodes, reading a traced value into Python aborts the trace, traced tensors print as
TensorFlow's symbolic tensors."""
from tapeflow.framework.graph.func_graph import Uncapturable, current, _SLOT
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.tensor_shape import TensorShape
from tapeflow.framework.variable import BaseVariable as Variable

def _var_get(self):
    t = _SLOT.__get__(self)
    tr = current()
    if tr is not None:
        tr.read(self, t)
    return t


def _var_set(self, t):
    tr = current()
    if tr is not None:
        if not tr.suspended:
            raise Uncapturable("a variable written other than by assign/assign_add/assign_sub")
        try:   # a write while a graph node runs at trace time: undone when the trace ends
            _SLOT.__get__(self)
        except AttributeError:
            pass   # a variable being created
        else:
            tr.save(self)
    _SLOT.__set__(self, t)


def _assign_patch(mode, orig):
    def patched(self, value, use_locking=None, name=None, read_value=True):
        tr = current()
        if tr is None or tr.suspended:
            return orig(self, value, use_locking, name, read_value)
        var = getattr(self, "_parent", self)
        if getattr(value, "_is_variable", False):
            vt = value._tensor
        elif isinstance(value, Tensor):
            vt = value
        else:
            vt = convert_to_tensor(value, dtype=var.dtype)
        tr.save(var)
        tr.suspended += 1
        try:
            result = orig(self, value, use_locking, name, read_value)
        finally:
            tr.suspended -= 1
        tr.add_node("assign", (var, mode), (vt,), (), "AssignVariableOp")
        return result
    patched.__name__ = orig.__name__
    return patched


def _var_init_patch(orig):
    def patched(self, *args, **kwargs):
        tr = current()
        if tr is None:
            return orig(self, *args, **kwargs)
        tr.suspended += 1
        try:
            orig(self, *args, **kwargs)
        finally:
            tr.suspended -= 1
        tr.graph.created_variables += 1
    return patched


def _value_read(name, orig):
    def patched(self, *args, **kwargs):
        tr = current()
        if tr is not None and not tr.suspended and tr.is_symbolic(self):
            raise Uncapturable(f"{name}() of a traced tensor")
        return orig(self, *args, **kwargs)
    return patched


def _text(orig, as_repr):
    def patched(self):
        tr = current()
        if tr is not None and tr.is_symbolic(self):
            s = tr.slot_of[id(self)]
            name, dtype, shape = tr.graph.info[s]
            shape = tr.input_shapes.get(s, TensorShape(shape))
            dt = self.dtype.name
            if as_repr:
                return f"<tf.Tensor '{name}' shape={shape} dtype={dt}>"
            return f'Tensor("{name}", shape={shape}, dtype={dt})'
        return orig(self)
    return patched


def patches():
    out = [(Variable, "_tensor", property(_var_get, _var_set)),
           (Variable, "__init__", _var_init_patch(Variable.__init__))]
    for mode in ("assign", "assign_add", "assign_sub"):
        out.append((Variable, mode, _assign_patch(mode, getattr(Variable, mode))))
    for name in ("numpy", "__bool__", "__float__", "__int__", "__index__", "__array__",
                 "__complex__", "tolist"):
        if hasattr(Tensor, name):
            out.append((Tensor, name, _value_read(name.strip("_"), getattr(Tensor, name))))
    out.append((Tensor, "__repr__", _text(Tensor.__repr__, True)))
    out.append((Tensor, "__str__", _text(Tensor.__str__, False)))
    fmt = Tensor.__format__
    out.append((Tensor, "__format__", lambda self, spec: str(self) if not spec and current()
                is not None and current().is_symbolic(self) else _value_read("format", fmt)(
                    self, spec)))
    return out
