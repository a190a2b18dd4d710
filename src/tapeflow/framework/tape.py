"""``tf.GradientTape``: records ops on watched tensors and runs reverse mode.

The backward pass walks the tape's records in reverse (append order is already
topological), calls each op's gradient rule, and sums gradients that meet with
the ``add`` op. It visits only records that a source can reach, tells rules
which inputs need no gradient (``op.skip_input_indices``), and drops each
gradient once used. The tape pauses itself while it does so and leaves outer
tapes recording: an outer tape then records the backward pass, which is all
that second-order gradients need.
"""
import enum

import numpy as _np

from tapeflow.framework import context as _context
from tapeflow.framework import nest
from tapeflow.framework import primitive as _prim
from tapeflow.framework.indexed_slices import IndexedSlices
from tapeflow.framework.tensor import Tensor, convert_to_tensor


class UnconnectedGradients(enum.Enum):
    """What ``gradient`` returns for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


class GradientTape:
    """Records operations for automatic differentiation.

    Args:
      persistent: allow several ``gradient`` calls on this tape.
      watch_accessed_variables: watch trainable variables read while recording.
    """

    _tracing = False   # a tf.function Tracer also sits on the tape stack; tapes are not one

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = persistent
        self._watch_accessed = watch_accessed_variables
        self._records = []
        self._watched = {}          # id(tensor) -> tensor, for tensors the tape tracks
        self._variables = {}        # id(variable) -> variable, in first-watch order
        self._var_reads = {}        # id(variable) -> [tensors read from it]
        self._recording = False
        self._used = False
        self._entered = False

    # -- context ----------------------------------------------------------
    def __enter__(self):
        if self._entered:
            raise ValueError("Tape is still recording, This can happen if you try to "
                             "re-enter an already-active tape.")
        self._entered = True
        self._recording = True
        _context.push_tape(self)
        return self

    def __exit__(self, *exc):
        self._recording = False
        self._entered = False
        _context.pop_tape(self)
        return False

    # -- watching -----------------------------------------------------------
    def watch(self, tensor):
        """Ensures ``tensor`` (a Tensor, Variable or a nest of them) is tracked.

        Tensors and variables that are not floating point are ignored (TensorFlow
        logs a warning and returns None gradients for them).

        Raises:
          ValueError: if an element is not a Tensor or Variable.
        """
        for t in nest.flatten(tensor):
            if getattr(t, "_is_variable", False):
                self._watch_variable(t)
            elif isinstance(t, Tensor):
                if t._value.dtype.kind in "fc":
                    self._watched[id(t)] = t
            else:
                raise ValueError(f"Passed in object {t!r} of type {type(t).__name__!r}, not "
                                 "tf.Tensor or tf.Variable or ExtensionType.")

    def _watch_variable(self, var):
        var = getattr(var, "_parent", var)  # an UnreadVariable stands for its variable
        t = var._tensor
        if t._value.dtype.kind not in "fc":
            return
        vid = id(var)
        reads = self._var_reads.get(vid)
        if reads is None:
            self._variables[vid] = var
            reads = self._var_reads[vid] = []
        if id(t) not in self._watched:
            self._watched[id(t)] = t
            reads.append(t)

    def watched_variables(self):
        """Returns the variables this tape watches, in the order first watched."""
        return tuple(self._variables.values())

    def stop_recording(self):
        """Returns a context manager in which ops are not recorded on this tape.

        Raises:
          RuntimeError: if the tape is not recording.
        """
        if not self._recording:
            raise RuntimeError("Trying to stop recording a tape which is not recording.")
        return _StopRecording(self)

    def reset(self):
        """Clears everything recorded so far; the tape keeps recording if active."""
        self._records = []
        self._watched = {}
        self._variables = {}
        self._var_reads = {}
        self._used = False

    # -- gradients ----------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """Computes the gradient of ``target`` with respect to ``sources``.

        Args:
          target: a Tensor or a nest of Tensors (non-scalar targets are summed).
          sources: a Tensor, Variable or a nest (list, tuple, dict) of them.
          output_gradients: gradients to start from, one per target.
          unconnected_gradients: ``'none'`` or ``'zero'`` for unconnected sources.

        Returns:
          Gradients in the structure of ``sources``: Tensors, ``IndexedSlices``
          (for ``tf.gather`` on a variable) or None where unconnected.

        Raises:
          RuntimeError: if a non-persistent tape is used a second time.
          ValueError: for an unknown ``unconnected_gradients`` or a non-tensor source.
        """
        self._check_unused()
        if unconnected_gradients is UnconnectedGradients.NONE:
            zero = False
        else:
            try:
                zero = UnconnectedGradients(unconnected_gradients) is UnconnectedGradients.ZERO
            except ValueError:
                raise ValueError(f"Unknown value for unconnected_gradients: "
                                 f"{unconnected_gradients!r}") from None
        ts = type(sources)
        if ts is list or ts is tuple:
            nested = True
            flat_sources = list(sources)
            for s in sources:
                if type(s) is Tensor or getattr(type(s), "_is_variable", False):
                    continue  # the usual leaves, checked without the Mapping ABC
                if nest.is_nested(s):
                    flat_sources = nest.flatten(sources)
                    break
        else:
            nested = nest.is_nested(sources)
            flat_sources = nest.flatten(sources) if nested else [sources]
        if type(target) is Tensor:
            flat_targets = [target]
        else:
            flat_targets = nest.flatten(target)
        if output_gradients is not None:
            flat_out_grads = nest.flatten(output_gradients) if nest.is_nested(
                output_gradients) else [output_gradients]
        else:
            flat_out_grads = [None] * len(flat_targets)
        # The ids of the tensors a gradient is wanted for (variables: every read).
        source_ids = set()
        var_reads = self._var_reads
        for s in flat_sources:
            if type(s) is Tensor or isinstance(s, Tensor):
                source_ids.add(id(s))
            elif getattr(s, "_is_variable", False):
                for t in var_reads.get(id(getattr(s, "_parent", s)), ()):
                    source_ids.add(id(t))
            else:
                raise ValueError(f"Argument `sources` contains an object of type "
                                 f"{type(s).__name__}, which is not a Tensor or Variable.")
        was_recording = self._recording
        self._recording = False
        try:
            grads = _backward(self._records, flat_targets, flat_out_grads, source_ids)
            result = []
            for s in flat_sources:
                if type(s) is Tensor or isinstance(s, Tensor):
                    g = grads.get(id(s))
                else:
                    g = None
                    for t in var_reads.get(id(getattr(s, "_parent", s)), ()):
                        g = _accumulate(g, grads.get(id(t)))
                if g is None and zero:
                    g = _zeros_for(s)
                result.append(g)
        finally:
            self._recording = was_recording
        if not self._persistent:  # release what the tape holds: it cannot be used again
            self._used = True
            self._records = []
            self._watched = {}
            self._var_reads = {}
        if not nested:
            return result[0]
        if len(result) == len(sources):  # a flat list or tuple: no repacking needed
            if type(sources) is list:
                return result
            if type(sources) is tuple:
                return tuple(result)
        return nest.pack_sequence_as(sources, result)

    def _check_unused(self):
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute "
                               "one set of gradients (or jacobians)")

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """Computes the Jacobian of ``target`` with respect to each source.

        One backward pass per element of ``target``, each seeded with a one-hot
        output gradient.

        Returns:
          A nest like ``sources`` of Tensors of shape ``target.shape + source.shape``
          (None for a source that ``target`` does not depend on, unless
          ``unconnected_gradients`` is ``'zero'``).
        """
        self._check_unused()
        array_ops = _prim.ENGINE
        target = convert_to_tensor(target)
        tv = target._value
        n = int(tv.size)
        nested = nest.is_nested(sources)
        flat_sources = nest.flatten(sources) if nested else [sources]
        rows = [[] for _ in flat_sources]
        persistent, self._persistent = self._persistent, True
        try:
            for i in range(n):
                seed = _np.zeros(n, tv.dtype)
                seed[i] = 1
                gs = self.gradient(target, flat_sources,
                                   output_gradients=[Tensor(seed.reshape(tv.shape))],
                                   unconnected_gradients=unconnected_gradients)
                for k, g in enumerate(gs):
                    rows[k].append(None if g is None else convert_to_tensor(g))
        finally:
            self._persistent = persistent
        if not persistent:
            self._used = True
            self._records = []
        out = []
        for s, r in zip(flat_sources, rows):
            shape = list(target.shape) + list(s.shape)
            if n and all(g is None for g in r):
                out.append(None)
            elif n == 0:
                out.append(array_ops.zeros(shape, s.dtype))
            else:
                r = [array_ops.zeros(s.shape, s.dtype) if g is None else g for g in r]
                out.append(array_ops.reshape(array_ops.stack(r), shape))
        return nest.pack_sequence_as(sources, out) if nested else out[0]

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Computes the per-example Jacobian of ``target`` with respect to ``source``.

        Row ``i`` of the target must depend only on row ``i`` of the source.

        Returns:
          A Tensor of shape ``target.shape + source.shape[1:]``, or None if
          ``target`` does not depend on ``source``.
        """
        self._check_unused()
        array_ops = _prim.ENGINE
        target = convert_to_tensor(target)
        tv = target._value
        batch = tv.shape[0]
        inner = int(tv[0].size) if batch else 0
        persistent, self._persistent = self._persistent, True
        cols = []
        try:
            for j in range(inner):
                seed = _np.zeros((batch, inner), tv.dtype)
                seed[:, j] = 1
                g = self.gradient(target, source,
                                  output_gradients=[Tensor(seed.reshape(tv.shape))],
                                  unconnected_gradients=unconnected_gradients)
                if g is None:
                    cols = None
                    break
                cols.append(convert_to_tensor(g))
        finally:
            self._persistent = persistent
        if not persistent:
            self._used = True
            self._records = []
        if cols is None:
            return None
        shape = list(target.shape) + list(source.shape[1:])
        if not cols:
            return array_ops.zeros(shape, source.dtype)
        return array_ops.reshape(array_ops.stack(cols, axis=1), shape)


class _StopRecording:
    def __init__(self, tape):
        self._tape = tape

    def __enter__(self):
        self._was = self._tape._recording
        self._tape._recording = False

    def __exit__(self, *exc):
        self._tape._recording = self._was
        return False


def _zeros_for(s):
    array_ops = _prim.ENGINE
    if getattr(s, "_is_variable", False):
        return array_ops.zeros(s.shape, s.dtype)
    return array_ops.zeros_like(s)


_add = None  # math_ops.add, bound on first use (math_ops imports this package)


def _accumulate(a, b):
    """Sums two gradients, either of which may be None or IndexedSlices."""
    global _add
    if a is None:
        return b
    if b is None:
        return a
    if type(a) is not Tensor or type(b) is not Tensor:
        if isinstance(a, IndexedSlices):
            if isinstance(b, IndexedSlices):
                return a._concat(b)
            a = a.dense()
        if isinstance(b, IndexedSlices):
            b = b.dense()
    if _add is None:
        _add = _prim.ENGINE.add
    return _add(a, b)


def _backward(records, targets, out_grads, source_ids):
    """Runs the reverse pass over ``records``.

    Only records on a path from a source (``source_ids``) are visited, and a
    gradient is dropped as soon as the record that produced its tensor has used
    it; the sources' gradients are kept.

    Returns:
      ``{id(tensor): gradient}`` holding (at least) the sources' gradients.
    """
    # Forward sweep: the records (and tensors) that a source can reach.
    reach = set(source_ids)
    useful = []
    for rec in records:
        for x in rec.inputs:
            if id(x) in reach:
                useful.append(rec)
                for o in rec.outputs:
                    reach.add(id(o))
                break
    grads = {}
    for t, g in zip(targets, out_grads):
        if getattr(t, "_is_variable", False):
            t = t._tensor
        elif type(t) is not Tensor:
            t = convert_to_tensor(t)
        if id(t) not in reach:
            continue
        if g is None:
            if t._value.dtype.kind not in "fc":
                continue  # integer targets have no gradient
            v = t._value
            g = Tensor(v.dtype.type(1) if v.ndim == 0 else _np.ones(v.shape, v.dtype))
        else:
            g = convert_to_tensor(g, dtype=t.dtype)
        grads[id(t)] = _accumulate(grads.get(id(t)), g)
    if not grads:
        return grads
    keep = source_ids
    # Inside a tf.function trace with no tape recording the backward pass, a rule with a
    # NumPy path (fused RNN/loss ops) becomes one graph node running that path on replay.
    numpy_grad = None
    if _context.state.tapes and _context.state.tapes[0]._tracing:
        from tapeflow.framework.graph.calls import numpy_grad_node
        numpy_grad = numpy_grad_node()
    for rec in reversed(useful):
        outs = rec.outputs
        if len(outs) == 1:
            oid = id(outs[0])
            dy = grads.get(oid) if oid in keep else grads.pop(oid, None)
            if dy is None:
                continue
            if type(dy) is not Tensor:
                dy = convert_to_tensor(dy)  # IndexedSlices: densify
            ins = rec.inputs
            if len(ins) == 2:
                a = id(ins[0]) in reach
                b = id(ins[1]) in reach
                rec.skip_input_indices = () if a and b else ((1,) if a else (0,))
            elif len(ins) > 2:
                rec.skip_input_indices = tuple(
                    i for i, x in enumerate(ins) if id(x) not in reach)
            in_grads = rec.op.grad_fn(rec, dy) if numpy_grad is None else \
                numpy_grad(rec, (dy,))
            if rec.op.broadcasts:   # undo broadcasting here, for every elementwise rule
                g0, g1 = in_grads
                s0, s1 = ins[0]._value.shape, ins[1]._value.shape
                if g0 is not None and g0._value.shape != s0:
                    g0 = _prim.ENGINE.unbroadcast(g0, s0)
                if g1 is not None and g1._value.shape != s1:
                    g1 = _prim.ENGINE.unbroadcast(g1, s1)
                in_grads = (g0, g1)
        else:
            dys = [grads.get(id(o)) if id(o) in keep else grads.pop(id(o), None)
                   for o in outs]
            if all(d is None for d in dys):
                continue
            dys = [_zeros_like(o) if d is None else
                   (d if type(d) is Tensor else convert_to_tensor(d))
                   for d, o in zip(dys, outs)]
            ins = rec.inputs
            rec.skip_input_indices = tuple(
                i for i, x in enumerate(ins) if id(x) not in reach)
            in_grads = rec.op.grad_fn(rec, *dys) if numpy_grad is None else \
                numpy_grad(rec, dys)
        if len(ins) == 1:
            if type(in_grads) is list or type(in_grads) is tuple:
                in_grads = in_grads[0]
            g = in_grads
            if g is not None:
                xid = id(ins[0])
                if xid in reach:
                    prev = grads.get(xid)
                    grads[xid] = g if prev is None else _accumulate(prev, g)
            continue
        for x, g in zip(ins, in_grads):
            if g is None:
                continue
            xid = id(x)
            if xid in reach:
                prev = grads.get(xid)
                grads[xid] = g if prev is None else _accumulate(prev, g)
    return grads


def _zeros_like(t):
    return Tensor(_np.zeros_like(t._value))
