"""``tf.GradientTape``: records ops on watched tensors and runs reverse mode.

The backward pass walks the tape's records in reverse (append order is already
topological), calls each op's gradient rule, and sums gradients that meet with
the ``add`` op. The tape pauses itself while it does so and leaves outer tapes
recording: an outer tape then records the backward pass, which is all that
second-order gradients need.
"""
import enum

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
        _prim._tapes.append(self)
        return self

    def __exit__(self, *exc):
        self._recording = False
        self._entered = False
        if self in _prim._tapes:
            _prim._tapes.remove(self)
        return False

    # -- watching -----------------------------------------------------------
    def watch(self, tensor):
        """Ensures ``tensor`` (a Tensor, Variable or a nest of them) is tracked.

        Raises:
          ValueError: if an element is not a floating-point tensor or variable.
        """
        for t in nest.flatten(tensor):
            if getattr(t, "_is_variable", False):
                self._watch_variable(t)
            elif isinstance(t, Tensor):
                self._watched[id(t)] = t
            else:
                raise ValueError(f"Passed in object {t!r} of type {type(t).__name__!r}, not "
                                 "tf.Tensor or tf.Variable or ExtensionType.")

    def _watch_variable(self, var):
        vid = id(var)
        if vid not in self._variables:
            self._variables[vid] = var
            self._var_reads[vid] = []
        reads = self._var_reads[vid]
        t = var._tensor
        if id(t) not in self._watched:
            self._watched[id(t)] = t
            reads.append(t)

    def watched_variables(self):
        """Returns the variables this tape watches, in the order first watched."""
        return tuple(self._variables.values())

    def stop_recording(self):
        """Returns a context manager in which ops are not recorded on this tape."""
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
          Gradients in the structure of ``sources`` (None where unconnected).

        Raises:
          RuntimeError: if a non-persistent tape is used a second time.
        """
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute "
                               "one set of gradients (or jacobians)")
        if self._recording and not self._persistent:
            pass  # TensorFlow warns here; computing inside the context is allowed.
        flat_sources = nest.flatten(sources)
        flat_targets = nest.flatten(target)
        if output_gradients is not None:
            flat_out_grads = nest.flatten(output_gradients)
        else:
            flat_out_grads = [None] * len(flat_targets)
        unconnected = UnconnectedGradients(unconnected_gradients)
        was_recording = self._recording
        self._recording = False
        try:
            grads = _backward(self, flat_targets, flat_out_grads)
            result = []
            for s in flat_sources:
                g = self._source_gradient(s, grads)
                if g is None and unconnected is UnconnectedGradients.ZERO:
                    g = _zeros_for(s)
                result.append(g)
        finally:
            self._recording = was_recording
        if not self._persistent:
            self._used = True
            self._records = []
        return nest.pack_sequence_as(sources, result)

    def _source_gradient(self, s, grads):
        if getattr(s, "_is_variable", False):
            total = None
            for t in self._var_reads.get(id(s), ()):
                total = _accumulate(total, grads.get(id(t)))
            return total
        if isinstance(s, Tensor):
            return grads.get(id(s))
        raise ValueError(f"Argument `sources` contains an object of type "
                         f"{type(s).__name__}, which is not a Tensor or Variable.")

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """Returns the Jacobian of ``target`` wrt each source, shape ``target.shape + source.shape``."""
        from tapeflow.ops import array_ops
        target = convert_to_tensor(target)
        n = int(target._value.size)
        flat_sources = nest.flatten(sources)
        rows = [[] for _ in flat_sources]
        flat_target = array_ops.reshape(target, [-1])
        persistent, self._persistent = self._persistent, True
        try:
            for i in range(n):
                seed = array_ops.one_hot(i, n, dtype=target.dtype)
                gs = self.gradient(flat_target, flat_sources, output_gradients=[seed],
                                   unconnected_gradients=unconnected_gradients)
                for k, g in enumerate(gs):
                    rows[k].append(None if g is None else convert_to_tensor(g))
        finally:
            self._persistent = persistent
        if not persistent:
            self._used = True
        out = []
        for s, r in zip(flat_sources, rows):
            s_shape = list(s.shape)
            if n == 0 or any(g is None for g in r):
                if all(g is None for g in r) and n:
                    out.append(None)
                    continue
                r = [g if g is not None else array_ops.zeros(s_shape, s.dtype) for g in r]
            if n == 0:
                out.append(array_ops.zeros(list(target.shape) + s_shape, s.dtype))
                continue
            out.append(array_ops.reshape(array_ops.stack(r), list(target.shape) + s_shape))
        return nest.pack_sequence_as(sources, out)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Returns the per-example Jacobian: shape ``target.shape + source.shape[1:]``.

        Row ``i`` of the target must depend only on row ``i`` of the source.
        """
        from tapeflow.ops import array_ops, math_ops
        target = convert_to_tensor(target)
        batch = target.shape[0]
        inner = int(target._value[0].size) if batch else 0
        flat_target = array_ops.reshape(target, [batch, -1])
        persistent, self._persistent = self._persistent, True
        cols = []
        try:
            for j in range(inner):
                seed = array_ops.one_hot(array_ops.fill([batch], j), inner, dtype=target.dtype)
                g = self.gradient(flat_target, source, output_gradients=[seed],
                                  unconnected_gradients=unconnected_gradients)
                if g is None:
                    cols = None
                    break
                cols.append(g)
        finally:
            self._persistent = persistent
        if not persistent:
            self._used = True
        if cols is None:
            return None
        src_inner = list(source.shape[1:])
        if not cols:
            return array_ops.zeros(list(target.shape) + src_inner, source.dtype)
        stacked = array_ops.stack(cols, axis=1)
        del math_ops
        return array_ops.reshape(stacked, list(target.shape) + src_inner)


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
    from tapeflow.ops import array_ops
    if getattr(s, "_is_variable", False):
        return array_ops.zeros(s.shape, s.dtype)
    return array_ops.zeros_like(s)


def _accumulate(a, b):
    """Sums two gradients, either of which may be None or IndexedSlices."""
    if a is None:
        return b
    if b is None:
        return a
    from tapeflow.ops import math_ops
    if isinstance(a, IndexedSlices):
        if isinstance(b, IndexedSlices):
            return a._concat(b)
        a = a.dense()
    if isinstance(b, IndexedSlices):
        b = b.dense()
    return math_ops.add(a, b)


def _backward(tape, targets, out_grads):
    """Runs the reverse pass; returns ``{id(tensor): gradient}`` for reached tensors."""
    from tapeflow.ops import array_ops
    grads = {}
    for t, g in zip(targets, out_grads):
        if getattr(t, "_is_variable", False):
            t = t._tensor
        if not isinstance(t, Tensor):
            t = convert_to_tensor(t)
        if g is None:
            g = array_ops.ones_like(t)
        else:
            g = convert_to_tensor(g, dtype=t.dtype)
        grads[id(t)] = _accumulate(grads.get(id(t)), g)
    for rec in reversed(tape._records):
        dys = [grads.get(id(o)) for o in rec.outputs]
        if all(d is None for d in dys):
            continue
        if len(dys) > 1 and any(d is None for d in dys):
            dys = [d if d is not None else array_ops.zeros_like(o)
                   for d, o in zip(dys, rec.outputs)]
        dys = [d.dense() if isinstance(d, IndexedSlices) else d for d in dys]
        in_grads = rec.op.grad_fn(rec, *dys)
        if rec.op.num_outputs == 1 and len(rec.inputs) == 1 and not isinstance(in_grads,
                                                                                 (list, tuple)):
            in_grads = (in_grads,)
        for x, g in zip(rec.inputs, in_grads):
            if g is None or id(x) not in tape._watched:
                continue
            grads[id(x)] = _accumulate(grads.get(id(x)), g)
    return grads
