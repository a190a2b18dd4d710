"""``keras.optimizers.Optimizer``: the base class every optimizer builds on (Keras 3).

A concrete optimizer is ``build(var_list)`` (create its slots) plus
``update_step(gradient, variable, learning_rate)``. The base class does the rest:
filtering ``None`` gradients, densifying ``IndexedSlices``, clipping, decoupled
weight decay, learning-rate schedules, the ``iterations`` counter, constraints
and the optional moving average (EMA) of the weights.

The built-in optimizers do their arithmetic directly on the variables' NumPy
arrays: slot arrays are updated in place (no tape ever sees them) and each
trained variable is rebound once per step to a freshly computed array, so a
tape that still holds the old value stays correct.
"""
import re
import warnings

import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.indexed_slices import IndexedSlices
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.graph.buffers import owned_array
from tapeflow.framework.variable import BaseVariable as _TFVariable
from tapeflow.framework.variable import array_of, rebind
from tapeflow.backend import scatter_add
from tapeflow.tracking import trackable as _trackable
from tapeflow.keras.optimizers import schedules as _schedules
from tapeflow.keras.trainers import distribute_support as _dist

def _auto_name(cls_name):
    """Keras's default name: the snake_case class name, made unique (``"sgd"``, ``"sgd_1"``,
    ``"rm_sprop"``, ``"adam_w"``); ``clear_session`` restarts the numbering."""
    from tapeflow.keras import backend
    return backend.unique_object_name(backend.to_snake_case(cls_name))


def _make_variable(value, dtype, name, trainable=False):
    """Returns a state variable: Keras's Variable class if present, else ``tf.Variable``."""
    value = np.asarray(value, dtype=dtypes.as_dtype(dtype).as_numpy_dtype)
    try:
        from tapeflow.keras.variables import Variable as KerasVariable
        v = KerasVariable(value, dtype=dtypes.as_dtype(dtype).name, trainable=trainable,
                          name=name)
        if isinstance(v, _TFVariable):
            return v
    except Exception:  # noqa: BLE001  (the Keras Variable is optional here)
        pass
    return _TFVariable(value, trainable=trainable, name=name)


def _array(var):
    """The variable's current NumPy array (no copy, no tape; never write into it: a Tensor
    read from the variable may hold it)."""
    if isinstance(var, _TFVariable):
        return array_of(var)
    return np.asarray(var)


def _owned(var):
    """The variable's array when an update may write into it (no Tensor or view can observe
    it: ``framework.graph.buffers.owned_array``), else None."""
    if isinstance(var, _TFVariable):
        return owned_array(var)
    return None


# Elements per block of an in-place update: its few operands stay in the L2 cache across
# the rule's passes (blocks do not change the arithmetic: elementwise, same order).
BLOCK = 65536


def _rebind(var, arr):
    """Points ``var`` at the freshly computed array ``arr`` (never writes into the old one)."""
    if isinstance(var, _TFVariable):
        rebind(var, arr)
    else:
        var.assign(arr)


def _grad_array(g, dtype):
    """Returns gradient ``g`` (Tensor, IndexedSlices, array, Variable) as a dense array."""
    if type(g) is Tensor:
        a = g.array
    elif isinstance(g, IndexedSlices):
        shape = tuple(int(d) for d in np.asarray(convert_to_tensor(g.dense_shape).array))
        a = np.zeros(shape, dtype=dtype)
        scatter_add(a, np.asarray(convert_to_tensor(g.indices).array),
                    np.asarray(convert_to_tensor(g.values).array, dtype=dtype))
    elif isinstance(g, np.ndarray):
        a = g
    else:
        a = np.asarray(convert_to_tensor(g).array)
    if a.dtype != dtype:
        a = a.astype(dtype)
    return a


def _value(x):
    """A Python float from a number, Tensor or Variable."""
    return float(np.asarray(_array(x) if isinstance(x, _TFVariable) else
                            (x.array if isinstance(x, Tensor) else x)))


class Optimizer:
    """The base optimizer (``keras.optimizers.Optimizer``).

    Args:
      learning_rate: a float, a ``LearningRateSchedule``, or a callable taking no argument.
      weight_decay: decoupled weight decay: ``var -= var * weight_decay * lr`` before each step.
      clipnorm: clip each gradient to this L2 norm.
      clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
      global_clipnorm: clip all gradients together to this global L2 norm.
      use_ema: keep an exponential moving average of the trained weights.
      ema_momentum: the EMA's momentum.
      ema_overwrite_frequency: copy the averages into the weights every this many steps.
      loss_scale_factor: gradients are divided by it (``scale_loss`` multiplies the loss).
      gradient_accumulation_steps: apply the mean gradient every this many calls.
      name: the optimizer's name.
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        self.name = _auto_name(type(self).__name__) if name is None else name
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}")
        if use_ema:
            if not 0 <= ema_momentum <= 1:
                raise ValueError("`ema_momentum` must be in the range [0, 1]. "
                                 f"Received: ema_momentum={ema_momentum}")
            if ema_overwrite_frequency is not None and (
                    not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1):
                raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. "
                                 f"Received: ema_overwrite_frequency={ema_overwrite_frequency}")
        if gradient_accumulation_steps is not None and (
                not isinstance(gradient_accumulation_steps, int) or
                gradient_accumulation_steps < 2):
            raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. "
                             f"Received: gradient_accumulation_steps="
                             f"{gradient_accumulation_steps}")
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables = []
        self._trainable_variables = []
        self._var_index = {}
        self._exclude_ids = set()
        self._exclude_names = None
        self._iterations = _make_variable(0, dtypes.int64, "iteration")
        self._variables.append(self._iterations)
        if isinstance(learning_rate, _schedules.LearningRateSchedule) or (
                callable(learning_rate) and not isinstance(learning_rate, (Tensor, _TFVariable))):
            self._learning_rate = learning_rate
        else:
            lr = _value(learning_rate)
            if lr < 0:
                raise ValueError(f"`learning_rate` must be >= 0. Received: learning_rate={lr}")
            self._learning_rate = _make_variable(lr, dtypes.float32, "learning_rate")
            self._variables.append(self._learning_rate)

    # -- state ----------------------------------------------------------------
    @property
    def iterations(self):
        """Returns the int64 variable counting the steps applied so far."""
        return self._iterations

    @property
    def variables(self):
        """Returns the optimizer's state variables (iterations, learning rate, slots)."""
        return self._variables[:]

    @property
    def learning_rate(self):
        """Returns the learning rate: the float32 variable, or the schedule's current value."""
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            return lr(self._iterations)
        if isinstance(lr, _TFVariable):
            return lr
        return convert_to_tensor(lr(self._iterations), dtypes.float32) if callable(lr) \
            else lr

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        if isinstance(learning_rate, _schedules.LearningRateSchedule) or (
                callable(learning_rate) and not isinstance(learning_rate, (Tensor, _TFVariable))):
            self._learning_rate = learning_rate
            return
        if not isinstance(self._learning_rate, _TFVariable):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not "
                "settable. If you need the learning rate to be settable, you should "
                "instantiate the optimizer with a float `learning_rate` argument.")
        self._learning_rate.assign(np.float32(_value(learning_rate)))

    def _current_lr(self):
        """The learning rate for this step as a Python float (float32-rounded)."""
        lr = self._learning_rate
        if isinstance(lr, _TFVariable):
            return float(_array(lr))
        return float(np.float32(_value(self.learning_rate)))

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="none",
                     name=None):
        """Creates and tracks a non-trainable state variable; returns it."""
        dtype = dtypes.as_dtype(dtype or "float32")
        shape = tuple(shape)
        if callable(initializer):
            value = np.asarray(initializer(shape, dtype=dtype.name) if not isinstance(
                initializer, (int, float)) else initializer)
        elif initializer == "zeros":
            value = np.zeros(shape, dtype.as_numpy_dtype)
        elif initializer == "ones":
            value = np.ones(shape, dtype.as_numpy_dtype)
        else:
            value = np.full(shape, initializer, dtype.as_numpy_dtype)
        v = _make_variable(np.broadcast_to(value, shape).astype(dtype.as_numpy_dtype), dtype, name)
        self._variables.append(v)
        return v

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """Creates a slot variable shaped like ``reference_variable``; returns it.

        Its name is Keras's: the reference's path (``dense_kernel_momentum``), or for a plain
        ``tf.Variable`` its name with ``:`` replaced (``w_0_momentum``).
        """
        ref_name = getattr(reference_variable, "path", None) or \
            reference_variable.name.replace(":", "_")
        arr = _array(reference_variable)
        slot = self.add_variable(arr.shape, initializer=initializer,
                                 dtype=dtypes.as_dtype(arr.dtype),
                                 name=f"{ref_name.replace('/', '_')}_{name}")
        if not arr.ndim:  # remembered for _update_scalar
            self.__dict__.setdefault("_scalar_slots", []).append(slot)
        return slot

    def _add_slots(self, var_list, *names):
        """Creates one slot per name for each variable, variable by variable (Keras's order:
        ``w_momentum, w_velocity, b_momentum, b_velocity``); returns one list per name."""
        slots = tuple([] for _ in names)
        for v in var_list:
            for name, out in zip(names, slots):
                out.append(self.add_variable_from_reference(v, name))
        return slots

    def _slot(self, slots, variable):
        return slots[self._var_index[id(variable)]]

    def build(self, var_list):
        """Creates the optimizer's state for ``var_list`` (subclasses add their slots)."""
        if self.use_ema:
            self._model_variables_moving_average = [
                self.add_variable_from_reference(v, name="average") for v in var_list]
            for avg, v in zip(self._model_variables_moving_average, var_list):
                _rebind(avg, _array(v).copy())
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = [
                self.add_variable_from_reference(v, name="gradient_accumulator")
                for v in var_list]
        self._trainable_variables = list(var_list)
        self._var_index = {id(v): i for i, v in enumerate(var_list)}
        self.built = True

    def _trackable_children(self):
        """Returns the ``(name, child)`` pairs ``tf.train.Checkpoint`` saves (TF's names)."""
        from tapeflow.keras.saving.object_graph import optimizer_children
        return optimizer_children(self)

    # -- applying -------------------------------------------------------------
    def apply_gradients(self, grads_and_vars, name=None):
        """Applies ``(gradient, variable)`` pairs; returns the ``iterations`` variable."""
        pairs = list(grads_and_vars)
        if not pairs:
            return self._iterations
        grads, variables = zip(*pairs)
        self.apply(list(grads), list(variables))
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Applies ``grads`` to ``trainable_variables`` (the built list if omitted).

        Returns:
          The ``iterations`` variable.

        Raises:
          ValueError: if no gradient is given for any variable.
        """
        grads = list(grads)
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer "
                                 "must already be built on a list of variables. Call "
                                 "`optimizer.build(trainable_variables)` first.")
            trainable_variables = self._trainable_variables
        variables = list(trainable_variables)
        if len(grads) != len(variables):
            raise ValueError(f"Expected {len(variables)} gradients, received {len(grads)}.")
        if not self.built:
            self.build(variables)
            if _trackable.PENDING:  # a checkpoint restore waits for the new slots
                _trackable.restore_pending()
        kept_g, kept_v, missing = [], [], []
        for g, v in zip(grads, variables):
            if g is None:
                missing.append(v)
                continue
            kept_g.append(_grad_array(g, _array(v).dtype))
            kept_v.append(v)
        if missing:
            if not kept_v:
                raise ValueError("No gradients provided for any variable.")
            warnings.warn("Gradients do not exist for variables "
                          f"{[v.name for v in missing]} when minimizing "
                          "the loss. If using `model.compile()`, did you forget to provide "
                          "a `loss` argument?", stacklevel=2)
        for v in kept_v:
            if id(v) not in self._var_index:
                raise KeyError(
                    f"The optimizer cannot recognize variable {v.name}. This usually means "
                    "you are trying to call the optimizer to update different parts of the "
                    "model separately. Please call `optimizer.build(variables)` with the "
                    "full list of trainable variables before the training loop or use "
                    "legacy optimizer `tf.keras.optimizers.legacy.Optimizer`.")
        if self.loss_scale_factor is not None:
            kept_g = [g / self.loss_scale_factor for g in kept_g]
        kept_g = self._clip_gradients(kept_g)
        lr = self._current_lr()
        self._apply_weight_decay(kept_v, lr)
        if self.gradient_accumulation_steps:
            kept_g = self._accumulate(kept_g, kept_v)
        if kept_g is not None:
            kept_g = _dist.all_reduce_gradients(self, kept_g, kept_v)  # sum over replicas
            self._update_all(kept_g, kept_v, lr)
        if self.use_ema:
            self._update_moving_average()
            freq = self.ema_overwrite_frequency
            if freq and (int(_array(self._iterations)) + 1) % freq == 0:
                self.finalize_variable_values(self._trainable_variables)
        _rebind(self._iterations, _array(self._iterations) + 1)
        for v in kept_v:
            c = getattr(v, "constraint", None)
            if c is not None:
                v.assign(c(v))
        return self._iterations

    def _update_all(self, grads, variables, lr):
        """Runs ``update_step`` for every pair (hook for once-per-step state)."""
        if type(self).update_step is _numpy_update_step:
            fast = self._update_np
            for g, v in zip(grads, variables):
                if _array(v).ndim:
                    fast(g, v, lr)
                else:
                    self._update_scalar(fast, g, v, lr)
            return
        lr_t = Tensor(np.float32(lr))
        for g, v in zip(grads, variables):
            self.update_step(Tensor(g), v, lr_t)

    def _update_scalar(self, fast, g, var, lr):
        """Runs the NumPy rule on a 0-d variable through 1-element arrays of it and of the
        scalar slots (NumPy makes 0-d results scalars, which ``out=`` cannot take)."""
        held = [var] + self.__dict__.get("_scalar_slots", [])
        for s in held:
            _rebind(s, _array(s).reshape(1))
        try:
            fast(np.reshape(g, 1), var, lr)
        finally:
            for s in held:
                _rebind(s, np.asarray(_array(s)).reshape(()))

    def update_step(self, gradient, variable, learning_rate):
        """Updates ``variable`` from ``gradient``; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement `update_step`.")

    def _accumulate(self, grads, variables):
        """Adds grads to the accumulators; on every n-th step returns the mean, else None."""
        n = self.gradient_accumulation_steps
        slots = [self._slot(self._accumulated_gradients, v) for v in variables]
        accs = [_array(s) for s in slots]
        if (int(_array(self._iterations)) + 1) % n:
            for s, acc, g in zip(slots, accs, grads):
                _rebind(s, acc + g)
            return None
        out = [(g + acc) / acc.dtype.type(n) for g, acc in zip(grads, accs)]
        for s, acc in zip(slots, accs):
            _rebind(s, np.zeros_like(acc))
        return out

    # -- helpers for update rules --------------------------------------------
    def assign(self, variable, value):
        """Sets ``variable`` to ``value``."""
        variable.assign(value)

    def assign_add(self, variable, value):
        """Adds ``value`` to ``variable``."""
        variable.assign_add(value)

    def assign_sub(self, variable, value):
        """Subtracts ``value`` from ``variable``."""
        variable.assign_sub(value)

    def scale_loss(self, loss):
        """Returns ``loss`` multiplied by ``loss_scale_factor`` (unchanged if unset)."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    def _clip_gradients(self, grads):
        with np.errstate(all="ignore"):
            if self.clipnorm and self.clipnorm > 0:
                c = self.clipnorm
                out = []
                for g in grads:
                    norm = np.sqrt(np.sum(np.square(g)))
                    out.append(g * g.dtype.type(c) / np.maximum(norm, g.dtype.type(c)))
                return out
            if self.global_clipnorm and self.global_clipnorm > 0:
                c = self.global_clipnorm
                norm = float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64)))
                                         for g in grads)))
                scale = c * min(1.0 / norm, 1.0 / c) if np.isfinite(norm) and norm > 0 else (
                    1.0 if norm == 0 else float("nan"))
                return [g * g.dtype.type(scale) for g in grads]
            if self.clipvalue and self.clipvalue > 0:
                c = self.clipvalue
                return [np.clip(g, -c, c).astype(g.dtype, copy=False) for g in grads]
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Excludes ``var_list`` variables, or those whose name contains one of
        ``var_names``, from weight decay."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before "
                             "the optimizer is built.")
        self._exclude_ids = {id(v) for v in (var_list or [])}
        self._exclude_names = [re.compile(n) for n in (var_names or [])] or None

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        if self._exclude_names:
            name = getattr(variable, "path", None) or variable.name
            return not any(p.search(name) for p in self._exclude_names)
        return True

    def _apply_weight_decay(self, variables, lr):
        wd = self.weight_decay
        if not wd:
            return
        for v in variables:
            if self._use_weight_decay(v):
                a = _array(v)
                t = a.dtype.type
                _rebind(v, a - a * t(wd) * t(lr))

    def _update_moving_average(self):
        m = self.ema_momentum if int(_array(self._iterations)) != 0 else 0.0
        for avg, v in zip(self._model_variables_moving_average, self._trainable_variables):
            a = _array(avg)
            t = a.dtype.type
            new = a * t(m)
            new += _array(v) * t(1 - m)
            _rebind(avg, new)

    def finalize_variable_values(self, var_list):
        """Copies the moving averages into the weights when ``use_ema`` is on."""
        if self.use_ema:
            for avg, v in zip(self._model_variables_moving_average, var_list):
                _rebind(v, _array(avg).copy())

    # -- config ---------------------------------------------------------------
    def get_config(self):
        """Returns the optimizer's constructor arguments as a dict."""
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            lr = _schedules.serialize(lr)
        elif isinstance(lr, _TFVariable):
            lr = float(_array(lr))
        return {
            "name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue, "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Returns a new optimizer built from ``get_config()``'s dict."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _schedules.deserialize(config["learning_rate"],
                                                             custom_objects)
        return cls(**config)

    # -- saving ---------------------------------------------------------------
    def save_own_variables(self, store):
        """Writes the state variables into ``store`` under keys ``"0"``, ``"1"``, ..."""
        for i, variable in enumerate(self.variables):
            store[str(i)] = np.array(_array(variable), copy=True)

    def load_own_variables(self, store):
        """Restores the state variables saved by ``save_own_variables`` (warns on mismatch)."""
        if len(store.keys()) != len(self.variables):
            msg = (f"Skipping variable loading for optimizer '{self.name}', because it has "
                   f"{len(self.variables)} variables whereas the saved optimizer has "
                   f"{len(store.keys())} variables. ")
            if len(self.variables) <= 2:
                msg += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(msg, stacklevel=2)
            return
        for i, variable in enumerate(self.variables):
            variable.assign(np.asarray(store[str(i)]))


def _numpy_update_step(self, gradient, variable, learning_rate):
    """Updates ``variable`` from ``gradient`` with the optimizer's rule (NumPy arrays)."""
    self._update_np(_grad_array(gradient, _array(variable).dtype), variable,
                    float(np.float32(_value(learning_rate))))


class NumpyRule:
    """Mixin for built-in optimizers whose rule is ``_update_np(grad_array, var, lr_float)``."""

    update_step = _numpy_update_step


# Optimizers update in NumPy: inside a tf.function trace, ``apply`` is a graph node that runs
# on every call (not while tracing, so that the trace changes no state).
def _traced_apply(cls, **kwargs):
    from tapeflow.framework.graph import calls
    calls.wrap_methods(cls, {"apply": False})


Optimizer.__init_subclass__ = classmethod(_traced_apply)
_traced_apply(Optimizer)
