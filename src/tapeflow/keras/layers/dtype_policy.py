"""Dtype policies: the dtype a layer computes in and the dtype of its weights.

``"float32"`` (the default) uses one dtype for both; ``"mixed_float16"`` and
``"mixed_bfloat16"`` compute in 16 bits and keep float32 weights, which are
cast to the compute dtype when read inside the layer's ``call`` (autocast).
``keras.mixed_precision.set_global_policy`` sets the policy of layers
created afterwards.
"""
from tapeflow.keras import backend

# The dtype float variables are read as while a mixed-precision layer runs lives in the
# per-thread engine context: ``tapeflow.framework.context.state.calls.autocast`` (None: no cast).
_GLOBAL_POLICY = [None]


class DTypePolicy:
    """A named dtype policy (``"float32"``, ``"float64"``, ``"mixed_float16"`` ...).

    Args:
      name: the policy name; default ``keras.backend.floatx()``.

    Raises:
      ValueError: for an unknown name.
    """

    def __init__(self, name=None):
        if name is None:
            name = backend.floatx()
        if isinstance(name, DTypePolicy):
            name = name.name
        if not isinstance(name, str):
            name = backend.standardize_dtype(name)
        if name.startswith("mixed_"):
            compute = name[len("mixed_"):]
            if compute not in ("float16", "bfloat16"):
                raise ValueError(f"Cannot convert '{name}' to a mixed precision DTypePolicy. "
                                 "Valid policies include 'mixed_float16' and 'mixed_bfloat16'.")
            variable = "float32"
        else:
            try:
                compute = variable = backend.standardize_dtype(name)
            except (TypeError, ValueError):
                raise ValueError(f"Cannot convert '{name}' to a DTypePolicy.") from None
        self._name = name
        self._compute_dtype = compute
        self._variable_dtype = variable

    @property
    def name(self):
        """Returns the policy name."""
        return self._name

    @property
    def compute_dtype(self):
        """Returns the dtype name layers compute in."""
        return self._compute_dtype

    @property
    def variable_dtype(self):
        """Returns the dtype name of the layers' weights."""
        return self._variable_dtype

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and other._name == self._name

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'

    def get_config(self):
        """Returns ``{"name": ...}``."""
        return {"name": self._name}

    @classmethod
    def from_config(cls, config):
        """Returns the policy described by ``get_config()``'s output."""
        return cls(**config)


def get(identifier):
    """Returns a DTypePolicy from None (the global policy), a name, a config dict or a policy."""
    if identifier is None:
        return global_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return DTypePolicy(identifier.get("config", {}).get("name"))
    return DTypePolicy(identifier)


def set_global_policy(policy):
    """Sets the policy of layers created from now on (``"mixed_float16"``, ``"float32"``...)."""
    _GLOBAL_POLICY[0] = None if policy is None else get(policy)


def global_policy():
    """Returns the global DTypePolicy (``floatx()`` unless set)."""
    policy = _GLOBAL_POLICY[0]
    return policy if policy is not None else DTypePolicy(backend.floatx())
