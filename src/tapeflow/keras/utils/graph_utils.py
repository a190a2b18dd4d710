"""``keras.utils.get_source_inputs``: the ``keras.Input`` tensors a symbolic tensor
depends on."""


def get_source_inputs(tensor):
    """Returns the list of input KerasTensors (``keras.Input``s) that ``tensor`` was
    computed from, each once, in the order they are first reached (depth first)."""
    from tapeflow.keras.layers.node import KerasTensor
    if not isinstance(tensor, KerasTensor):
        raise ValueError(f"Expected a KerasTensor. Received: tensor={tensor!r}")
    out, seen, stack = [], set(), [tensor]
    while stack:
        kt = stack.pop()
        node = kt._node
        if node is None or node.is_input:
            if id(kt) not in seen:
                seen.add(id(kt))
                out.append(kt)
            continue
        stack.extend(reversed(node.input_tensors))
    return out
