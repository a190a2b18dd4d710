"""The functional API: a graph of layer calls from symbolic inputs to outputs.

``keras.Model(inputs, outputs)`` walks the ``Node``s recorded by symbolic
layer calls back from ``outputs``, orders them by depth, and replays them
on real tensors when the model is called.
"""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.variable import array_of
from tapeflow.keras.keras_tensor import KerasTensor
from tapeflow.keras.tree import _sorted_keys, flatten, map_structure
from tapeflow.keras.layers.layer import Layer
from tapeflow.keras.models.model import Model
from tapeflow.keras.trainer import Trainer


class Graph:
    """The nodes between ``inputs`` and ``outputs``, in execution order.

    Raises:
      ValueError: if an output cannot be reached from the inputs ("Graph disconnected").
    """

    def __init__(self, inputs, outputs):
        self.inputs_struct = inputs
        self.outputs_struct = outputs
        self.inputs = [x for x in flatten(inputs)]
        self.outputs = [x for x in flatten(outputs)]
        for x in self.inputs + self.outputs:
            if not isinstance(x, KerasTensor):
                raise ValueError("All `inputs` and `outputs` values must be KerasTensors. "
                                 f"Received: {x!r}")
        input_ids = {id(x) for x in self.inputs}
        # Depth-first from the outputs: post-order gives a topological order.
        order, index, seen = [], {}, set()
        for out in self.outputs:
            stack = [(out._node, False)]
            while stack:
                node, done = stack.pop()
                if done:
                    if id(node) not in index:
                        index[id(node)] = len(order)
                        order.append(node)
                    continue
                if id(node) in seen:
                    continue
                seen.add(id(node))
                stack.append((node, True))
                if node.is_input:
                    if not any(id(t) in input_ids for t in node.output_tensors):
                        raise ValueError(
                            "Graph disconnected: cannot find parent for tensor "
                            f"{node.output_tensors[0]!r} of layer "
                            f"'{node.operation.name}'. The following previous layers were "
                            "accessed without issue: "
                            f"{[n.operation.name for n in order]}")
                    continue
                for kt in reversed(node.input_tensors):
                    if id(kt) in input_ids and kt._node is None:
                        continue
                    stack.append((kt._node, False))
        for x in self.inputs:
            if id(x._node) not in index:
                index[id(x._node)] = len(order)
                order.append(x._node)
        # Depth: outputs 0, a node's parents at least one deeper.
        depth = {id(n): 0 for n in order}
        for node in reversed(order):
            for parent in node.parent_nodes:
                if id(parent) in depth:
                    depth[id(parent)] = max(depth[id(parent)], depth[id(node)] + 1)
        layer_depth = {}
        for node in order:
            lid = id(node.operation)
            layer_depth[lid] = max(layer_depth.get(lid, 0), depth[id(node)])
        self.nodes = sorted(order, key=lambda n: (-depth[id(n)], index[id(n)]))
        seen_layers, ops = set(), []
        for node in sorted(order, key=lambda n: (-layer_depth[id(n.operation)], index[id(n)])):
            if id(node.operation) not in seen_layers:
                seen_layers.add(id(node.operation))
                ops.append(node.operation)
        self.operations = ops
        # Keyed by the objects (not ids) so a deep-copied model keeps a consistent graph.
        self.node_set = set(order)
        self.depth = {n: depth[id(n)] for n in order}
        # Replay plan: (layer, input id for a plain one-tensor call or None, node, output ids).
        self._steps = []
        for node in self.nodes:
            if node.is_input:
                continue
            args, kwargs = node.arguments
            simple = (len(args) == 1 and not kwargs and isinstance(args[0], KerasTensor)
                      and len(node.output_tensors) == 1
                      and node.output_structure is node.output_tensors[0])
            self._steps.append((node.operation, args[0] if simple else None, node,
                                list(node.output_tensors)))

    def input_names(self):
        """Returns the names of the input layers."""
        return [x._keras_history.operation.name for x in self.inputs]

    def _flat_inputs(self, inputs):
        struct = self.inputs_struct
        if isinstance(inputs, dict):
            names = self.input_names()
            if isinstance(struct, dict):
                keys = _sorted_keys(struct)   # the order of self.inputs (flatten's)
                try:
                    return [inputs[k] for k in keys]
                except KeyError:
                    pass
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(f"Missing data for input {missing[0]!r}. You passed a data "
                                 f"dictionary with keys {list(inputs)}. Expected the following "
                                 f"keys: {names}")
            return [inputs[n] for n in names]
        if isinstance(inputs, (list, tuple)) and len(self.inputs) > 1:
            flat = flatten(inputs)
            if len(flat) != len(self.inputs):
                raise ValueError(f"Functional model expects {len(self.inputs)} input(s), but "
                                 f"it received {len(flat)} input tensors.")
            return flat
        if isinstance(inputs, (list, tuple)) and len(inputs) == 1 and len(self.inputs) == 1 \
                and hasattr(inputs[0], "shape"):  # [x] for a one-input model (not nested data)
            return [inputs[0]]
        return [inputs]

    def run(self, inputs, training=None):
        """Replays the graph on real tensors; returns outputs in their declared structure."""
        values = {}
        for kt, v in zip(self.inputs, self._flat_inputs(inputs)):
            values[kt] = _to_input(v, kt)
        for layer, single_input, node, outputs in self._steps:
            if single_input is not None:
                values[outputs[0]] = layer(values[single_input])
                continue
            args, kwargs = node.arguments
            cargs = map_structure(lambda v: values[v] if isinstance(v, KerasTensor) else v,
                                  args)
            ckwargs = map_structure(lambda v: values[v] if isinstance(v, KerasTensor) else v,
                                    kwargs)
            out = node.operation(*cargs, **ckwargs)
            for kt, o in zip(outputs, flatten(out)):
                values[kt] = o
        outs = self.outputs_struct
        if type(outs) is KerasTensor:
            return values[outs]
        return map_structure(lambda kt: values[kt], self.outputs_struct)


def _to_input(v, kt):
    """Converts a model input to the dtype of its ``keras.Input`` (a differentiable cast)."""
    if type(v) is not Tensor:
        v = convert_to_tensor(np.asarray(v) if isinstance(v, (list, tuple)) else v)
    want = np.dtype(dtypes.as_dtype(kt.dtype).as_numpy_dtype)
    have = array_of(v).dtype
    if have != want and have.kind in "biuf" and want.kind in "biuf":
        from tapeflow.ops.math_ops import cast
        v = cast(v, kt.dtype)
    return v


class Functional(Model):
    """A model defined by a graph of layers: ``keras.Model(inputs, outputs)`` returns one.

    It owns the graph (``Graph``: the nodes from ``inputs`` to ``outputs`` in execution
    order) and replays it on real tensors when called. ``keras.Sequential`` builds one over
    its stack of layers.

    Args:
      inputs: a ``keras.Input`` or a list/dict of them.
      outputs: KerasTensors reachable from ``inputs``, in any nested structure.
      name: the model's name (default ``functional``, ``functional_1``, ...).
      trainable: whether the weights are trained.

    Raises:
      ValueError: for a disconnected graph or non-symbolic inputs/outputs.
    """

    def __init__(self, inputs, outputs, name=None, **kwargs):
        if Trainer.__init__ is not object.__init__:
            Trainer.__init__(self)
        Layer.__init__(self, name=name, **kwargs)
        graph = Graph(inputs, outputs)
        d = self.__dict__
        d["_graph"] = graph
        d["_graph_layers"] = list(graph.operations)
        self._track(self._graph_layers)
        self.built = True

    # -- structure --------------------------------------------------------------
    @property
    def layers(self):
        """Returns the model's layers, its InputLayers included; as in Keras 3, operations on
        symbolic tensors such as ``x + 1`` are not layers."""
        from tapeflow.keras.layers.core import _OpLayer
        from tapeflow.keras.ops.operation import KerasOpLayer
        ops = (_OpLayer, KerasOpLayer)
        return [op for op in self._graph.operations if not isinstance(op, ops)]

    @layers.setter
    def layers(self, value):
        raise AttributeError("`Model.layers` attribute is reserved and should not be used. "
                             "Please use another name.")

    @property
    def operations(self):
        """Returns every operation of the graph (layers and symbolic ops), in order."""
        return list(self._graph.operations)

    @property
    def inputs(self):
        """Returns the symbolic inputs (a list)."""
        return list(self._graph.inputs)

    @property
    def outputs(self):
        """Returns the symbolic outputs (a list)."""
        return list(self._graph.outputs)

    @property
    def input(self):
        """Returns the symbolic input(s) in the structure they were declared."""
        return self._graph.inputs_struct

    @property
    def output(self):
        """Returns the symbolic output(s) in the structure they were declared."""
        return self._graph.outputs_struct

    @property
    def input_names(self):
        """Returns the names of the input layers."""
        return self._graph.input_names()

    @property
    def output_names(self):
        """Returns the names of the layers producing the outputs."""
        return [x._keras_history.operation.name for x in self._graph.outputs]

    @property
    def input_shape(self):
        """Returns the input shape (a list of shapes for several inputs)."""
        shapes = [x.shape for x in self._graph.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        """Returns the output shape (a list of shapes for several outputs)."""
        shapes = [x.shape for x in self._graph.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    # -- calling ------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        """Replays the graph on ``inputs``; returns the outputs in their declared structure."""
        return self._graph.run(inputs, training)

    def _convert(self, x):
        return x   # each input is converted to its keras.Input's dtype by the graph

    def build(self, input_shape=None):
        """A functional model is built from the start: marks it built."""
        self.built = True

    # -- config ---------------------------------------------------------------------
    def get_config(self):
        """Returns ``{"name", "trainable", "layers", "input_layers", "output_layers"}``."""
        from tapeflow.keras.models.cloning import functional_config
        return functional_config(self)

    def get_build_config(self):
        """Returns ``{"input_shape": None}``: the graph fixes the shapes (as Keras 3)."""
        return {"input_shape": None}


def inject_functional(cls):
    """Puts ``Functional`` in place of ``Model`` among ``cls``'s bases (and its ancestors'),
    as Keras 3 does when a ``Model`` subclass is called with ``(inputs, outputs)``;
    returns the class to use as a base."""
    if cls is Model:
        return Functional
    if cls is object or not issubclass(cls, Model) or issubclass(cls, Functional):
        return cls
    cls.__bases__ = tuple(inject_functional(base) for base in cls.__bases__)
    _forget_class(cls)
    return cls


def _forget_class(cls):
    """Drops what was cached about ``cls``'s methods (``call``'s flags, layer caches)."""
    from tapeflow.keras.layers.call_utils import _CALL_FLAGS
    from tapeflow.keras.layers.tracking import _bump
    _CALL_FLAGS.pop(cls, None)
    _bump()
