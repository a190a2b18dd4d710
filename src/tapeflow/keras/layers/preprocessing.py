"""Preprocessing layers: Rescaling and Normalization (with ``adapt``)."""
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.layers.layer import Layer
from tapeflow.ops import array_ops as A
from tapeflow.ops import math_ops as M


class Rescaling(Layer):
    """Returns ``inputs * scale + offset`` in the layer's dtype (``Rescaling(1.0 / 255)``)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs):
        x = inputs
        if x.array.dtype != self._np_dtype:
            x = M.cast(x, self._dtype)
        scale = Tensor(np.asarray(self.scale, dtype=self._np_dtype))
        offset = Tensor(np.asarray(self.offset, dtype=self._np_dtype))
        return M.add(M.multiply(x, scale), offset)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale, "offset": self.offset})
        return config


def _batches(data):
    """Returns a NumPy array from an array, Tensor, or an iterable of batches (a Dataset)."""
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, Tensor) or hasattr(type(data), "__tf_tensor__"):
        return np.asarray(data)
    if isinstance(data, (list, tuple)):
        return np.asarray(data)
    parts = []
    for batch in data:
        if isinstance(batch, (tuple, list)) and len(batch) and not np.isscalar(batch[0]):
            batch = batch[0]
        parts.append(np.asarray(batch))
    return np.concatenate(parts, axis=0)


class Normalization(Layer):
    """Shifts and scales inputs to zero mean and unit variance along ``axis`` (features).

    The statistics come from ``mean``/``variance`` arguments or from
    ``adapt(data)``; the output is ``(x - mean) / max(sqrt(variance), epsilon)``
    (or the inverse with ``invert=True``).

    Args:
      axis: the feature axis or axes kept separate (default -1); None for scalars.
      mean / variance: optional fixed statistics.
      invert: apply the inverse transformation.
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        self.axis = tuple(axis)
        if (mean is None) != (variance is None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be "
                             f"set. Received: mean={mean} and variance={variance}")
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        axes = tuple(a % ndim for a in self.axis)
        self._keep = axes
        self._reduce = tuple(i for i in range(ndim) if i not in axes)
        self._bshape = tuple(input_shape[a] if a in axes else 1 for a in range(ndim))
        shape = tuple(input_shape[a] for a in axes)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(shape=shape, name="mean", initializer="zeros",
                                              trainable=False)
            self.adapt_variance = self.add_weight(shape=shape, name="variance",
                                                  initializer="ones", trainable=False)
            # Keras 3 keeps an int64 ``count`` weight too (left at 0 by adapt).
            self.count = self.add_weight(shape=(), name="count", initializer="zeros",
                                         dtype="int64", trainable=False)
        self.built = True

    def adapt(self, data, batch_size=None, steps=None):
        """Computes the mean and variance of ``data`` (array, Tensor or Dataset of batches)."""
        arr = _batches(data).astype(np.float64)
        if arr.ndim == 1 and self.axis == (-1,):
            arr = arr[:, None]
        if not self.built:
            self._build_with((None,) + arr.shape[1:])
        mean = arr.mean(axis=self._reduce)
        var = arr.var(axis=self._reduce)
        self.adapt_mean.assign(mean.reshape(self.adapt_mean.shape).astype(self._np_dtype))
        self.adapt_variance.assign(var.reshape(self.adapt_variance.shape).astype(self._np_dtype))

    def _stats(self):
        if self.input_mean is not None:
            mean = np.broadcast_to(np.asarray(self.input_mean, self._np_dtype), self._bshape)
            var = np.broadcast_to(np.asarray(self.input_variance, self._np_dtype), self._bshape)
            return Tensor(np.array(mean)), Tensor(np.array(var))
        return (A.reshape(self.adapt_mean.__tf_tensor__(), self._bshape),
                A.reshape(self.adapt_variance.__tf_tensor__(), self._bshape))

    def call(self, inputs):
        x = inputs
        if x.array.dtype != self._np_dtype:
            x = M.cast(x, self._dtype)
        mean, var = self._stats()
        std = M.maximum(M.sqrt(var), Tensor(self._np_dtype.type(backend.epsilon())))
        if self.invert:
            return M.add(M.multiply(x, std), mean)
        return M.divide(M.subtract(x, mean), std)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        mean, var = self.input_mean, self.input_variance
        config.update({"axis": self.axis, "invert": self.invert,
                       "mean": np.asarray(mean).tolist() if mean is not None else None,
                       "variance": np.asarray(var).tolist() if var is not None else None})
        return config
