"""Binding a call to a ``tf.function``'s ``input_signature`` (TensorFlow's checks and text)."""
import logging

import numpy as np

from tapeflow.framework import nest
from tapeflow.framework.graph.concrete_function import ConcreteFunction
from tapeflow.framework.graph.func_graph import Uncapturable
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.tensor_shape import TensorShape
from tapeflow.framework.tensor_spec import TensorSpec


EAGER = "eager"
_LOG = logging.getLogger("tapeflow")


def spec_text(shape, dtype):
    """Returns ``TensorSpec(shape=..., dtype=tf.x, name=None)``."""
    return f"TensorSpec(shape={TensorShape(shape)}, dtype={dtype!r}, name=None)"


def bind_signature(fn, args, kwargs):
    """Returns ``(args, {})`` with every leaf converted to its spec's Tensor.

    Raises:
      TypeError: TensorFlow's "Binding inputs to tf.function failed" when an argument
        does not fit its spec (dtype, shape or structure), or too many are given.
    """
    specs = list(fn._input_signature)
    names = list(fn._sig.parameters)[:len(specs)]
    sig_text = ", ".join(f"{n}: {_text(s)}" for n, s in zip(names, specs))

    def fail(why):
        return TypeError(f"Binding inputs to tf.function failed due to `{why}`. Received args: "
                         f"{args!r} and kwargs: {kwargs!r} for signature: ({sig_text}).")
    values = list(args)
    for n in names[len(values):]:
        if n in kwargs:
            values.append(kwargs[n])
    extra = set(kwargs) - set(names)
    if len(values) != len(specs) or extra:
        raise fail(f"too many positional arguments" if len(values) > len(specs) else
                   f"missing a required argument: '{names[len(values)]}'" if not extra else
                   f"got an unexpected keyword argument '{sorted(extra)[0]}'")
    out = []
    for v, spec in zip(values, specs):
        flat_s = nest.flatten(spec)
        flat_v = nest.flatten(v)
        if len(flat_s) != len(flat_v):
            raise fail(f"Can not cast {v!r} to {_text(spec)}")
        conv = []
        for x, s in zip(flat_v, flat_s):
            try:
                t = x if isinstance(x, Tensor) else convert_to_tensor(x)
                if t.dtype is not s.dtype and not isinstance(x, Tensor) and t.dtype.is_floating \
                        == s.dtype.is_floating:
                    t = convert_to_tensor(x, s.dtype)
            except (TypeError, ValueError):
                raise fail(f"Can not cast {x!r} to {_text(s)}") from None
            if t.dtype is not s.dtype or not s.shape.is_compatible_with(t.shape):
                raise fail(f"Can not cast {spec_text(t.shape, t.dtype)} to {_text(s)}")
            conv.append(t)
        out.append(nest.pack_sequence_as(spec, conv) if nest.is_nested(spec) else conv[0])
    return tuple(out), {}


def _text(spec):
    if isinstance(spec, TensorSpec):
        return spec_text(spec.shape, spec.dtype)
    return repr(spec)


_VARS_MSG = ("tf.function only supports singleton tf.Variables created on the first call. "
             "Make sure the tf.Variable is only created once or created outside tf.function. "
             "See https://www.tensorflow.org/guide/function#creating_tfvariables for more "
             "information.")


def key(x, tensors, shapes):
    """Returns a hashable key for ``x``; appends its tensor leaves and their shapes."""
    t = type(x)
    if t is Tensor or isinstance(x, Tensor):
        tensors.append(x)
        shapes.append(x._value.shape)
        return x._value.dtype
    if t is tuple or t is list or isinstance(x, (tuple, list)):
        return (t, tuple([key(v, tensors, shapes) for v in x]))
    if isinstance(x, dict):
        return (t, tuple([(k, key(x[k], tensors, shapes)) for k in sorted(x)]))
    if x is None or t in (int, float, bool, str, bytes):
        return (t, x)
    if isinstance(x, np.ndarray):
        return key(convert_to_tensor(x), tensors, shapes)
    if isinstance(x, TensorSpec):
        tensors.append(x)
        shapes.append(tuple(x.shape.as_list()) if x.shape.rank is not None else None)
        return x.dtype._np
    if getattr(x, "_is_variable", False):
        return ("V", id(x))
    try:
        hash(x)
        return ("H", x)
    except TypeError:
        return ("O", id(x))


def matches(pattern, shapes):
    return all(p is None or (s is not None and len(p) == len(s) and all(
        a is None or a == b for a, b in zip(p, s))) for p, s in zip(pattern, shapes))


def trace_new(fn, call, pattern):
    """Traces ``fn``'s Python function for ``call`` (counting each trace in ``fn._count``);
    returns ``(concrete function, count)``.

    Variables may be created on the first trace only (TensorFlow then traces again, and
    creating them again is a ValueError).
    """
    b = fn._sig.bind(*call[0], **call[1])
    params = [(n, fn._sig.parameters[n].kind.name, v) for n, v in b.arguments.items()]
    names = []
    for n, v in list(zip(fn._sig.parameters, call[0])) + sorted(call[1].items()):
        k = len([x for x in nest.flatten(v) if isinstance(x, (Tensor, TensorSpec,
                                                              np.ndarray))])
        names += [n] + [f"{n}_{i}" for i in range(1, k)]
    first = fn._count == 0
    fn._count += 1       # counted even when the trace then fails or is not capturable
    cf = ConcreteFunction(fn._traced_function(), fn._name, call, pattern, params, names)
    if cf.graph.created_variables:
        if not first:
            raise ValueError(_VARS_MSG)
        fn._count += 1   # TensorFlow traces again, where creating variables is an error
        cf = ConcreteFunction(fn._traced_function(), fn._name, call, pattern, params,
                              names)
        if cf.graph.created_variables:
            raise ValueError(_VARS_MSG)
    return cf, fn._count


def lookup(fn, struct, key, call, shapes):
    """Finds or traces ``fn``'s concrete function for a new key; returns the cache entry
    (``(concrete function, graph)``, or ``EAGER``)."""
    try:
        for cf in fn._by_struct.get(struct, ()):
            if matches(cf._pattern, shapes):
                entry = fn._cache[key] = (cf, cf._graph_for(tuple(shapes)))
                return entry
        pattern = shapes
        if fn._input_signature is not None:
            pattern = [tuple(s.shape.as_list()) if s.shape.rank is not None else None
                       for s in nest.flatten(fn._input_signature)]
        elif fn._reduce_retracing and fn._by_struct.get(struct):
            last = fn._by_struct[struct][-1]._pattern
            pattern = [None if p is None or s is None or len(p) != len(s) else tuple(
                a if a == b else None for a, b in zip(p, s)) for p, s in zip(last, shapes)]
        cf = fn._trace(call, pattern)
    except Uncapturable as e:
        _LOG.warning("tf.function %s runs eagerly for this input signature: its trace "
                     "cannot be captured (%s).", fn._name, e)
        fn._cache[key] = EAGER
        return EAGER
    fn._by_struct.setdefault(struct, []).append(cf)
    fn._all.append(cf)
    entry = fn._cache[key] = (cf, cf._graph_for(tuple(shapes)))
    return entry
