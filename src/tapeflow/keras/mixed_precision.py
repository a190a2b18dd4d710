"""``keras.mixed_precision``: dtype policies (``"mixed_float16"`` computes in float16,
keeps float32 weights)."""
from tapeflow.keras.layers.dtype_policy import (  # noqa: F401
    DTypePolicy, global_policy, set_global_policy)

Policy = DTypePolicy
dtype_policy = global_policy
set_dtype_policy = set_global_policy


def __getattr__(name):
    if name == "LossScaleOptimizer":
        from tapeflow.keras.optimizers.loss_scale_optimizer import LossScaleOptimizer
        return LossScaleOptimizer
    raise AttributeError(f"module 'tapeflow.keras.mixed_precision' has no attribute {name!r}")


__all__ = ["DTypePolicy", "Policy", "global_policy", "set_global_policy", "dtype_policy",
           "set_dtype_policy", "LossScaleOptimizer"]
