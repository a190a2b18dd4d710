"""``tf.nn``: activations, softmax, cross-entropies, dropout, moments, normalisation.

Names defined by other op modules (convolution, pooling, ``top_k``) are looked
up in those modules on first use.
"""
import importlib

from tapeflow.ops.math_ops import sigmoid, tanh  # noqa: F401
from tapeflow.ops.nn_impl import *  # noqa: F401,F403
from tapeflow.ops.nn_ops import *  # noqa: F401,F403
from tapeflow.ops import nn_impl as _impl, nn_ops as _ops

# Other op modules that contribute tf.nn names (each lists them in its __all__).
_OTHER_MODULES = ("tapeflow.ops.conv_ops", "tapeflow.ops.pooling_ops",
                  "tapeflow.ops.conv3d_ops", "tapeflow.ops.ctc_ops")
# tf.nn names that live in tf.math.
_FROM_MATH = ("top_k", "in_top_k", "approx_max_k", "approx_min_k")


def __getattr__(name):
    if name in _FROM_MATH:
        mod = importlib.import_module("tapeflow.math")
        if hasattr(mod, name):
            value = getattr(mod, name)
            globals()[name] = value
            return value
    for modname in _OTHER_MODULES:
        try:
            mod = importlib.import_module(modname)
        except ImportError:
            continue
        if name in getattr(mod, "__all__", ()):
            value = getattr(mod, name)
            globals()[name] = value
            return value
    raise AttributeError(f"module 'tapeflow.nn' has no attribute {name!r}")


__all__ = sorted(set(_ops.__all__) | set(_impl.__all__))
