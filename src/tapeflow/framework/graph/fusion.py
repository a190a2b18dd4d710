"""Elementwise chains replayed into one buffer: ``out=`` kernels for a compiled graph.

At compile time ``plan_inplace`` finds op nodes whose kernel is a NumPy ufunc (the table
below, matched by the kernel object itself, so an op whose kernel changes simply stops
fusing) and whose input is the result of another such node that nothing else reads: the
consumer then writes its result into that input's array (``out=``) instead of allocating.
A chain ``a = x @ w; b = a + c; d = b - y; e = d * d`` thus allocates once.

Safe by construction: the buffer written into was allocated by a ufunc during this
replay (never an argument, a constant, a variable's array or a view), has one reader
(the node writing into it), is not an output, and has the result's traced shape and
dtype (at least one dimension, so it is an array, not a NumPy scalar). ``casting="no"``
and a fallback to the plain kernel at run time cover a replay whose shapes or dtypes
differ from the traced ones (a shape-polymorphic graph): results stay bit-identical to
the allocating kernels.
"""
import operator

import numpy as np

# kernel object -> the ufunc computing the same values with ``out=``
UFUNCS = {operator.add: np.add, operator.sub: np.subtract, operator.mul: np.multiply}
for _u in (np.negative, np.square, np.maximum, np.minimum, np.absolute):
    UFUNCS[_u] = _u
del _u


def ufunc_of(node, errstates):
    """Returns the ufunc behind ``node`` when it may run with ``out=``, else None."""
    kind, payload, ins, outs = node
    if kind != "op" or len(outs) != 1 or id(node) in errstates:
        return None
    op, attrs = payload
    if attrs or op.num_outputs != 1:
        return None
    try:
        return UFUNCS.get(op.forward)
    except TypeError:          # an unhashable kernel
        return None


def plan_inplace(graph, nodes):
    """Returns ``{node index: input slot to write the result into}`` for ``nodes``."""
    errstates = getattr(graph, "errstates", {})
    info = graph.info
    keep = {s for s in graph.outputs if type(s) is int} | set(graph.consts) | set(graph.inputs)
    readers = {}
    for i, (_, _, ins, _) in enumerate(nodes):
        for s in set(ins):
            readers.setdefault(s, []).append(i)
    fresh = set()              # slots holding an array a ufunc node allocated (or wrote into)
    plan = {}
    for i, node in enumerate(nodes):
        if ufunc_of(node, errstates) is None:
            continue
        out = node[3][0]
        _, dtype, shape = info[out]
        for s in node[2]:
            if (s in fresh and s not in keep and readers.get(s) == [i]
                    and info[s][1] == dtype and info[s][2] == shape and len(shape) >= 1):
                plan[i] = s
                break
        if len(shape) >= 1:
            fresh.add(out)
    return plan
