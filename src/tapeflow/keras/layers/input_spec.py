"""``InputSpec``: the rank, dtype and axis sizes a layer accepts, checked on every call."""


class InputSpec:
    """What a layer's input must look like.

    Args:
      dtype: expected dtype name, or None.
      shape: expected shape (None entries match anything), or None.
      ndim: exact rank, or None.
      max_ndim / min_ndim: rank bounds, or None.
      axes: ``{axis: size}`` that must hold.
      allow_last_axis_squeeze: accepted for compatibility.
      name: the input's name.
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional

    def __repr__(self):
        spec = [f"dtype={self.dtype}" if self.dtype else "",
                f"shape={self.shape}" if self.shape else "",
                f"ndim={self.ndim}" if self.ndim is not None else "",
                f"max_ndim={self.max_ndim}" if self.max_ndim is not None else "",
                f"min_ndim={self.min_ndim}" if self.min_ndim is not None else "",
                f"axes={self.axes}" if self.axes else ""]
        return f"InputSpec({', '.join(x for x in spec if x)})"

    def get_config(self):
        """Returns the spec's arguments as a dict."""
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config):
        """Returns a spec from ``get_config()``'s output."""
        return cls(**config)


def assert_input_compatibility(spec, shape, layer_name, index=0):
    """Checks an input shape (tuple) against ``spec``.

    Raises:
      ValueError: naming the layer, what was expected and the shape received.
    """
    ndim = len(shape)
    # Keras 3.15's wording ("with name 'None'": positional inputs carry no name)
    head = (f"Input {index} with name 'None' of layer '{layer_name}' is incompatible with the "
            "layer: ")
    if spec.ndim is not None and ndim != spec.ndim:
        raise ValueError(f"{head}expected ndim={spec.ndim}, found ndim={ndim}. "
                         f"Full shape received: {shape}")
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ValueError(f"{head}expected max_ndim={spec.max_ndim}, found ndim={ndim}. "
                         f"Full shape received: {shape}")
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ValueError(f"{head}expected min_ndim={spec.min_ndim}, found ndim={ndim}. "
                         f"Full shape received: {shape}")
    for axis, value in spec.axes.items():
        if value is None:
            continue
        if -ndim <= axis < ndim and shape[axis] is not None and shape[axis] != value:
            raise ValueError(f"{head}expected axis {axis} of input shape to have value "
                             f"{value}, but received input with shape {shape}")
    if spec.shape is not None:
        for want, got in zip(spec.shape, shape):
            if want is not None and got is not None and want != got:
                raise ValueError(f'{head}expected shape={spec.shape}, found shape={shape}')
