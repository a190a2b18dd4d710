"""Keras masks: attached to tensors (``set_keras_mask``/``get_keras_mask``) and carried from a
layer's inputs to its outputs (``compute_mask``)."""
import weakref


# -- masks -----------------------------------------------------------------------------
# Keras attaches a mask to a tensor (``x._keras_mask``); Tensors here have __slots__, so
# masks live in a table keyed by the tensor's id and dropped when the tensor dies.
_MASKS = {}


def set_keras_mask(x, mask):
    """Attaches ``mask`` to tensor ``x`` (None removes it)."""
    key = id(x)
    if mask is None:
        _MASKS.pop(key, None)
        return
    _MASKS[key] = (weakref.ref(x, lambda _, k=key: _MASKS.pop(k, None)), mask)


def get_keras_mask(x):
    """Returns the mask attached to ``x``, or None."""
    entry = _MASKS.get(id(x))
    if entry is not None and entry[0]() is x:
        return entry[1]
    return None


def _mask_of(inputs):
    if isinstance(inputs, (list, tuple)):
        masks = [get_keras_mask(x) for x in inputs]
        return None if all(m is None for m in masks) else masks
    return get_keras_mask(inputs)


def _propagate_mask(layer, inputs, outputs):
    """Attaches ``layer.compute_mask(inputs, previous_mask)`` to the outputs."""
    mask = layer.compute_mask(inputs, _mask_of(inputs))
    if mask is None:
        return
    if isinstance(outputs, (list, tuple)):
        masks = mask if isinstance(mask, (list, tuple)) else [mask] * len(outputs)
        for o, m in zip(outputs, masks):
            set_keras_mask(o, m)
    else:
        set_keras_mask(outputs, mask)
