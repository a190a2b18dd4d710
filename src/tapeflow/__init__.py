"""tapeflow: TensorFlow's eager core and the Keras API, rebuilt on NumPy.

    import tapeflow as tf
    from tapeflow import keras
"""
from tapeflow.framework import dtypes, errors, nest  # noqa: F401
from tapeflow.framework.dtypes import (  # noqa: F401
    DType, as_dtype, bool, complex64, complex128, double, float16, float32, float64, half,
    int8, int16, int32, int64, string, uint8, uint16, uint32, uint64)
from tapeflow.framework.indexed_slices import IndexedSlices  # noqa: F401
from tapeflow.framework.tape import GradientTape, UnconnectedGradients  # noqa: F401
from tapeflow.framework.tensor import Tensor, convert_to_tensor, is_tensor  # noqa: F401
from tapeflow.framework.tensor_shape import TensorShape  # noqa: F401
from tapeflow.framework.variable import Variable  # noqa: F401
from tapeflow import ops as _ops  # noqa: F401  (attaches operators)
from tapeflow.ops.math_ops import *  # noqa: F401,F403
from tapeflow.ops.special_math_ops import *  # noqa: F401,F403
from tapeflow.ops.clip_ops import *  # noqa: F401,F403
from tapeflow.ops.reduction_ops import *  # noqa: F401,F403
from tapeflow.ops.sort_ops import *  # noqa: F401,F403
from tapeflow.ops.linalg_ops import *  # noqa: F401,F403
from tapeflow.ops.array_ops import *  # noqa: F401,F403
from tapeflow.ops.creation_ops import *  # noqa: F401,F403
from tapeflow.ops.manip_ops import *  # noqa: F401,F403
from tapeflow.ops.slicing_ops import *  # noqa: F401,F403
from tapeflow.ops.indexing_ops import *  # noqa: F401,F403

dtypes.saturate_cast = saturate_cast  # noqa: F405  (tf.dtypes.saturate_cast: an op)

newaxis = None

__version__ = "0.1.0"


def __getattr__(name):
    # Heavy or optional sub-packages load on first use, keeping `import tapeflow` light.
    import importlib
    lazy = {"keras": "tapeflow.keras", "data": "tapeflow.data", "viz": "tapeflow.viz",
            "math": "tapeflow.math", "nn": "tapeflow.nn", "linalg": "tapeflow.linalg",
            "random": "tapeflow.random", "image": "tapeflow.image",
            "strings": "tapeflow.strings", "config": "tapeflow.config",
            "debugging": "tapeflow.debugging", "experimental": "tapeflow.experimental",
            "io": "tapeflow.io", "sparse": "tapeflow.sparse", "train": "tapeflow.train",
            "ragged": "tapeflow.ragged", "summary": "tapeflow.summary",
            "signal": "tapeflow.signal", "bitwise": "tapeflow.bitwise", "sets": "tapeflow.sets",
            "saved_model": "tapeflow.saved_model", "autograph": "tapeflow.autograph",
            "distribute": "tapeflow.distribute", "types": "tapeflow.types"}
    attrs = {"function": "tapeflow.framework.function",
             "custom_gradient": "tapeflow.framework.custom_gradient",
             "TensorSpec": "tapeflow.framework.tensor_spec",
             "print": "tapeflow.framework.printing",
             "device": "tapeflow.framework.device_context",
             "RaggedTensor": "tapeflow.ragged_tensor",
             "RaggedTensorSpec": "tapeflow.ragged_tensor",
             "SparseTensor": "tapeflow.sparse_tensor",
             "SparseTensorSpec": "tapeflow.sparse_tensor",
             "Module": "tapeflow.tracking.module",
             "name_scope": "tapeflow.framework.name_scope",
             "TensorArray": "tapeflow.ops.tensor_array_ops"}
    attrs.update(dict.fromkeys(("cond", "case", "switch_case", "while_loop"),
                               "tapeflow.ops.control_flow_ops"))
    attrs.update(dict.fromkeys(("map_fn", "scan", "foldl", "foldr", "vectorized_map",
                                "py_function", "numpy_function"),
                               "tapeflow.ops.functional_ops"))
    if name == "function":   # tf.function converts control flow with tapeflow.autograph
        from tapeflow.framework import function as _function
        from tapeflow import autograph as _autograph
        _function.AUTOGRAPH[0] = _autograph.convert
    if name in attrs:
        value = getattr(importlib.import_module(attrs[name]), name)
        globals()[name] = value
        return value
    if name in lazy:
        mod = importlib.import_module(lazy[name])
        globals()[name] = mod
        return mod
    raise AttributeError(f"module 'tapeflow' has no attribute {name!r}")
