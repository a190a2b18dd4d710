"""The functional API: a graph of layer calls from symbolic inputs to outputs.

``keras.Model(inputs, outputs)`` walks the ``Node``s recorded by symbolic
layer calls back from ``outputs``, orders them by depth, and replays them
on real tensors when the model is called.
"""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.variable import array_of
from tapeflow.keras.layers.node import KerasTensor, flatten, map_structure
from tapeflow.keras.models.model import Model


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
                keys = list(struct.keys())
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
    """A model defined by a graph of layers: ``keras.Model(inputs, outputs)``."""
