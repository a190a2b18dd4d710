"""GroupNormalization, UnitNormalization, RMSNormalization and SpectralNormalization."""
from tapeflow.framework.variable import array_of
from tapeflow.framework.tensor import Tensor
from tapeflow.keras import constraints, initializers, regularizers
from tapeflow.keras.layers.input_spec import InputSpec
from tapeflow.keras.layers.layer import Layer
from tapeflow.keras.layers.wrappers import Wrapper
from tapeflow.ops import array_ops as A
from tapeflow.ops import math_ops as M


def _const(x, v):
    return Tensor(array_of(x).dtype.type(v))


class GroupNormalization(Layer):
    """Normalizes each sample over groups of channels (``groups`` of them along ``axis``),
    then scales by ``gamma`` and shifts by ``beta`` per channel.

    Args:
      groups: number of groups (-1: one per channel, i.e. instance normalization; 1: layer
        normalization over all channels).
      axis: the channel axis.
      epsilon: added to the variance.
      center, scale: whether to use ``beta`` / ``gamma``.

    Raises:
      ValueError: at build, if the channels are fewer than ``groups`` or not a multiple.
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape):
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension "
                             f"but the layer received an input with shape {input_shape}.")
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the number "
                             f"of channels ({dim}).")
        if dim % self.groups != 0:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the "
                             f"number of channels ({dim}).")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        self.gamma = self.add_weight(
            shape=(dim,), name="gamma", initializer=self.gamma_initializer,
            regularizer=self.gamma_regularizer,
            constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(
            shape=(dim,), name="beta", initializer=self.beta_initializer,
            regularizer=self.beta_regularizer,
            constraint=self.beta_constraint) if self.center else None
        self.built = True

    def call(self, inputs):
        shape = array_of(inputs).shape
        ndim = len(shape)
        axis = self.axis % ndim
        dim = shape[axis]
        group_shape = list(shape[:axis]) + [self.groups, dim // self.groups] + list(
            shape[axis + 1:])
        x = A.reshape(inputs, group_shape)
        axes = [a for a in range(1, ndim + 1) if a != axis]
        mean = M.reduce_mean(x, axis=axes, keepdims=True)
        var = M.reduce_mean(M.square(M.subtract(x, mean)), axis=axes, keepdims=True)
        inv = M.rsqrt(M.add(var, _const(x, self.epsilon)))
        bshape = [1] * (ndim + 1)
        bshape[axis], bshape[axis + 1] = self.groups, dim // self.groups
        if self.gamma is not None:
            inv = M.multiply(inv, A.reshape(self.gamma, bshape))
        res = M.negative(M.multiply(mean, inv))
        if self.beta is not None:
            res = M.add(res, A.reshape(self.beta, bshape))
        return A.reshape(M.add(M.multiply(x, inv), res), shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "groups": self.groups, "axis": self.axis, "epsilon": self.epsilon,
            "center": self.center, "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint)})
        return config


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm along ``axis``: ``x / max(||x||, 1e-12)``.

    Args:
      axis: int or list of ints (default -1).
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("Invalid value for `axis` argument: expected an int or a list/"
                            f"tuple of ints. Received: axis={axis}")
        self.supports_masking = True

    def call(self, inputs):
        norm = M.sqrt(M.reduce_sum(M.square(inputs), axis=self.axis, keepdims=True))
        return M.divide(inputs, M.maximum(norm, _const(inputs, 1e-12)))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class RMSNormalization(Layer):
    """Root-mean-square normalization: ``x * rsqrt(mean(x**2, axis) + epsilon) * scale``.

    Args:
      axis: int or list of ints (default -1); ``scale`` has the shape of those axes.
      epsilon: added to the mean square (default 1e-6).
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = epsilon

    def build(self, input_shape):
        axes = self.axis if isinstance(self.axis, (list, tuple)) else [self.axis]
        self._axes = sorted(axes)
        self.axis = list(self._axes)   # Keras's config shows the axes as a list once built
        self.scale = self.add_weight(shape=tuple(input_shape[a] for a in self._axes),
                                     initializer="ones", name="scale")
        self.built = True

    def call(self, inputs):
        ms = M.reduce_mean(M.square(inputs), axis=self._axes, keepdims=True)
        y = M.multiply(inputs, M.rsqrt(M.add(ms, _const(inputs, self.epsilon))))
        ndim = array_of(inputs).ndim
        bshape = [1] * ndim
        for a, n in zip(self._axes, self.scale.shape):
            bshape[a % ndim] = n
        return M.multiply(y, A.reshape(self.scale, bshape))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config


class SpectralNormalization(Wrapper):
    """Divides the wrapped layer's kernel (or embeddings) by its largest singular value,
    estimated by ``power_iterations`` steps of power iteration on each training call.

    Args:
      layer: a layer with a ``kernel`` or ``embeddings`` weight.
      power_iterations: power-iteration steps per training call (> 0).
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if power_iterations <= 0:
            raise ValueError("`power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={power_iterations}`")
        self.power_iterations = power_iterations

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(f"{type(self.layer).__name__} object has no attribute 'kernel' "
                             "nor 'embeddings'")
        self.kernel = kernel   # tracked here too, so weights list it first (as Keras does)
        self.vector_u = self.add_weight(
            shape=(1, tuple(kernel.shape)[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02), trainable=False,
            name="vector_u", dtype=kernel.dtype)
        self.built = True

    def call(self, inputs, training=False):
        if training:
            import numpy as np
            w = self.kernel.numpy()
            if not np.all(w == 0):
                u, kernel = self.normalized_weights()
                self.vector_u.assign(u)
                self.kernel.assign(kernel)
        return M.cast(self.layer(inputs), inputs.dtype)

    def normalized_weights(self):
        """Returns ``(u, kernel / sigma)``: the updated power-iteration vector and the kernel
        divided by its estimated spectral norm."""
        shape = tuple(self.kernel.shape)
        w = A.reshape(self.kernel.__tf_tensor__(), (-1, shape[-1]))
        u = self.vector_u.__tf_tensor__()

        def unit(t):
            return M.divide(t, M.maximum(M.sqrt(M.reduce_sum(M.square(t))),
                                         _const(t, 1e-7)))   # Keras's epsilon()
        for _ in range(self.power_iterations):
            v = unit(M.matmul(u, A.transpose(w)))
            u = unit(M.matmul(v, w))
        sigma = M.matmul(M.matmul(v, w), A.transpose(u))
        return u, A.reshape(M.divide(w, sigma), shape)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config["power_iterations"] = self.power_iterations
        return config


__all__ = ["GroupNormalization", "UnitNormalization", "RMSNormalization",
           "SpectralNormalization"]
