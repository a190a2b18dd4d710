"""``keras.utils.plot_model``: draws a model's layer graph to an image with matplotlib.

No Graphviz: layers are boxes placed by depth (top to bottom), with arrows
for the connections. matplotlib is imported only when called.
"""


def _graph_of(model):
    """Returns (layers in order, edges as (src, dst) layer pairs) of a model."""
    graph = getattr(model, "_graph", None)
    if graph is None:
        layers = list(model.layers)
        return layers, [(a, b) for a, b in zip(layers, layers[1:])]
    layers = list(graph.operations)
    edges = []
    for node in graph.nodes:
        for kt in node.input_tensors:
            edges.append((kt._keras_history.operation, node.operation))
    return layers, edges


def _shape_text(layer):
    def fmt(kts):
        shapes = [str(k.shape) for k in kts]
        return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"
    nodes = layer._inbound_nodes
    if not nodes:
        return "?", "?"
    node = nodes[-1]
    ins = fmt(node.input_tensors) if node.input_tensors else fmt(node.output_tensors)
    return ins, fmt(node.output_tensors)


def model_to_dot(*args, **kwargs):
    """Not available: tapeflow draws with matplotlib instead of Graphviz.

    Raises:
      ImportError: always.
    """
    raise ImportError("model_to_dot needs pydot/Graphviz; use keras.utils.plot_model, which "
                      "draws with matplotlib.")


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, **kwargs):
    """Draws the model's layers and connections to ``to_file`` (PNG, PDF or SVG by extension).

    Args:
      model: a built Sequential, functional or subclassed model.
      to_file: output path.
      show_shapes: add input/output shapes to each box.
      show_dtype: add the layer's dtype.
      show_layer_names: include layer names (else class names only).
      rankdir: ``"TB"`` (top to bottom) or ``"LR"`` (left to right).
      show_layer_activations: add Dense/Activation activations.
      show_trainable: mark trainable layers.

    Returns:
      An ``IPython.display.Image`` of the file when IPython is available, else None.

    Raises:
      ValueError: if the model is not built.
    """
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or by calling the model on a batch of data.")
    # A bare Figure (no pyplot): no GUI backend, no global matplotlib state touched.
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    layers, edges = _graph_of(model)
    # Depth: longest path from a source.
    depth = {id(layer): 0 for layer in layers}
    for _ in range(len(layers)):
        changed = False
        for a, b in edges:
            if id(a) in depth and id(b) in depth and depth[id(b)] < depth[id(a)] + 1:
                depth[id(b)] = depth[id(a)] + 1
                changed = True
        if not changed:
            break
    rows = {}
    for layer in layers:
        rows.setdefault(depth[id(layer)], []).append(layer)

    def label(layer):
        cls = layer.__class__.__name__
        parts = [f"{layer.name} ({cls})" if show_layer_names else cls]
        if show_layer_activations and hasattr(layer, "activation"):
            parts.append(f"activation: {getattr(layer.activation, '__name__', layer.activation)}")
        if show_dtype:
            parts.append(f"dtype: {layer.dtype}")
        if show_shapes:
            ins, outs = _shape_text(layer)
            parts.append(f"input: {ins}")
            parts.append(f"output: {outs}")
        if show_trainable:
            parts.append(f"trainable: {'Y' if layer.trainable else 'N'}")
        return "\n".join(parts)

    n_cols = max(len(r) for r in rows.values())
    box_w, box_h = 3.2, 0.5 + 0.28 * (1 + 2 * show_shapes + show_dtype + show_trainable
                                        + show_layer_activations)
    gap_x, gap_y = 0.6, 0.6
    pos = {}
    for d, row in rows.items():
        for i, layer in enumerate(row):
            offset = (n_cols - len(row)) * (box_w + gap_x) / 2
            x = offset + i * (box_w + gap_x)
            y = -(d * (box_h + gap_y))
            if rankdir == "LR":
                x, y = d * (box_w + gap_x), -(offset + i * (box_h + gap_y))
            pos[id(layer)] = (x, y)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    width = max(xs) - min(xs) + box_w + 0.4
    height = max(ys) - min(ys) + box_h + 0.4
    fig = Figure(figsize=(max(width, 2), max(height, 1)))
    ax = fig.subplots()
    for layer in layers:
        x, y = pos[id(layer)]
        ax.add_patch(FancyBboxPatch((x, y), box_w, box_h, boxstyle="round,pad=0.02",
                                    facecolor="#e8f0fe", edgecolor="#333333"))
        ax.text(x + box_w / 2, y + box_h / 2, label(layer), ha="center", va="center",
                fontsize=7)
    for a, b in edges:
        (xa, ya), (xb, yb) = pos[id(a)], pos[id(b)]
        if rankdir == "LR":
            start, end = (xa + box_w, ya + box_h / 2), (xb, yb + box_h / 2)
        else:
            start, end = (xa + box_w / 2, ya), (xb + box_w / 2, yb + box_h)
        ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "->", "lw": 1})
    ax.set_xlim(min(xs) - 0.2, max(xs) + box_w + 0.2)
    ax.set_ylim(min(ys) - 0.2, max(ys) + box_h + 0.2)
    ax.axis("off")
    fig.savefig(to_file, dpi=dpi, bbox_inches="tight")
    try:
        from IPython import display
    except ImportError:
        return None
    if str(to_file).endswith(".png"):
        return display.Image(filename=to_file)
    return None
