"""``keras.utils.pack_x_y_sample_weight`` and ``unpack_x_y_sample_weight``."""


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Packs user data into the tuple that ``fit`` and ``train_step`` receive.

    Returns:
      ``x`` alone (or ``(x,)`` when ``x`` is a tuple or list), ``(x, y)``, or
      ``(x, y, sample_weight)``.
    """
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """Unpacks what ``train_step`` receives.

    Returns:
      The tuple ``(x, y, sample_weight)``, with None for the parts not given.

    Raises:
      ValueError: for a tuple of more than three items.
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) == 1:
        return (data[0], None, None)
    if len(data) == 2:
        return (data[0], data[1], None)
    if len(data) == 3:
        return (data[0], data[1], data[2])
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found: {data}")
