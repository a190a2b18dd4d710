"""``keras.mixed_precision``: dtype policies (``"mixed_float16"`` computes in float16,
keeps float32 weights)."""
from tapeflow.keras.layers.dtype_policy import (  # noqa: F401
    DTypePolicy, global_policy, set_global_policy)

Policy = DTypePolicy

__all__ = ["DTypePolicy", "Policy", "global_policy", "set_global_policy"]
