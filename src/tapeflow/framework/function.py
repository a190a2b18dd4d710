"""``tf.function``: trace a Python function once per input signature, then replay the graph.

The machinery lives in ``framework/graph/`` (``polymorphic.Function``: signatures and
caching; ``func_graph``: tracing; ``graph_exec``: replay; ``concrete_function``). A
signature whose dataflow cannot be recorded runs eagerly, with a one-time warning.
"""
from tapeflow.framework.graph.polymorphic import (  # noqa: F401
    _RUN_EAGERLY, AUTOGRAPH, Function, function)
