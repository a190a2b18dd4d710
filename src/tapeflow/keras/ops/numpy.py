"""``keras.ops.numpy``: Keras 3's NumPy-like ops, gathered from the modules that define them
(elementwise, reductions, arrays, creation, products)."""
from tapeflow.keras.ops.arrays import *  # noqa: F401,F403
from tapeflow.keras.ops.creation import *  # noqa: F401,F403
from tapeflow.keras.ops.elementwise import *  # noqa: F401,F403
from tapeflow.keras.ops.products import *  # noqa: F401,F403
from tapeflow.keras.ops.reductions import *  # noqa: F401,F403
from tapeflow.keras.ops import arrays, creation, elementwise, products, reductions

__all__ = sorted({n for m in (arrays, creation, elementwise, products, reductions)
                  for n, v in vars(m).items()
                  if not n.startswith("_") and callable(v)
                  and getattr(v, "__module__", "").startswith("tapeflow.keras.ops.")
                  and n not in ("keras_op", "symbolic_op", "dtype_of", "result_type",
                                "to_tensor", "is_float", "any_symbolic", "shape")})
globals().update({n: getattr(m, n) for m in (arrays, creation, elementwise, products,
                                              reductions) for n in vars(m)
                  if n in __all__})
del arrays, creation, elementwise, products, reductions
