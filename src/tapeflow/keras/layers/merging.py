"""Merge layers: combine a list of inputs (Add, Subtract, Multiply, Average, Maximum,
Minimum, Concatenate, Dot) and their functional forms (``add``, ``concatenate``, ...)."""
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.layers.layer import Layer
from tapeflow.ops import array_ops as A
from tapeflow.ops import math_ops as M


class Merge(Layer):
    """Base of the merge layers: ``call`` receives a list of at least two tensors."""

    _min_inputs = 2

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_inputs(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("A merge layer should be called on a list of inputs. "
                             f"Received: inputs={inputs} (not a list of tensors)")
        if len(inputs) < self._min_inputs:
            raise ValueError("A merge layer should be called on a list of at least "
                             f"{self._min_inputs} inputs. Got {len(inputs)} inputs.")

    def build(self, input_shape):
        self._check_inputs(input_shape)
        if all(isinstance(s, (list, tuple)) for s in input_shape):
            self.compute_output_shape(input_shape)  # incompatible shapes: ValueError, as Keras
        self.built = True

    def compute_mask(self, inputs, mask=None):
        """Returns the AND of the inputs' masks (None if no input has one)."""
        if mask is None or all(m is None for m in mask):
            return None
        out = None
        for m in mask:
            if m is not None:
                out = m if out is None else M.logical_and(out, m)
        return out

    def call(self, inputs):
        self._check_inputs(inputs)
        out = inputs[0]
        for x in inputs[1:]:
            out = self._merge(out, x)
        return out

    def compute_output_shape(self, input_shape):
        out = list(input_shape[0])
        for shape in input_shape[1:]:
            if len(shape) != len(out):
                raise ValueError(f"Inputs have incompatible shapes. Received shapes "
                                 f"{tuple(input_shape[0][1:])} and {tuple(shape[1:])}")
            for i, (a, b) in enumerate(zip(out, shape)):
                if a is None or a == 1:
                    out[i] = b
                elif b is not None and b != 1 and a != b:
                    raise ValueError(f"Inputs have incompatible shapes. Received shapes "
                                     f"{tuple(input_shape[0][1:])} and {tuple(shape[1:])}")
        return tuple(out)


class Add(Merge):
    """Returns the elementwise sum of its inputs."""

    _merge = staticmethod(M.add)


class Subtract(Merge):
    """Returns ``inputs[0] - inputs[1]`` (exactly two inputs)."""

    def _check_inputs(self, inputs):
        super()._check_inputs(inputs)
        if len(inputs) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: inputs={inputs}")

    _merge = staticmethod(M.subtract)


class Multiply(Merge):
    """Returns the elementwise product of its inputs."""

    _merge = staticmethod(M.multiply)


class Maximum(Merge):
    """Returns the elementwise maximum of its inputs."""

    _merge = staticmethod(M.maximum)


class Minimum(Merge):
    """Returns the elementwise minimum of its inputs."""

    _merge = staticmethod(M.minimum)


class Average(Merge):
    """Returns the elementwise mean of its inputs."""

    def call(self, inputs):
        self._check_inputs(inputs)
        out = inputs[0]
        for x in inputs[1:]:
            out = M.add(out, x)
        return M.divide(out, Tensor(out.array.dtype.type(len(inputs))))


class Concatenate(Merge):
    """Concatenates its inputs along ``axis`` (default -1)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _check_inputs(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 1:
            raise ValueError("A `Concatenate` layer should be called on a list of at least 1 "
                             f"input. Received: input_shape={inputs}")

    def build(self, input_shape):
        self._check_inputs(input_shape)
        shapes = [tuple(s) for s in input_shape]
        rank = len(shapes[0])
        axis = self.axis % rank if rank else 0
        for s in shapes[1:]:
            if len(s) != rank or any(a is not None and b is not None and a != b
                                     for i, (a, b) in enumerate(zip(shapes[0], s))
                                     if i != axis):
                raise ValueError(
                    "A `Concatenate` layer requires inputs with matching shapes except for "
                    f"the concatenation axis. Received: input_shape={list(shapes)}")
        self.built = True

    def call(self, inputs):
        return A.concat(list(inputs), axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        """Returns the inputs' masks joined along ``axis`` (all-True for unmasked inputs)."""
        if mask is None or all(m is None for m in mask):
            return None
        if self.axis % inputs[0].array.ndim == inputs[0].array.ndim - 1:
            masks = [np.ones(x.array.shape[:-1], bool) if m is None else np.asarray(m)
                     for x, m in zip(inputs, mask)]
            return Tensor(np.all(np.stack(masks), axis=0))
        masks = [np.ones(x.array.shape[:-1], bool) if m is None else np.asarray(m)
                 for x, m in zip(inputs, mask)]
        return Tensor(np.concatenate(masks, axis=self.axis))

    def compute_output_shape(self, input_shape):
        shapes = [list(s) for s in input_shape]
        out = shapes[0]
        axis = self.axis % len(out)
        for s in shapes[1:]:
            out[axis] = None if out[axis] is None or s[axis] is None else out[axis] + s[axis]
        return tuple(out)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


def _l2_normalize(x, axis):
    sq = M.reduce_sum(M.square(x), axis=axis, keepdims=True)
    return M.multiply(x, M.rsqrt(M.maximum(sq, Tensor(x.array.dtype.type(1e-12)))))


class Dot(Merge):
    """Dot product of two samples along ``axes``: ``(b, d), (b, d) -> (b, 1)``;
    ``(b, n, d), (b, m, d)`` with ``axes=2`` -> ``(b, n, m)``.

    Args:
      axes: int or pair of ints (the axes to contract, counting the batch axis as 0).
      normalize: whether to L2-normalize the inputs along ``axes`` first (cosine proximity).
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, (int, list, tuple)):
            raise TypeError(f"Invalid type for argument `axes`: it should be a list or an int. "
                            f"Received: axes={axes}")
        self.axes = axes
        self.normalize = normalize

    def _check_inputs(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs. "
                             f"Received: inputs={inputs}")

    def _axes(self, ranks):
        axes = self.axes if isinstance(self.axes, (list, tuple)) else (self.axes, self.axes)
        return [a % r for a, r in zip(axes, ranks)]

    def call(self, inputs):
        self._check_inputs(inputs)
        x, y = inputs
        ax, ay = self._axes((x.array.ndim, y.array.ndim))
        if self.normalize:
            x = _l2_normalize(x, ax)
            y = _l2_normalize(y, ay)
        if x.array.ndim == 2 and y.array.ndim == 2:
            return M.reduce_sum(M.multiply(x, y), axis=1, keepdims=True)
        # Move x's contracted axis last and y's to position 1, then a batched matmul.
        px = [i for i in range(x.array.ndim) if i != ax] + [ax]
        py = [0, ay] + [i for i in range(1, y.array.ndim) if i != ay]
        xt = A.transpose(x, px) if px != list(range(x.array.ndim)) else x
        yt = A.transpose(y, py) if py != list(range(y.array.ndim)) else y
        if xt.array.ndim == 2:
            xt = A.expand_dims(xt, 1)
            out = M.matmul(xt, yt)
            return A.squeeze(out, 1)
        if yt.array.ndim == 2:
            out = M.matmul(xt, A.expand_dims(yt, 2))
            return A.squeeze(out, -1)
        return M.matmul(xt, yt)

    def compute_output_shape(self, input_shape):
        sx, sy = (list(s) for s in input_shape)
        ax, ay = self._axes((len(sx), len(sy)))
        out = sx[:ax] + sx[ax + 1:] + sy[1:ay] + sy[ay + 1:]
        if len(out) == 1:
            out.append(1)
        return tuple(out)

    def get_config(self):
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def add(inputs, **kwargs):
    """Functional form of ``Add``: returns the sum of ``inputs``."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional form of ``Subtract``: returns ``inputs[0] - inputs[1]``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional form of ``Multiply``: returns the product of ``inputs``."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional form of ``Average``: returns the mean of ``inputs``."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional form of ``Maximum``: returns the elementwise maximum of ``inputs``."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional form of ``Minimum``: returns the elementwise minimum of ``inputs``."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of ``Concatenate``: returns ``inputs`` joined along ``axis``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """Functional form of ``Dot``: returns the dot product of the two ``inputs``."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
