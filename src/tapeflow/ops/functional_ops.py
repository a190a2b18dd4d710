"""Higher-order functions over the leading axis (``tf.map_fn``, ``tf.scan``, ``tf.foldl``,
``tf.foldr``, ``tf.vectorized_map``) and Python calls as ops (``tf.py_function``,
``tf.numpy_function``).

The element count is the static leading dimension, so the loops unroll into ordinary ops
(eagerly and inside a ``tf.function`` trace, whose signature fixes the shapes); gradients
come from the tape like any other ops. ``py_function``/``numpy_function`` inside a trace
become one graph node that calls the Python function on every call.
"""
from tapeflow.framework import dtypes, nest
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.graph import func_graph
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.tensor_spec import TensorSpec
from tapeflow.ops import array_ops


def _elems(elems):
    flat = [convert_to_tensor(e) for e in nest.flatten(elems)]
    if not flat:
        raise ValueError("elems must be a Tensor or (possibly nested) sequence of Tensors.")
    for t in flat:
        if t._value.ndim == 0:
            raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
    n = flat[0]._value.shape[0]
    if any(t._value.shape[0] != n for t in flat):
        raise ValueError("All elements in elems must have the same size in their first "
                         "dimension")
    return flat, n


def _slice(elems, flat, i):
    return nest.pack_sequence_as(elems, [t[i] for t in flat]) if nest.is_nested(elems) \
        else flat[0][i]


def _stack(template, results, signature=None):
    if not results:
        specs = nest.flatten(signature) if signature is not None else []
        out = [array_ops.zeros([0] + list(getattr(s, "shape", []) or []),
                               getattr(s, "dtype", s)) for s in specs]
        return nest.pack_sequence_as(signature, out) if nest.is_nested(signature) else (
            out[0] if out else [])
    columns = list(zip(*[nest.flatten(r) for r in results]))
    stacked = [array_ops.stack([convert_to_tensor(x) for x in c]) for c in columns]
    return nest.pack_sequence_as(template, stacked) if nest.is_nested(template) else stacked[0]


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True,
           swap_memory=False, infer_shape=True, name=None, fn_output_signature=None):
    """Returns ``fn`` applied to each element of ``elems`` (unstacked on axis 0), stacked.

    Raises:
      ValueError: if the output structure differs from ``elems`` and no
        ``fn_output_signature`` says what it is.
      InvalidArgumentError: if an output's dtype differs from the signature's.
    """
    signature = fn_output_signature if fn_output_signature is not None else dtype
    flat, n = _elems(elems)
    results = []
    for i in range(n):
        r = fn(_slice(elems, flat, i))
        want = signature if signature is not None else elems
        if len(nest.flatten(r)) != len(nest.flatten(want)):
            raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                             f"First structure: {want!r}\n\nSecond structure: {r!r}")
        if signature is not None:
            for x, s in zip(nest.flatten(r), nest.flatten(signature)):
                want_dt = dtypes.as_dtype(getattr(s, "dtype", s))
                got = convert_to_tensor(x).dtype if isinstance(x, Tensor) else convert_to_tensor(
                    x, want_dt).dtype
                if got is not want_dt:
                    raise InvalidArgumentError(None, "TensorListSetItem", (
                        f"TensorArray dtype is {want_dt.name} but Op is trying to write dtype "
                        f"{got.name} "))
            r = nest.pack_sequence_as(r, [convert_to_tensor(x, dtypes.as_dtype(
                getattr(s, "dtype", s))) for x, s in zip(nest.flatten(r), nest.flatten(
                    signature))]) if nest.is_nested(r) else convert_to_tensor(
                r, dtypes.as_dtype(getattr(signature, "dtype", signature)))
        results.append(r)
    if not results:
        sig = signature if signature is not None else nest.map_structure(
            lambda t: TensorSpec(t.shape[1:], t.dtype), elems)
        return _stack(None, [], sig)
    return _stack(results[0], results)


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """Returns ``fn`` applied to each element of ``elems`` along axis 0, stacked."""
    flat, n = _elems(elems)
    results = [fn(_slice(elems, flat, i)) for i in range(n)]
    return _stack(results[0], results) if results else _stack(None, [], nest.map_structure(
        lambda t: TensorSpec(t.shape[1:], t.dtype), elems))


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
         swap_memory=False, infer_shape=True, reverse=False, name=None):
    """Returns the stacked running results ``a = fn(a, x)`` over ``elems`` (axis 0)."""
    flat, n = _elems(elems)
    order = list(range(n))[::-1] if reverse else list(range(n))
    if initializer is None:
        if not n:
            raise ValueError("If no initializer is provided, elems must contain at least "
                             "one element")
        a = _slice(elems, flat, order[0])
        outs = [a]
        order = order[1:]
    else:
        a, outs = initializer, []
    for i in order:
        a = fn(a, _slice(elems, flat, i))
        outs.append(a)
    if reverse:
        outs.reverse()
    return _stack(outs[0], outs) if outs else _stack(None, [], nest.map_structure(
        lambda t: TensorSpec([], convert_to_tensor(t).dtype), initializer))


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """Returns ``fn(...fn(fn(init, e0), e1)..., en)`` over ``elems`` (axis 0)."""
    return _fold(fn, elems, initializer, False)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """Returns ``fn(...fn(fn(init, en), en-1)..., e0)`` over ``elems`` (axis 0)."""
    return _fold(fn, elems, initializer, True)


def _fold(fn, elems, initializer, reverse):
    flat, n = _elems(elems)
    order = list(range(n))[::-1] if reverse else list(range(n))
    if initializer is None:
        if not n:
            raise ValueError("If no initializer is provided, elems must contain at least "
                             "one element")
        a, order = _slice(elems, flat, order[0]), order[1:]
    else:
        a = initializer
    for i in order:
        a = fn(a, _slice(elems, flat, i))
    return a


def _convert_out(result, Tout, numpy_arrays):
    if Tout is None:
        return None
    if isinstance(Tout, (list, tuple)):
        rs = list(result) if isinstance(result, (list, tuple)) else [result]
        return [_one(r, t, numpy_arrays) for r, t in zip(rs, Tout)]
    return _one(result, Tout, numpy_arrays)


def _one(r, dtype, numpy_arrays):
    dt = dtypes.as_dtype(dtype)
    if isinstance(r, Tensor):
        return r if r.dtype is dt else convert_to_tensor(r._value.astype(dt._np))
    if numpy_arrays and hasattr(r, "dtype"):
        return convert_to_tensor(r)
    return convert_to_tensor(r, dt)


def _py_call(func, inp, Tout):
    return _convert_out(func(*inp), Tout, False)


def _np_call(func, inp, Tout):
    return _convert_out(func(*[t.numpy() for t in inp]), Tout, True)


def py_function(func=None, inp=None, Tout=None, name=None):
    """Calls ``func`` on ``inp`` (Tensors) as an op; returns its result converted to
    ``Tout`` (gradients flow through the ops ``func`` runs)."""
    inp = [x if isinstance(x, Tensor) or getattr(x, "_is_variable", False) else
           convert_to_tensor(x) for x in (inp or [])]
    done, result = func_graph.record_call(_py_call, (func, inp, Tout), {}, True)
    return result if done else _py_call(func, inp, Tout)


def numpy_function(func=None, inp=None, Tout=None, stateful=True, name=None):
    """Calls ``func`` on ``inp`` as NumPy arrays; returns its result as Tensors (not
    differentiable)."""
    inp = [convert_to_tensor(x) for x in (inp or [])]
    done, result = func_graph.record_call(_np_call, (func, inp, Tout), {}, True)
    return result if done else _np_call(func, inp, Tout)
