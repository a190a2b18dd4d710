"""Normalization layers: BatchNormalization and LayerNormalization."""
import warnings

from tapeflow.framework.graph import func_graph
from tapeflow.framework.tensor import Tensor
from tapeflow.keras import constraints, initializers, regularizers
from tapeflow.keras.layers.input_spec import InputSpec
from tapeflow.keras.layers.layer import Layer
from tapeflow.keras.trainers import distribute_support as _dist
from tapeflow.ops import array_ops as A
from tapeflow.ops import math_ops as M
from tapeflow.framework.variable import array_of


def _c(x, v):
    return Tensor(x.array.dtype.type(v))


def _axes_list(axis):
    return list(axis) if isinstance(axis, (list, tuple)) else [axis]


def _param_shape(input_shape, axes):
    """Returns the weight shape and the broadcast shape for parameters over ``axes``."""
    ndim = len(input_shape)
    axes = sorted(a % ndim for a in axes)
    for a in axes:
        if input_shape[a] is None:
            raise ValueError(f"Axis {a} of input tensor should have a defined dimension but the "
                             f"layer received an input with shape {tuple(input_shape)}.")
    shape = tuple(input_shape[a] for a in axes)
    bshape = [1] * ndim
    for a in axes:
        bshape[a] = input_shape[a]
    return shape, axes, tuple(bshape)


class BatchNormalization(Layer):
    """Normalizes each feature with the batch statistics during training and with moving
    averages of them at inference.

    ``moving = moving * momentum + batch_stat * (1 - momentum)`` after each
    training call (when the layer is trainable). ``gamma``/``beta`` are
    trainable; ``moving_mean``/``moving_variance`` are not.

    Args:
      axis: the feature axis (default -1).
      momentum: default 0.99.
      epsilon: added to the variance (default 1e-3).
      center / scale: whether to use ``beta`` / ``gamma``.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, **kwargs):
        super().__init__(**kwargs)
        if renorm:
            raise NotImplementedError("BatchNormalization(renorm=True) is not supported by "
                                      "tapeflow.")
        self.renorm = False
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.axis = int(axis) if not isinstance(axis, (list, tuple)) else list(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.synchronized = synchronized
        self.supports_masking = True

    def build(self, input_shape):
        shape, axes, self._bshape = _param_shape(input_shape, _axes_list(self.axis))
        self._reduce = tuple(i for i in range(len(input_shape)) if i not in axes)
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma",
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        else:
            self.gamma = None
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta",
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        else:
            self.beta = None
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean",
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        spec_axes = [self.axis] if isinstance(self.axis, int) else axes  # Keras: as given
        self.input_spec = InputSpec(ndim=len(input_shape),
                                    axes={a: input_shape[a] for a in spec_axes})
        self.built = True

    def _param(self, v):
        t = v.__tf_tensor__()
        return A.reshape(t, self._bshape) if len(self._bshape) > 1 else t

    def _update_moving(self, mean, var):
        m = self.momentum
        mm, mv = self.moving_mean, self.moving_variance
        batch_mean = mean.array.reshape(mm.shape)
        batch_var = var.array.reshape(mv.shape)
        mm.assign(array_of(mm) * m + batch_mean * (1.0 - m), read_value=False)
        mv.assign(array_of(mv) * m + batch_var * (1.0 - m), read_value=False)

    def call(self, inputs, training=None, mask=None):
        x = inputs
        if training and self.trainable:
            synced = self.synchronized and _dist.synchronized_moments(x, self._reduce)
            if synced:   # statistics over the replicas' batches together
                mean, var = synced
            else:        # this replica's batch alone (Keras's default, also under a strategy)
                mean = M.reduce_mean(x, axis=self._reduce, keepdims=True)
                var = M.reduce_mean(M.square(M.subtract(x, mean)), axis=self._reduce,
                                    keepdims=True)
            # NumPy on the batch statistics: inside a tf.function trace, one graph node
            done, _ = func_graph.record_call(self._update_moving, (mean, var), {}, False)
            if not done:
                self._update_moving(mean, var)
        else:
            mean = self._param(self.moving_mean)
            var = self._param(self.moving_variance)
        inv = M.rsqrt(M.add(var, _c(x, self.epsilon)))
        if self.gamma is not None:
            inv = M.multiply(inv, self._param(self.gamma))
        out = M.multiply(M.subtract(x, mean), inv)
        if self.beta is not None:
            out = M.add(out, self._param(self.beta))
        return out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        ser_i, ser_r, ser_c = initializers.serialize, regularizers.serialize, constraints.serialize
        config.update({
            "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
            "center": self.center, "scale": self.scale,
            "beta_initializer": ser_i(self.beta_initializer),
            "gamma_initializer": ser_i(self.gamma_initializer),
            "moving_mean_initializer": ser_i(self.moving_mean_initializer),
            "moving_variance_initializer": ser_i(self.moving_variance_initializer),
            "beta_regularizer": ser_r(self.beta_regularizer),
            "gamma_regularizer": ser_r(self.gamma_regularizer),
            "beta_constraint": ser_c(self.beta_constraint),
            "gamma_constraint": ser_c(self.gamma_constraint),
            "synchronized": self.synchronized, "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping, "renorm_momentum": self.renorm_momentum})
        return config


class LayerNormalization(Layer):
    """Normalizes each sample over ``axis`` (default -1), then scales by ``gamma`` and shifts by
    ``beta``.

    Args:
      axis: int or list of ints to normalize over.
      epsilon: added to the variance (default 1e-3).
      center / scale: whether to use ``beta`` / ``gamma``.
      rms_scaling: deprecated (warns, as Keras 3): divide the uncentered input by
        ``sqrt(variance + epsilon)``, with no ``beta``.
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else int(axis)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        if rms_scaling:
            warnings.warn("You passed `rms_scaling=True`, which is deprecated. This argument "
                          "incorrectly scales the input by the variance, not the root mean "
                          "square. To correctly use RMS Normalization, please use "
                          "`keras.layers.RMSNormalization` instead.", UserWarning, stacklevel=2)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        self.axis = _axes_list(self.axis)  # Keras 3: a list once built (its config shows it)
        shape, axes, self._bshape = _param_shape(input_shape, self.axis)
        self._axes = tuple(axes)
        self.gamma = self.add_weight(shape=shape, name="gamma",
                                     initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) \
            if self.center and not self.rms_scaling else None
        self.built = True

    def _param(self, v):
        return A.reshape(v.__tf_tensor__(), self._bshape)

    def call(self, inputs):
        x = inputs
        if self.rms_scaling:  # Keras 3: divides the uncentered input by the *variance*'s root
            warnings.warn("You passed `rms_scaling=True`, which is deprecated. This argument "
                          "incorrectly scales the input by the variance, not the root mean "
                          "square. To correctly use RMS Normalization, please use "
                          "`keras.ops.rms_normalization` / `keras.ops.nn.rms_normalization` "
                          "instead.", UserWarning, stacklevel=2)
            mean = M.reduce_mean(x, axis=self._axes, keepdims=True)
            var = M.reduce_mean(M.square(M.subtract(x, mean)), axis=self._axes, keepdims=True)
            out = M.multiply(x, M.rsqrt(M.add(var, _c(x, self.epsilon))))
            return M.multiply(out, self._param(self.gamma)) if self.gamma is not None else out
        mean = M.reduce_mean(x, axis=self._axes, keepdims=True)
        centered = M.subtract(x, mean)
        var = M.reduce_mean(M.square(centered), axis=self._axes, keepdims=True)
        inv = M.rsqrt(M.add(var, _c(x, self.epsilon)))
        if self.gamma is not None:
            inv = M.multiply(inv, self._param(self.gamma))
        out = M.multiply(centered, inv)
        if self.beta is not None:
            out = M.add(out, self._param(self.beta))
        return out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        ser_i, ser_r, ser_c = initializers.serialize, regularizers.serialize, constraints.serialize
        config.update({
            "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale, "rms_scaling": self.rms_scaling,
            "beta_initializer": ser_i(self.beta_initializer),
            "gamma_initializer": ser_i(self.gamma_initializer),
            "beta_regularizer": ser_r(self.beta_regularizer),
            "gamma_regularizer": ser_r(self.gamma_regularizer),
            "beta_constraint": ser_c(self.beta_constraint),
            "gamma_constraint": ser_c(self.gamma_constraint)})
        return config



