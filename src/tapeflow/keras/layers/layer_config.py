"""Keras's automatic layer config: the arguments a layer was constructed with."""
import inspect


def _auto_config(layer, config):
    """Adds the arguments ``layer`` was constructed with to ``config``.

    Raises:
      NotImplementedError: if they cannot be recorded (``*args`` constructors).
    """
    cls = type(layer)
    params = inspect.signature(cls.__init__).parameters
    args, kwargs = layer._init_args
    try:
        bound = inspect.signature(cls.__init__).bind(layer, *args, **kwargs)
    except TypeError:
        bound = None
    if bound is None or any(p.kind is p.VAR_POSITIONAL and p.name in bound.arguments
                            for p in params.values()):
        raise NotImplementedError(
            f"Layer {cls.__name__} was created with arguments that cannot be recorded; "
            "override `get_config()` to make it serializable.")
    for k, v in list(bound.arguments.items())[1:]:
        if params[k].kind is inspect.Parameter.VAR_KEYWORD:
            for kk, vv in v.items():
                config.setdefault(kk, vv)
        elif k not in config:
            config[k] = v
