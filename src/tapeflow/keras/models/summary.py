"""``model.summary()``: Keras 3's table, drawn with box characters (no ``rich`` needed).

Column widths follow Keras: positions (fractions of ``line_length``) give
each column's width; the table (cell padding and borders included) is then
shrunk to ``line_length`` the way ``rich`` shrinks fixed-width columns.
"""
import math
import re

from tapeflow.framework import dtypes

_HEAVY = ("┏", "━", "┳", "┓", "┃")
_HEAD_SEP = ("┡", "━", "╇", "┩")
_ROW_SEP = ("├", "─", "┼", "┤")
_BOTTOM = ("└", "─", "┴", "┘")
_V = "│"


def readable_memory_size(size):
    """Returns a byte count as Keras prints it (``"18.79 KB"``)."""
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if size / 1024 < 1:
            return "{:.2f} {}".format(size, unit)
        size /= 1024
    return "{:.2f} {}".format(size, "PB")


def _count(weights):
    return int(sum(math.prod(tuple(w.shape)) for w in weights))


def _memory(weights):
    seen = {id(w): w for w in weights}
    total = 0
    for w in seen.values():
        total += math.prod(tuple(w.shape)) * dtypes.as_dtype(w.dtype).size  # DType or name
    return total


def _ratio_reduce(total, widths):
    """Shrinks ``widths`` by ``total`` cells, spread evenly (rich's ratio_reduce)."""
    ratio_total = len(widths)
    remaining = total
    out = []
    for w in widths:
        if ratio_total > 0:
            d = min(w, round(remaining / ratio_total))
            out.append(w - d)
            remaining -= d
            ratio_total -= 1
        else:
            out.append(w)
    return out


def _wrap(text, width):
    """Wraps at spaces like rich; a word longer than the cell is cut with an ellipsis."""
    if len(text) <= width:
        return [text]
    indent = text[:len(text) - len(text.lstrip(" "))]
    lines, current = [], indent
    for word in text.lstrip(" ").split(" "):
        if len(word) > width:
            word = word[:width - 1] + "…"
        if not current.strip():
            current += word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return lines


def _format_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _layer_shape(layer):
    nodes = layer._inbound_nodes
    if nodes:
        outs = nodes[-1].output_structure
        flat = nodes[-1].output_tensors
        if len(flat) == 1:
            return _format_shape(flat[0].shape)
        return re.sub("'", "", str(_map(outs, lambda kt: _format_shape(kt.shape))))
    if layer._build_shapes_dict is not None:
        try:
            shape = layer.compute_output_shape(layer._build_shapes_dict)
        except Exception:  # noqa: BLE001  (a layer that cannot say prints "?")
            return "?"
        if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
            return str([_format_shape(s) for s in shape]).replace("'", "")
        return _format_shape(shape)
    return "?"


def _map(x, fn):
    if isinstance(x, dict):
        return {k: _map(v, fn) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_map(v, fn) for v in x]
    return fn(x)


def _is_sequential_like(model):
    from tapeflow.keras.models.sequential import Sequential
    graph = getattr(model, "_graph", None)
    if isinstance(model, Sequential) or graph is None:
        return True
    by_depth = {}
    for node in graph.nodes:
        by_depth.setdefault(graph.depth[node], []).append(node)
    for nodes in by_depth.values():
        if len(nodes) > 1 or (len(nodes) == 1 and len(nodes[0].input_tensors) > 1):
            return False
    for layer in graph.operations:
        if sum(1 for n in layer._inbound_nodes if n in graph.node_set) > 1:
            return False
    return True


def _connections(layer, graph):
    parts = []
    for node in layer._inbound_nodes:
        if node not in graph.node_set:
            continue
        for kt in node.input_tensors:
            op, node_index, tensor_index = kt._keras_history
            parts.append(f"{op.name}[{node_index}][{tensor_index}]")
    return ", ".join(parts) if parts else "-"


def summary_lines(model, line_length=None, positions=None, expand_nested=False,
                  show_trainable=False, layer_range=None):
    """Returns the summary text of ``model`` as a list of lines."""
    from tapeflow.keras.models.sequential import Sequential
    sequential_like = _is_sequential_like(model)
    graph = getattr(model, "_graph", None)
    if isinstance(model, Sequential) or graph is None:
        layers = model.layers
    else:
        layers = graph.operations
    if sequential_like:
        default_length, positions = 88, positions or [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        align = ["left", "left", "right"]
    else:
        default_length, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        align = ["left", "left", "right", "left"]
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        align.append("center")
    line_length = line_length or default_length
    widths, current = [], 0
    for pos in positions:
        w = int(pos * line_length) - current
        if w < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(w)
        current += w
    # rich: fixed widths plus one padding cell each side, shrunk to fit the borders.
    padded = [w + 2 for w in widths]
    available = line_length - (len(widths) + 1)
    if sum(padded) > available:
        padded = _ratio_reduce(sum(padded) - available, padded)
    inner = [w - 2 for w in padded]

    rows = []

    def add(layer, level=0):
        prefix = ("   " * level + "└ ") if level else ""
        name = f"{prefix}{layer.name} ({layer.__class__.__name__})"
        if not layer.built:
            params = "0 (unbuilt)"
        else:
            params = f"{layer.count_params():,}"
        fields = [name, _layer_shape(layer), params]
        if not sequential_like:
            fields.append(_connections(layer, graph))
        if show_trainable:
            fields.append(("Y" if layer.trainable else "N") if layer.weights else "-")
        rows.append(fields)
        if expand_nested and hasattr(layer, "layers") and layer.layers and \
                layer.__class__.__name__ != "InputLayer":
            for sub in layer.layers:
                add(sub, level + 1)

    start, stop = _range(layers, layer_range)
    for layer in layers[start:stop]:
        add(layer)

    def cells(fields, bottom=False):
        wrapped = [_wrap(f, w) for f, w in zip(fields, inner)]
        height = max(len(c) for c in wrapped)
        if bottom:   # rich aligns header cells to the bottom of their row
            wrapped = [[""] * (height - len(c)) + c for c in wrapped]
        out = []
        for i in range(height):
            parts = []
            for c, w, a in zip(wrapped, inner, align):
                text = c[i] if i < len(c) else ""
                text = (text.rjust(w) if a == "right" else text.center(w) if a == "center"
                        else text.ljust(w))
                parts.append(" " + text + " ")
            out.append(parts)
        return out

    def rule(chars):
        left, fill, mid, right = chars
        return left + mid.join(fill * w for w in padded) + right

    lines = [f'Model: "{model.name}"', rule(_HEAVY[:4])]
    for parts in cells(header, bottom=True):
        lines.append(_HEAVY[4] + _HEAVY[4].join(parts) + _HEAVY[4])
    lines.append(rule(_HEAD_SEP))
    for i, fields in enumerate(rows):
        if i:
            lines.append(rule(_ROW_SEP))
        for parts in cells(fields):
            lines.append(_V + _V.join(parts) + _V)
    lines.append(rule(_BOTTOM))

    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    t_count, n_count = _count(trainable), _count(non_trainable)
    t_mem, n_mem = _memory(trainable), _memory(non_trainable)
    opt = getattr(model, "optimizer", None)
    opt_vars = list(getattr(opt, "variables", []) or []) if (
        getattr(model, "compiled", False) and opt is not None and getattr(opt, "built", False)) \
        else []
    o_count, o_mem = _count(opt_vars), _memory(opt_vars)
    lines.append(f" Total params: {t_count + n_count + o_count:,} "
                 f"({readable_memory_size(t_mem + n_mem + o_mem)})")
    lines.append(f" Trainable params: {t_count:,} ({readable_memory_size(t_mem)})")
    lines.append(f" Non-trainable params: {n_count:,} ({readable_memory_size(n_mem)})")
    if opt_vars:
        lines.append(f" Optimizer params: {o_count:,} ({readable_memory_size(o_mem)})")
    return lines


def _range(layers, layer_range):
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError("layer_range must be a list or tuple of length 2. Received: "
                         f"layer_range = {layer_range} of length {len(layer_range)}")
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError("Passed layer_names do not match the layer names in the model. "
                         f"Received: {layer_range}")
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None):
    """Prints the summary; ``print_fn`` receives the whole text (lines joined, newline-ended)."""
    text = "\n".join(summary_lines(model, line_length, positions, expand_nested,
                                   show_trainable, layer_range)) + "\n"
    if print_fn is not None:
        print_fn(text)
    else:
        print(text, end="")
