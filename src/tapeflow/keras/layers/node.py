"""The layer graph of the functional API: ``Node``s and symbolic layer calls.

Calling a layer on a ``KerasTensor`` (``keras/keras_tensor.py``) does not compute
anything: it records a ``Node`` (the layer, its symbolic arguments and outputs) and returns
new ``KerasTensor``s whose shapes come from running the layer once on small zero batches.
``keras.Model(inputs, outputs)`` walks these nodes back from the outputs.
"""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.keras_tensor import KerasHistory, KerasTensor  # noqa: F401  (re-exported)
from tapeflow.keras.tree import flatten, map_structure

class Node:
    """One call of a layer on symbolic tensors: ``layer(*args, **kwargs) -> outputs``."""

    def __init__(self, layer, args, kwargs, outputs):
        self.operation = layer
        self.arguments = (args, kwargs)
        self.input_structure = args[0] if args else None
        self.input_tensors = [x for x in flatten((args, kwargs)) if isinstance(x, KerasTensor)]
        self.output_structure = outputs
        self.output_tensors = [x for x in flatten(outputs) if isinstance(x, KerasTensor)]

    @property
    def parent_nodes(self):
        """Returns the nodes that produced this node's inputs."""
        return [kt._node for kt in self.input_tensors if kt._node is not None]

    @property
    def is_input(self):
        """Returns True for the node of an ``InputLayer``."""
        return not self.input_tensors


def _zeros_for(kt, fill):
    shape = tuple(fill if d is None else d for d in kt.shape)
    return Tensor(np.zeros(shape, dtype=dtypes.as_dtype(kt.dtype).as_numpy_dtype))


def _output_spec(layer, args, kwargs):
    """Returns KerasTensors (no history) describing ``layer(*args, **kwargs)``'s outputs.

    As in Keras 3, a layer that defines ``compute_output_shape`` gives the
    shape, with the layer's compute dtype, without running ``call`` (it runs
    once on zeros only to build the sublayers of a layer with no ``build``).
    Otherwise the layer runs twice on zeros, with unknown sizes set to 2 and
    then 3; output sizes that differ between the runs are unknown (None).
    """
    from tapeflow.keras.layers.layer import Layer
    cls = type(layer)
    own_spec = getattr(cls, "compute_output_spec", None)
    if own_spec is not None:  # the layer says what it returns
        return layer.compute_output_spec(*args, **kwargs)
    if cls.compute_output_shape is not Layer.compute_output_shape:
        shape = layer.compute_output_shape(
            map_structure(lambda v: v.shape if isinstance(v, KerasTensor) else np.shape(v),
                          args[0]))
        if _is_shape_structure(shape):
            run = None
            if cls.build is Layer.build and any(not sub.built for sub in
                                                layer._flatten_layers(include_self=False)):
                run = _dry_run(layer, args, kwargs, 2)  # Keras's build-by-run of sublayers
            if all(kt.dtype.startswith(("float", "bfloat")) for kt in flatten((args, kwargs))
                   if isinstance(kt, KerasTensor)):
                return _shapes_to_specs(shape, layer.compute_dtype)
            # Non-float inputs (ints, strings): the output dtype comes from one run.
            run = run if run is not None else _dry_run(layer, args, kwargs, 2)
            return _shapes_to_specs(shape, _dtype_of(flatten(run)[0]))
        # compute_output_shape gave no usable shape: fall back to running the layer.
    runs = [_dry_run(layer, args, kwargs, fill) for fill in (2, 3)]

    def spec(a, b):
        sa, sb = np.shape(a), np.shape(b)
        if len(sa) != len(sb):
            out_shape = (None,) * len(sa)
        else:
            out_shape = tuple(x if x == y else None for x, y in zip(sa, sb))
        return KerasTensor(out_shape, dtype=_dtype_of(a))
    return map_structure(spec, runs[0], runs[1])


def _masked_zeros_for(kt, fill):
    """Zeros for ``kt``, carrying an all-True mask where ``kt`` carries a mask."""
    z = _zeros_for(kt, fill)
    if kt._mask_shape is not None:
        from tapeflow.keras.layers.masking_utils import set_keras_mask
        shape = tuple(fill if d is None else d for d in kt._mask_shape)
        set_keras_mask(z, Tensor(np.ones(shape, dtype=bool)))
    return z


def _dry_run(layer, args, kwargs, fill):
    """Calls ``layer`` on zeros shaped like the KerasTensors (unknown sizes set to ``fill``);
    inputs that carry a mask get an all-True one, so ``call`` sees ``mask`` as in Keras."""
    args = _with_graph_input_sizes(layer, args)
    cargs = map_structure(lambda v: _masked_zeros_for(v, fill) if isinstance(v, KerasTensor)
                          else v, args)
    ckwargs = map_structure(lambda v: _masked_zeros_for(v, fill) if isinstance(v, KerasTensor)
                            else v, kwargs)
    ckwargs.setdefault("training", False)
    # A dry run only finds shapes: it must not advance keras.random.SeedGenerator states.
    seeds = [(v, v.numpy()) for v in layer.weights if v.name == "seed_generator_state"]
    try:
        with np.errstate(all="ignore"):  # zeros may hit log(0) and the like: only shapes matter
            return layer(*cargs, **ckwargs)
    finally:
        layer._clear_losses()
        for v, value in seeds:
            v.assign(value)


def _with_graph_input_sizes(layer, args):
    """For a model with one symbolic input, takes sizes the argument leaves unknown from the
    model's declared input shape (a vocabulary-sized width while a reloaded vocabulary is not
    yet loaded), as Keras 3's symbolic pass through the model's graph accepts them."""
    first = args[0]
    graph = getattr(layer, "_graph", None)
    if graph is None or not isinstance(first, KerasTensor) or None not in first.shape[1:] \
            or len(graph.inputs) != 1 or len(graph.inputs[0].shape) != len(first.shape):
        return args
    shape = tuple(w if d is None else d for d, w in zip(first.shape, graph.inputs[0].shape))
    kt = KerasTensor(shape, dtype=first.dtype, name=first.name)
    kt._mask_shape = first._mask_shape
    return (kt,) + tuple(args[1:])


def _dtype_of(t):
    return t.dtype.name if hasattr(t.dtype, "name") else backend.standardize_dtype(t.dtype)


def _is_shape_structure(shape):
    """True for a shape tuple/list of ints and Nones, or a list/dict of them."""
    if isinstance(shape, (tuple, list)):
        if all(d is None or isinstance(d, (int, np.integer)) for d in shape):
            return True
        return all(_is_shape_structure(s) for s in shape) and bool(shape)
    if isinstance(shape, dict):
        return bool(shape) and all(_is_shape_structure(s) for s in shape.values())
    return False


def _shapes_to_specs(shape, dtype):
    if isinstance(shape, list) and shape and isinstance(shape[0], (int, np.integer, type(None))):
        shape = tuple(shape)
    if isinstance(shape, tuple) and all(d is None or isinstance(d, (int, np.integer))
                                        for d in shape):
        return KerasTensor(shape, dtype=dtype)
    if isinstance(shape, dict):
        return {k: _shapes_to_specs(v, dtype) for k, v in shape.items()}
    return [_shapes_to_specs(s, dtype) for s in shape]


def symbolic_call(layer, args, kwargs):
    """Records ``layer(*args, **kwargs)`` on KerasTensors; returns the output KerasTensors."""
    from tapeflow.keras.layers.input_spec import assert_input_compatibility
    inputs = args[0]
    if not layer.built:
        layer._build_with(map_structure(lambda k: k.shape if isinstance(k, KerasTensor)
                                        else np.shape(k), inputs))
    if layer.input_spec is not None and isinstance(inputs, KerasTensor):
        assert_input_compatibility(layer.input_spec, inputs.shape, layer.name)
    outputs = _output_spec(layer, args, kwargs)
    node_index = len(layer._inbound_nodes)
    flat = [x for x in flatten(outputs) if isinstance(x, KerasTensor)]
    node = Node(layer, args, kwargs, outputs)
    for i, kt in enumerate(flat):
        kt._keras_history = KerasHistory(layer, node_index, i)
        kt._node = node
    layer._inbound_nodes.append(node)
    _attach_mask_specs(layer, inputs, flat)
    return outputs


def _attach_mask_specs(layer, inputs, flat_outputs):
    """Marks the outputs that carry a Keras mask with its shape, as Keras 3's KerasTensors
    carry ``_keras_mask``: the input's mask passed through, or the layer's own
    ``compute_mask`` (run on zeros with unknown sizes 2, then 3)."""
    if not layer.supports_masking or not isinstance(inputs, KerasTensor):
        return
    from tapeflow.keras.layers.layer import Layer
    shape = inputs._mask_shape
    if type(layer).compute_mask is not Layer.compute_mask:
        masks = []
        for fill in (2, 3):
            prev = None
            if shape is not None:
                prev = Tensor(np.ones(tuple(fill if d is None else d for d in shape), bool))
            with np.errstate(all="ignore"):
                masks.append(layer.compute_mask(_zeros_for(inputs, fill), prev))
        if not all(isinstance(m, Tensor) for m in masks):
            return  # no mask, or one per output (not tracked symbolically)
        sa, sb = np.shape(masks[0]), np.shape(masks[1])
        shape = tuple(x if x == y else None for x, y in zip(sa, sb)) \
            if len(sa) == len(sb) else (None,) * len(sa)
    if shape is None:
        return
    for kt in flat_outputs:
        kt._mask_shape = shape
