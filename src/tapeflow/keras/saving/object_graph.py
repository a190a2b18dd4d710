"""The children Keras objects show ``tf.train.Checkpoint``, named as TensorFlow + Keras 3 name
them, so checkpoint keys match ``tf.train.list_variables`` of TensorFlow's own checkpoints:

- a layer: its attributes holding variables, layers or lists/dicts of them, in assignment
  order (``Dense`` -> ``_kernel``, ``bias``), then weights made by ``add_weight`` that no
  attribute holds (under their names; TensorFlow drops those);
- a functional model: ``_operations/<i>`` (``i`` counts the InputLayers too);
- a built ``Sequential``: ``_functional/_operations/<i>`` (the InputLayer is 0);
- an optimizer: ``_iterations``, ``_learning_rate``, ``_trainable_variables/<i>``,
  ``_variables/<i>``.
"""
from tapeflow.framework.variable import BaseVariable

# Keras 3 keeps these weights under another attribute name than the property users read.
_RENAMES = {"Dense": {"kernel": "_kernel"}, "EinsumDense": {"kernel": "_kernel"},
            "Conv1D": {"kernel": "_kernel"}, "Conv2D": {"kernel": "_kernel"},
            "Conv3D": {"kernel": "_kernel"}, "Embedding": {"embeddings": "_embeddings"},
            "DepthwiseConv1D": {"depthwise_kernel": "kernel"},
            "DepthwiseConv2D": {"depthwise_kernel": "kernel"}}

# Bookkeeping attributes of Layer/Model/Trainer that are not part of the object graph.
_SKIP = frozenset(("_tracked", "_own_weights", "_created_non_trainable", "_inbound_nodes",
                   "_graph", "_graph_layers", "_seq_layers", "_functional", "_cache",
                   "_layers", "_initial_weights", "_init_args", "_losses", "optimizer",
                   "_loss_tracker", "_compile_metrics", "_compile_loss", "_cached_metrics",
                   "history"))


class _Functional:
    """Stands for the functional graph Keras 3 keeps inside a built Sequential."""

    def __init__(self, operations):
        self.operations = operations

    def _trackable_children(self):
        return [("_operations", self.operations)]


def _renames(layer):
    for cls in type(layer).__mro__:
        r = _RENAMES.get(cls.__name__)
        if r is not None:
            return r
    return {}


def _holds(value, layer_cls, depth=0):
    if isinstance(value, BaseVariable) or isinstance(value, layer_cls):
        return True
    if depth < 32 and isinstance(value, (list, tuple)):
        return any(_holds(v, layer_cls, depth + 1) for v in value)
    if depth < 32 and isinstance(value, dict):
        return any(_holds(v, layer_cls, depth + 1) for v in value.values())
    return False


def layer_children(layer):
    """Returns the ``(name, child)`` pairs a checkpoint sees under ``layer``."""
    from tapeflow.keras.layers.input_layer import InputLayer
    from tapeflow.keras.layers.layer import Layer
    from tapeflow.keras.models.functional import Functional
    from tapeflow.keras.models.sequential import Sequential
    out = []
    if isinstance(layer, Sequential):
        ops = list(layer._seq_layers)
        if layer.built and ops and isinstance(ops[0], InputLayer):
            out.append(("_functional", _Functional(ops)))
        else:
            out.append(("_layers", list(layer.layers)))
    elif isinstance(layer, Functional):
        out.append(("_operations", list(layer.layers)))
    renames = _renames(layer)
    for name, value in vars(layer).items():
        if name in _SKIP or not _holds(value, Layer):
            continue
        out.append((renames.get(name, name), value))
    held = set()
    stack = [value for _, value in out]
    while stack:
        value = stack.pop()
        if isinstance(value, BaseVariable):
            held.add(id(value))
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    for v in layer._own_variables():
        if id(v) not in held:
            out.append((getattr(v, "_name", v.name), v))
    return out


def optimizer_children(optimizer):
    """Returns the ``(name, child)`` pairs a checkpoint sees under ``optimizer``."""
    out = [("_iterations", optimizer.iterations)]
    lr = getattr(optimizer, "_learning_rate", None)
    if isinstance(lr, BaseVariable):
        out.append(("_learning_rate", lr))
    out.append(("_trainable_variables", list(getattr(optimizer, "_trainable_variables", []))))
    out.append(("_variables", list(optimizer.variables)))
    return out
