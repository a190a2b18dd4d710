"""``KerasTensor``: the symbolic tensor of the functional API (a shape and a dtype, no value).

At the bottom of ``keras/``: it imports only the backend helpers; the layers that its
operators (``x + 1``, ``x[0]``) become are looked up when used.
"""
import collections

from tapeflow.keras import backend

KerasHistory = collections.namedtuple("KerasHistory", ["operation", "node_index", "tensor_index"])


class KerasTensor:
    """A symbolic tensor: a shape (``None`` for unknown sizes) and a dtype, with no value.

    Args:
      shape: a tuple; ``None`` entries are unknown (the batch size).
      dtype: a dtype name (``"float32"``).
      name: its name.
    """

    __array_priority__ = 200
    _mask_shape = None  # the shape of the Keras mask this tensor carries (None: no mask)

    def __init__(self, shape, dtype="float32", sparse=False, record_history=True, name=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = backend.standardize_dtype(dtype)
        self.sparse = bool(sparse)
        self.name = name or backend.unique_object_name("keras_tensor")
        self._keras_history = None
        self._node = None

    @property
    def ndim(self):
        """Returns the rank."""
        return len(self.shape)

    def __repr__(self):
        return (f"<KerasTensor shape={self.shape}, dtype={self.dtype}, sparse={self.sparse}, "
                f"name={self.name}>")

    def __hash__(self):
        return id(self)

    def __len__(self):
        raise TypeError("A KerasTensor is symbolic: it has no len(). Use `x.shape[0]` "
                        "or a layer instead.")

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor cannot be used as a Python `bool`.")

    def __array__(self, *args, **kwargs):
        raise ValueError(
            "A KerasTensor cannot be used as input to a TensorFlow function. A KerasTensor is a "
            "symbolic placeholder for a shape and dtype, used when constructing Keras Functional "
            "models or Keras Functions. You can only use it as input to a Keras layer or a Keras "
            "operation (from the namespaces `keras.layers` and `keras.ops`).")

    # Operators become small layers, so ``inputs / 255`` works in the functional API.
    def _op(self, fn, other=None, reverse=False, name="op"):
        # Shown as Keras shows its ops: ``true_divide (TrueDivide)``, ``get_item (GetItem)``.
        from tapeflow.keras.layers.core import op_layer_class
        cls = op_layer_class("".join(part.capitalize() for part in name.split("_")))
        if isinstance(other, KerasTensor):
            pair = [other, self] if reverse else [self, other]
            return cls(fn, None, False, binary=True, name=backend.unique_object_name(name))(pair)
        return cls(fn, other, reverse, name=backend.unique_object_name(name))(self)

    def __add__(self, o):
        return self._op(_ops("add"), o, name="add")

    def __radd__(self, o):
        return self._op(_ops("add"), o, True, name="add")

    def __sub__(self, o):
        return self._op(_ops("subtract"), o, name="subtract")

    def __rsub__(self, o):
        return self._op(_ops("subtract"), o, True, name="subtract")

    def __mul__(self, o):
        return self._op(_ops("multiply"), o, name="multiply")

    def __rmul__(self, o):
        return self._op(_ops("multiply"), o, True, name="multiply")

    def __truediv__(self, o):
        return self._op(_ops("divide"), o, name="true_divide")

    def __rtruediv__(self, o):
        return self._op(_ops("divide"), o, True, name="true_divide")

    def __pow__(self, o):
        return self._op(_ops("pow"), o, name="power")

    def __neg__(self):
        return self._op(_ops("negative"), name="negative")

    def __getitem__(self, key):
        return self._op(lambda x, k: x[k], key, name="get_item")


def _ops(name):
    # KerasTensor operators are keras.ops calls, with Keras's dtype promotion
    # (an int32 input / 255 is float32), as in Keras 3.
    from tapeflow.keras.ops import numpy as knp
    return getattr(knp, "power" if name == "pow" else name)


__all__ = ["KerasTensor", "KerasHistory"]
