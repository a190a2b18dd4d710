"""``keras.dtype_policies``: the float dtype policies (``"float32"``, ``"mixed_float16"``,
...) with ``get``/``serialize``/``deserialize``. Quantized policies are not provided."""
from tapeflow.keras.layers.dtype_policy import DTypePolicy, get  # noqa: F401



class FloatDTypePolicy(DTypePolicy):
    """A float dtype policy (what ``DTypePolicy`` names in Keras 3); serializes as
    ``FloatDTypePolicy``."""


def serialize(dtype_policy):
    """Returns the policy's Keras config dict."""
    name = "FloatDTypePolicy" if isinstance(dtype_policy, FloatDTypePolicy) else "DTypePolicy"
    return {"module": "keras", "class_name": name,
            "config": dtype_policy.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """Returns the policy described by ``serialize``'s dict (or a name)."""
    if isinstance(config, str):
        return DTypePolicy(config)
    if not isinstance(config, dict) or config.get("class_name") not in (
            "DTypePolicy", "FloatDTypePolicy"):
        raise ValueError(f"Could not interpret dtype policy config: {config}")
    cls = FloatDTypePolicy if config["class_name"] == "FloatDTypePolicy" else DTypePolicy
    return cls.from_config(config.get("config") or {})


__all__ = ["DTypePolicy", "FloatDTypePolicy", "get", "serialize", "deserialize"]
