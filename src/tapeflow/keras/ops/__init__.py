"""``keras.ops``: Keras 3's backend-agnostic ops on tapeflow tensors, NumPy arrays, Python values
and (building op layers) KerasTensors.

Sub-namespaces as in Keras: ``keras.ops.numpy``, ``nn``, ``core``, ``math``, ``linalg``,
``image``; every name of ``numpy``, ``nn``, ``core``, ``math`` and ``linalg`` is also here.
Dtypes follow Keras's promotion rules (``keras.backend.result_type``), not TensorFlow's.
"""
from tapeflow.keras.ops import core, image, linalg, math, nn, numpy  # noqa: F401
from tapeflow.keras.ops.core import *  # noqa: F401,F403
from tapeflow.keras.ops.linalg import *  # noqa: F401,F403
from tapeflow.keras.ops.math import *  # noqa: F401,F403
from tapeflow.keras.ops.nn import *  # noqa: F401,F403
from tapeflow.keras.ops.numpy import *  # noqa: F401,F403

__all__ = sorted(set(numpy.__all__) | set(nn.__all__) | set(core.__all__) |
                 set(math.__all__) | set(linalg.__all__))
