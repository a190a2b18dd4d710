"""Functional model configs and ``keras.models.clone_model``."""
from tapeflow.keras.layers.input_layer import InputLayer
from tapeflow.keras.keras_tensor import KerasTensor
from tapeflow.keras.tree import flatten, map_structure
from tapeflow.keras.saving.serialization import deserialize_keras_object, serialize_keras_object


def _node_index(graph, kt):
    """Returns (layer name, node index within this model, tensor index) for a tensor."""
    layer, _, tensor_index = kt._keras_history
    nodes = [n for n in layer._inbound_nodes if n in graph.node_set]
    idx = next(i for i, n in enumerate(nodes) if n is kt._node)
    return [layer.name, idx, tensor_index]


def _ser_arg(graph, v):
    if isinstance(v, KerasTensor):
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(v.shape), "dtype": v.dtype,
                           "keras_history": _node_index(graph, v)}}
    return v


def _structure_refs(graph, struct):
    if isinstance(struct, dict):
        return {k: _node_index(graph, v) for k, v in struct.items()}
    if isinstance(struct, (list, tuple)):
        return [_structure_refs(graph, v) for v in struct]
    return _node_index(graph, struct)


def functional_config(model):
    """Returns the config of a functional model: its layers with their inbound nodes, and the
    input and output layers."""
    graph = model._graph
    layers = []
    for layer in graph.operations:
        conf = serialize_keras_object(layer)
        conf["name"] = layer.name
        nodes = []
        if not isinstance(layer, InputLayer):
            for node in layer._inbound_nodes:
                if node not in graph.node_set:
                    continue
                args, kwargs = node.arguments
                nodes.append({"args": map_structure(lambda v: _ser_arg(graph, v), list(args)),
                              "kwargs": map_structure(lambda v: _ser_arg(graph, v), kwargs)})
        conf["inbound_nodes"] = nodes
        layers.append(conf)
    inputs = graph.inputs_struct
    outputs = graph.outputs_struct
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            # a model built on one bare tensor refers to it bare (["a", 0, 0]), as Keras 3
            "input_layers": _structure_refs(graph, inputs),
            "output_layers": _structure_refs(graph, outputs)}


def functional_from_config(cls, config, custom_objects=None):
    """Rebuilds a functional model (of class ``cls``) from ``functional_config``'s output.

    Raises:
      ValueError: if a node refers to a layer or tensor that never appears.
    """
    created = {}
    produced = {}  # layer name -> list of output lists, one per processed node
    pending = []
    for conf in config["layers"]:
        layer = deserialize_keras_object(conf, custom_objects=custom_objects)
        name = conf.get("name", conf["config"].get("name"))
        created[name] = layer
        if isinstance(layer, InputLayer):
            produced[name] = [[layer.output]]
        else:
            produced[name] = []
            for node in conf.get("inbound_nodes", []):
                pending.append((layer, name, node))

    def resolve(v):
        if isinstance(v, dict) and v.get("class_name") == "__keras_tensor__":
            lname, nidx, tidx = v["config"]["keras_history"]
            outs = produced.get(lname, [])
            if nidx >= len(outs):
                raise LookupError
            return outs[nidx][tidx]
        return v

    while pending:
        progress = False
        rest = []
        for layer, name, node in pending:
            try:
                args = _resolve_struct(node["args"], resolve)
                kwargs = _resolve_struct(node.get("kwargs", {}), resolve)
            except LookupError:
                rest.append((layer, name, node))
                continue
            out = layer(*args, **kwargs)
            produced[name].append(flatten(out))
            progress = True
        if not progress:
            raise ValueError("Could not rebuild the functional model: unresolved inbound nodes "
                             f"for layers {[n for _, n, _ in rest]}")
        pending = rest

    def ref(r):
        return produced[r[0]][r[1]][r[2]]
    inputs = _refs_to(config["input_layers"], ref)
    outputs = _refs_to(config["output_layers"], ref)
    if isinstance(inputs, list) and len(inputs) == 1:
        inputs = inputs[0]
    if isinstance(outputs, list) and len(outputs) == 1:
        outputs = outputs[0]
    from tapeflow.keras.models.model import Model
    if cls is Model:
        return Model(inputs, outputs, name=config.get("name"),
                     trainable=config.get("trainable", True))
    return cls(inputs=inputs, outputs=outputs, name=config.get("name"),
               trainable=config.get("trainable", True))


def _is_ref(r):
    return isinstance(r, (list, tuple)) and len(r) == 3 and isinstance(r[0], str)


def _refs_to(refs, fn):
    if isinstance(refs, dict):
        return {k: _refs_to(v, fn) for k, v in refs.items()}
    if _is_ref(refs):
        return fn(refs)
    return [_refs_to(r, fn) for r in refs]


def _resolve_struct(x, fn):
    if isinstance(x, dict):
        if x.get("class_name") == "__keras_tensor__":
            return fn(x)
        return {k: _resolve_struct(v, fn) for k, v in x.items()}
    if isinstance(x, list):
        return [_resolve_struct(v, fn) for v in x]
    return x


def _default_clone(layer):
    return layer.__class__.from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False, **kwargs):
    """Returns a new model with the same architecture and freshly initialized weights.

    Args:
      model: a Sequential or functional model.
      input_tensors: optional new symbolic inputs for a functional model.
      clone_function: ``f(layer) -> layer``; default rebuilds each layer from its config.

    Raises:
      ValueError: for a subclassed model given ``clone_function`` or ``input_tensors``.
    """
    from tapeflow.keras.models.model import Model
    from tapeflow.keras.models.sequential import Sequential
    clone_function = clone_function or _default_clone
    if isinstance(model, Sequential):
        layers = [InputLayer.from_config(l.get_config()) if isinstance(l, InputLayer)
                  else clone_function(l) for l in model._seq_layers]
        clone = Sequential(layers, name=model.name, trainable=model.trainable)
        if not clone.built and model.built and model._build_shapes_dict is not None:
            clone.build(model._build_shapes_dict)
        return clone
    graph = getattr(model, "_graph", None)
    if graph is None and input_tensors is None and clone_function is _default_clone:
        # A subclassed model: rebuild it from its config (fresh weights), as Keras does.
        return model.__class__.from_config(model.get_config())
    if graph is None:
        raise ValueError("Arguments `clone_function` and `input_tensors` are only supported "
                         "for Sequential models or Functional models. Received model of type "
                         f"'{model.__class__.__name__}', with clone_function={clone_function} "
                         f"and input_tensors={input_tensors}")
    values = {}
    new_inputs = flatten(input_tensors) if input_tensors is not None else None
    for i, kt in enumerate(graph.inputs):
        if new_inputs is not None:
            values[id(kt)] = new_inputs[i]
        else:
            layer = kt._keras_history.operation
            values[id(kt)] = InputLayer.from_config(layer.get_config()).output
    clones = {}
    for node in graph.nodes:
        if node.is_input:
            continue
        layer = node.operation
        if id(layer) not in clones:
            clones[id(layer)] = clone_function(layer)
        args, kw = node.arguments
        out = clones[id(layer)](*map_structure(lambda v: values[id(v)] if isinstance(
            v, KerasTensor) else v, args), **map_structure(
                lambda v: values[id(v)] if isinstance(v, KerasTensor) else v, kw))
        for kt, o in zip(node.output_tensors, flatten(out)):
            values[id(kt)] = o
    inputs = map_structure(lambda kt: values[id(kt)], graph.inputs_struct)
    outputs = map_structure(lambda kt: values[id(kt)], graph.outputs_struct)
    cls = type(model)
    if cls.__name__ == "Functional":
        return Model(inputs, outputs, name=model.name)
    return cls(inputs, outputs, name=model.name)
