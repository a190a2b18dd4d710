"""``keras.optimizers.MultiOptimizer`` and ``OptimizerMap``: a different optimizer per group
of variables (chosen by variable path, regular expressions allowed, or by a function)."""
import re
from collections.abc import MutableMapping

from tapeflow.keras.optimizers.base_optimizer import Optimizer, _array, _rebind


def _is_unsupported(optimizer):
    from tapeflow.keras.optimizers.loss_scale_optimizer import LossScaleOptimizer
    if isinstance(optimizer, LossScaleOptimizer):
        return "LossScaleOptimizer"
    if isinstance(optimizer, MultiOptimizer):
        return "MultiOptimizer"
    return None


class OptimizerMap(MutableMapping):
    """Maps variable paths to optimizers: an exact path first, else the one key that
    ``re.fullmatch``-es the path, else ``default_optimizer``.

    Raises:
      TypeError: for a non-optimizer default or a non-dict map.
      ValueError (lookup): when several patterns match one path.
    """

    def __init__(self, default_optimizer, optimizer_map=None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError("default_optimizer must be a Keras Optimizer instance. "
                            f"Received: {default_optimizer}")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(f"optimizer_map must be a dictionary. Received: {optimizer_map}")
        self._default_optimizer = default_optimizer
        self._optimizer_map = optimizer_map or dict()

    @property
    def default_optimizer(self):
        """Returns the optimizer of unmapped variables."""
        return self._default_optimizer

    def __getitem__(self, key):
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matches = [p for p in self._optimizer_map if re.fullmatch(p, key)]
        if len(matches) > 1:
            raise ValueError(f"Multiple optimizers assigned to variable {key}.")
        if matches:
            return self._optimizer_map[matches[0]]
        return self._default_optimizer

    def __setitem__(self, key, optimizer):
        if key in self._optimizer_map:
            raise ValueError(f"'{key}' already exists in the OptimizerMap with value "
                             f"{self._optimizer_map[key]}. Please make sure to not use "
                             "duplicated keys.")
        if not isinstance(key, str):
            raise ValueError(f"key must be a string. Received: {key}")
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"optimizer must be a Keras Optimizer instance. "
                             f"Received: {optimizer}")
        kind = _is_unsupported(optimizer)
        if kind:
            raise ValueError(f"optimizer cannot be {kind}.")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key):
        del self._optimizer_map[key]

    def __len__(self):
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable):
        return self[variable.path]

    def get_config(self):
        from tapeflow.keras.optimizers import serialize
        return {"default_optimizer": serialize(self._default_optimizer),
                "optimizer_map": {k: serialize(v) for k, v in self._optimizer_map.items()}}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tapeflow.keras.optimizers import deserialize
        default = deserialize(config["default_optimizer"], custom_objects)
        mapping = {k: deserialize(v, custom_objects)
                   for k, v in (config.get("optimizer_map") or {}).items()}
        return cls(default, mapping)


class MultiOptimizer(Optimizer):
    """Applies each variable's gradient with the optimizer ``optimizer_map`` chooses for it
    (an ``OptimizerMap`` or a function of the variable). Has no learning rate of its own:
    set it on ``optimizers``. ``variables`` are its own (``iterations``) then each
    sub-optimizer's."""

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        self._inner_optimizers = []
        for opt in (getattr(optimizer_map, "values", lambda: [])()):
            if opt not in self._inner_optimizers:
                opt.loss_scale_factor = loss_scale_factor
                self._inner_optimizers.append(opt)
        default = getattr(optimizer_map, "default_optimizer", None)
        if default is not None and default not in self._inner_optimizers:
            default.loss_scale_factor = loss_scale_factor
            self._inner_optimizers.append(default)

    def build(self, var_list):
        """Builds each sub-optimizer on the variables mapped to it."""
        if self.built:
            return
        self._var_to_opt = {}
        groups = [[] for _ in self._inner_optimizers]
        for var in var_list:
            opt = self._optimizer_map(var)
            if not isinstance(opt, Optimizer):
                raise ValueError(f"Optimizer for variable {var} is not an Optimizer "
                                 "instance.")
            kind = _is_unsupported(opt)
            if kind == "LossScaleOptimizer":
                raise ValueError("LossScaleOptimizer cannot be used inside an "
                                 "MultiOptimizer.")
            if kind:
                raise ValueError("MultiOptimizer cannot be used inside an MultiOptimizer.")
            if opt not in self._inner_optimizers:
                opt.loss_scale_factor = self.loss_scale_factor
                self._inner_optimizers.append(opt)
                groups.append([])
            idx = self._inner_optimizers.index(opt)
            self._var_to_opt[id(var)] = idx
            groups[idx].append(var)
        for opt, variables in zip(self._inner_optimizers, groups):
            if variables:
                opt.build(variables)
        super().build(var_list)

    @property
    def optimizers(self):
        """Returns the sub-optimizers."""
        return self._inner_optimizers

    @property
    def variables(self):
        out = self._variables[:]
        for opt in self._inner_optimizers:
            out.extend(opt.variables)
        return out

    @property
    def learning_rate(self):
        raise AttributeError("Learning rate cannot be accessed on a MultiOptimizer. Access "
                             "the learning rate on the individual sub-optimizers instead.")

    @learning_rate.setter
    def learning_rate(self, value):
        raise AttributeError("Learning rate cannot be set on a MultiOptimizer. Set the "
                             "learning rate on the individual sub-optimizers instead.")

    @property
    def loss_scale_factor(self):
        return self.__dict__.get("_loss_scale_factor")

    @loss_scale_factor.setter
    def loss_scale_factor(self, value):
        self.__dict__["_loss_scale_factor"] = value
        for opt in self.__dict__.get("_inner_optimizers", []):
            opt.loss_scale_factor = value

    def apply(self, grads, trainable_variables=None):
        """Applies each gradient with its variable's optimizer; returns ``iterations``."""
        grads = list(grads)
        if not grads:
            return self._iterations
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer "
                                 "must already be built on a list of variables. Call "
                                 "`optimizer.build(trainable_variables)` first.")
            trainable_variables = self._trainable_variables
        variables = list(trainable_variables)
        if not self.built:
            self.build(variables)
        if len(grads) != len(self._var_to_opt):
            raise ValueError("Gradients must match trainable variables one-to-one. Received "
                             f"{len(grads)} gradients and {len(self._var_to_opt)} variables.")
        groups = [[] for _ in self._inner_optimizers]
        for g, v in zip(grads, variables):
            groups[self._var_to_opt[id(v)]].append((g, v))
        for opt, pairs in zip(self._inner_optimizers, groups):
            if pairs:
                g, v = zip(*pairs)
                opt.apply(list(g), list(v))
        _rebind(self._iterations, _array(self._iterations) + 1)
        return self._iterations

    def finalize_variable_values(self, var_list):
        groups = [[] for _ in self._inner_optimizers]
        for v in var_list:
            groups[self._var_to_opt[id(v)]].append(v)
        for opt, variables in zip(self._inner_optimizers, groups):
            if variables:
                opt.finalize_variable_values(variables)

    def get_config(self):
        mapping = self._optimizer_map
        if isinstance(mapping, OptimizerMap):
            mapping = {"module": "keras.optimizers", "class_name": "OptimizerMap",
                       "config": mapping.get_config(), "registered_name": None}
        else:
            from tapeflow.keras.saving.serialization import serialize_keras_object
            mapping = serialize_keras_object(mapping)
        return {"optimizer_map": mapping, "loss_scale_factor": self.loss_scale_factor,
                "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        mapping = config["optimizer_map"]
        if isinstance(mapping, dict) and mapping.get("class_name") == "OptimizerMap":
            config["optimizer_map"] = OptimizerMap.from_config(mapping["config"],
                                                               custom_objects)
        else:
            from tapeflow.keras.saving.serialization import deserialize_keras_object
            config["optimizer_map"] = deserialize_keras_object(mapping,
                                                               custom_objects=custom_objects)
        return cls(**config)
