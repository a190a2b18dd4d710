"""Rearranging ops: tile, pad, reverse, roll, repeat, meshgrid, reverse_sequence.

Each is declared with ``defop``: a NumPy kernel, a gradient written in tapeflow ops (so
second-order gradients work), TensorFlow's dtypes and an argument normaliser.
"""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework.errors import InvalidArgumentError, UnimplementedError
from tapeflow.framework.op_args import index_arg
from tapeflow.framework.op_def import ANY, defop, exported, index_array
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.graph import func_graph as _func_graph
from tapeflow.ops.array_ops import broadcast_to, reshape, transpose
from tapeflow.ops.creation_ops import _t
from tapeflow.ops.math_ops import reduce_sum


def _ints(v):
    if isinstance(v, (int, np.integer)):
        return [int(v)]
    if isinstance(v, Tensor) or hasattr(type(v), "__tf_tensor__"):
        return [int(i) for i in np.ravel(_func_graph.value_of(convert_to_tensor(v)))]
    return [int(i) for i in np.ravel(np.asarray(v))]


def _vector(v, op_name, attr, what, float_ok=False):
    """An index vector argument (scalar or 1-D) as a list of ints, TensorFlow's checks."""
    if type(v) is int:
        return [v]
    if type(v) is list or type(v) is tuple:
        for i in v:
            if type(i) is not int:
                break
        else:
            return list(v)
    arr = index_arg(v, op_name, attr, float_ok=float_ok)
    if arr.ndim > 1:
        raise InvalidArgumentError(None, op_name, f"{what} [{','.join(map(str, arr.shape))}] "
                                   f"[Op:{op_name}]")
    return [int(i) for i in arr.reshape(-1)]


def _rank_of(v):
    return v.shape.rank if isinstance(v, Tensor) else np.ndim(v)


def _tile_support(x, op_name):
    if x._value.dtype == np.uint16 and x._value.size and x._value.ndim:
        # TensorFlow's Tile has no uint16 kernel (an empty or 0-d input never runs it)
        raise UnimplementedError(None, op_name, f"TileOp : The input data type is not "
                                 f"supported, DataType : uint16, Dimension : "
                                 f"{x._value.ndim} [Op:{op_name}]")


# -- tile -------------------------------------------------------------------------------

def _tile_np(x, multiples):
    return np.tile(x, multiples)


def _tile_grad(op, dy):
    """Sums dy over the copies: reshape to (m0, n0, m1, n1, ...) and reduce the m axes."""
    shp = op.inputs[0]._value.shape
    mult = op.attrs["multiples"]
    split = []
    for m, n in zip(mult, shp):
        split += [m, n]
    g = reduce_sum(reshape(dy, tuple(split)), axis=tuple(range(0, 2 * len(shp), 2)))
    return reshape(g, shp)


def _tile_args(input, multiples, name=None):  # noqa: A002
    """Returns ``input`` repeated ``multiples[i]`` times along each dimension ``i``.

    Raises:
      InvalidArgumentError: if ``multiples`` does not have one entry per dimension.
    """
    if type(input) is not Tensor and hasattr(type(input), "__tf_dispatch__"):  # RaggedTensor
        return input.__tf_dispatch__(tile, (input, multiples), {})
    x = _t(input)
    m = _vector(multiples, "Tile", "Tmultiples", "Expected multiples to be 1-D, but got shape")
    if len(m) != x._value.ndim:
        raise InvalidArgumentError(
            None, "Tile", f"Expected multiples argument to be a vector of length "
            f"{x._value.ndim} but got length {len(m)} [Op:Tile]")
    for i, k in enumerate(m):
        if k < 0:
            raise InvalidArgumentError(None, "Tile", f"Expected multiples[{i}] >= 0, but got "
                                       f"{k} [Op:Tile]")
    _tile_support(x, "Tile")
    return (x,), {"multiples": tuple(m)}


tile = defop("Tile", _tile_np, _tile_grad, dtypes=ANY, args=_tile_args, export="tile")


# -- pad --------------------------------------------------------------------------------

def _source_index(n, before, after, mode):
    """For each padded position along one axis, the input position it copies (-1: constant)."""
    if mode == "constant":
        return np.concatenate([np.full(before, -1), np.arange(n), np.full(after, -1)])
    return np.pad(np.arange(n), (before, after), mode=mode)


def _pad_np(x, paddings, mode, constant_values=0):
    if mode == "constant":
        return np.pad(x, paddings, mode="constant", constant_values=constant_values)
    return np.pad(x, paddings, mode=mode)


def _pad_grad(op, dy):
    """The adjoint of padding: sums dy into the input position each padded entry copies."""
    x = op.inputs[0]
    return _pad_adjoint_kernel(dy, shape=x._value.shape, paddings=op.attrs["paddings"],
                               mode=op.attrs["mode"])


def _pad_adjoint_np(dy, shape, paddings, mode):
    if mode == "constant":
        return dy[tuple(slice(b, b + n) for (b, _), n in zip(paddings, shape))]
    g = dy
    for axis, ((b, a), n) in enumerate(zip(paddings, shape)):
        src = _source_index(n, b, a, mode)
        moved = np.moveaxis(g, axis, 0)
        out = np.zeros((n,) + moved.shape[1:], dtype=dy.dtype)
        np.add.at(out, src, moved)
        g = np.moveaxis(out, 0, axis)
    return g


def _pad_adjoint_grad(op, ddx):
    """The adjoint of the adjoint is the padding itself (with zero constant values)."""
    return _pad_kernel(ddx, paddings=op.attrs["paddings"], mode=op.attrs["mode"])


def _pad_args(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """Returns ``tensor`` padded by ``paddings[i] = [before, after]`` along each dimension.

    ``mode`` is "CONSTANT" (fill with ``constant_values``), "REFLECT" (mirror
    without the edge) or "SYMMETRIC" (mirror with the edge), in any case.

    Raises:
      InvalidArgumentError: if ``paddings`` is not ``[rank, 2]`` or too large for the mode.
      ValueError: for an unknown mode.
    """
    x = _t(tensor)
    shp = x._value.shape
    p = index_array(paddings, "Pad", "Tpaddings")
    if p.shape != (len(shp), 2) and not (p.size == 0 and not shp):
        raise InvalidArgumentError(
            None, "Pad", f"The first dimension of paddings must be the rank of inputs"
            f"[{','.join(map(str, p.shape))}] [{','.join(map(str, shp))}] [Op:Pad]")
    pads = tuple((int(b), int(a)) for b, a in p.reshape(-1, 2).tolist())
    for b, a in pads:
        if b < 0 or a < 0:
            raise InvalidArgumentError(None, "Pad", f"Paddings must be non-negative: {b} {a} "
                                       f"[Op:Pad]")
    m = str(mode).upper()
    if m == "CONSTANT":
        if type(constant_values) is int and constant_values == 0 and \
                x._value.dtype.kind in "bOSU":
            constant_values = np.zeros((), x._value.dtype)[()]   # False, or the empty string
            if x._value.dtype.kind == "O":
                constant_values = b""
        cv = convert_to_tensor(constant_values, x.dtype)._value
        if cv.ndim:
            raise InvalidArgumentError(None, "PadV2", "constant_values must be a scalar")
        return (x,), {"paddings": pads, "mode": "constant", "constant_values": cv}
    if m not in ("REFLECT", "SYMMETRIC"):
        raise ValueError(f'Value of argument `mode` expected to be one of "CONSTANT", '
                         f'"REFLECT", or "SYMMETRIC". Received `mode` = {mode}')
    limit = 0 if m == "REFLECT" else 1
    for i, ((b, a), n) in enumerate(zip(pads, shp)):
        if b > n - 1 + limit or a > n - 1 + limit:
            rule = "less than" if limit == 0 else "no greater than"
            raise InvalidArgumentError(
                None, "MirrorPad", f"paddings must be {rule} the dimension size: {b}, {a} "
                f"not {rule} {n} [Op:MirrorPad]")
    return (x,), {"paddings": pads, "mode": m.lower()}


pad = defop("PadV2", _pad_np, _pad_grad, dtypes=ANY, args=_pad_args, export="pad")
_pad_kernel = pad.op_def.op
_pad_adjoint_kernel = defop("MirrorPadGrad", _pad_adjoint_np, _pad_adjoint_grad,
                            dtypes=ANY).op_def.op


# -- reverse, roll --------------------------------------------------------------------------

def _reverse_np(x, axis):
    return np.flip(x, axis=axis) if x.ndim else x


def _reverse_grad(op, dy):
    """Reverses dy along the same axes."""
    return _reverse_kernel(dy, axis=op.attrs["axis"])


def _reverse_args(tensor, axis, name=None):
    """Returns ``tensor`` with the dimensions in ``axis`` reversed.

    Raises:
      InvalidArgumentError: for an axis out of range or repeated, or not a vector.
    """
    x = _t(tensor)
    nd = x._value.ndim
    arr = index_arg(axis, "ReverseV2", "Tidx")
    if arr.ndim != 1:
        raise InvalidArgumentError(None, "ReverseV2", f"'dims' must be 1-dimension, not "
                                   f"{arr.ndim} [Op:ReverseV2]")
    if not nd:
        return (x,), {"axis": ()}     # TensorFlow returns a 0-d input whatever the axis
    out = []
    for i, a in enumerate(int(a) for a in arr):
        if not -nd <= a < nd:
            raise InvalidArgumentError(None, "ReverseV2", f"'axis'[{i}] = {a} is out of valid "
                                       f"range [0, {nd - 1} [Op:ReverseV2]")
        if a % nd in out:
            raise InvalidArgumentError(None, "ReverseV2", f"axis {a % nd} specified more than "
                                       f"once. [Op:ReverseV2]")
        out.append(a % nd)
    return (x,), {"axis": tuple(out)}


reverse = defop("ReverseV2", _reverse_np, _reverse_grad, dtypes=ANY, args=_reverse_args,
                export="reverse")
_reverse_kernel = reverse.op_def.op


def _roll_np(x, shift, axis):
    return np.roll(x, shift, axis=axis)


def _roll_grad(op, dy):
    """Rolls dy back by the opposite shift."""
    return _roll_kernel(dy, shift=tuple(-s for s in op.attrs["shift"]), axis=op.attrs["axis"])


def _roll_args(input, shift, axis, name=None):  # noqa: A002
    """Returns ``input`` with elements shifted by ``shift`` along ``axis`` (wrapping around).

    Raises:
      InvalidArgumentError: if ``shift`` and ``axis`` differ in length, or an axis is out
        of range.
    """
    x = _t(input)
    s = _vector(shift, "Roll", "Tshift", "shift must be a scalar or a 1-D vector. Found:",
                float_ok=True)
    a = _vector(axis, "Roll", "Taxis", "axis must be a scalar or a 1-D vector. Found:",
                float_ok=True)
    nd = x._value.ndim
    if not nd:
        raise InvalidArgumentError(None, "Roll", "input must be 1-D or higher [Op:Roll]")
    if len(s) != len(a) or _rank_of(shift) != _rank_of(axis):
        raise InvalidArgumentError(None, "Roll", "shift and axis must have the same size "
                                   "[Op:Roll]")
    for i in a:
        if not -nd <= i < nd:
            raise InvalidArgumentError(None, "Roll", f"axis {i} is out of range [Op:Roll]")
    return (x,), {"shift": tuple(s), "axis": tuple(i % nd for i in a)}


roll = defop("Roll", _roll_np, _roll_grad, dtypes=ANY, args=_roll_args, export="roll")
_roll_kernel = roll.op_def.op


# -- repeat -----------------------------------------------------------------------------------

def _segment_sum_axis(dy, ids, n, axis):
    """Sums the slices of dy along ``axis`` into ``n`` groups given by ``ids``."""
    from tapeflow.ops.indexing_ops import unsorted_segment_sum
    nd = dy._value.ndim
    perm = (axis,) + tuple(i for i in range(nd) if i != axis)
    moved = transpose(dy, perm) if axis else dy
    g = unsorted_segment_sum(moved, Tensor(ids), n)
    return transpose(g, tuple(np.argsort(perm))) if axis else g


def _repeat_np(x, repeats, axis):
    return np.repeat(x, repeats, axis=axis)


def _repeat_grad(op, dy):
    """Sums dy over each element's copies."""
    x = op.inputs[0]
    n = x._value.shape[op.attrs["axis"]]
    ids = np.repeat(np.arange(n), op.attrs["repeats"])
    return _segment_sum_axis(dy, ids, n, op.attrs["axis"])


def _repeat_args(input, repeats, axis=None, name=None):  # noqa: A002
    """Returns ``input`` with each element repeated ``repeats`` times along ``axis``.

    With ``axis=None`` the input is flattened first (as is a 0-d input). ``repeats`` is
    an int or one count per element along the axis.

    Raises:
      InvalidArgumentError: if ``repeats`` does not match the axis length.
    """
    x = _t(input)
    nd = x._value.ndim
    if axis is not None:
        axis = int(axis)
        if not -max(nd, 1) <= axis < max(nd, 1):
            raise ValueError(f"axis={axis} out of bounds: expected {-max(nd, 1)}<=axis<"
                             f"{max(nd, 1)}")
    if axis is None or not nd:
        x = reshape(x, (-1,))
        axis = 0
    axis %= x._value.ndim
    r = _ints(repeats)
    n = x._value.shape[axis]
    if len(r) == 1:
        r = r * n
    if len(r) != n:
        raise ValueError(f"Dimensions {n} and {len(r)} are not compatible")
    for k in r:
        if k < 0:
            raise InvalidArgumentError(None, "Tile", f"Expected multiples[{axis + 1}] >= 0, "
                                       f"but got {k} [Op:Tile]")
    _tile_support(x, "Tile")
    return (x,), {"repeats": np.asarray(r, dtype=np.int64), "axis": axis}


repeat = defop("Repeat", _repeat_np, _repeat_grad, dtypes=ANY, args=_repeat_args,
               export="repeat")


# -- meshgrid, reverse_sequence ----------------------------------------------------------

def meshgrid(*args, **kwargs):
    """Returns coordinate grids from 1-D coordinate tensors (``indexing="xy"`` or ``"ij"``).

    Returns:
      A list of Tensors, all of shape ``(len(y), len(x), ...)`` for "xy" and
      ``(len(x), len(y), ...)`` for "ij".
    """
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"Invalid keywords: {list(kwargs)}")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Argument `indexing` parameter must be either 'xy' or 'ij', got "
                         f"'{indexing}'")
    ts = [reshape(_t(a), (-1,)) for a in args]
    sizes = [t._value.shape[0] for t in ts]
    pos = list(range(len(ts)))
    if indexing == "xy" and len(ts) > 1:
        pos[0], pos[1] = 1, 0
    out_shape = [0] * len(ts)
    for i, p in enumerate(pos):
        out_shape[p] = sizes[i]
    out = []
    for i, t in enumerate(ts):
        shp = [1] * len(ts)
        shp[pos[i]] = sizes[i]
        out.append(broadcast_to(reshape(t, tuple(shp)), out_shape))
    return out


def _reverse_sequence_index(shape, lengths, seq_axis, batch_axis):
    """Per-element source index along ``seq_axis`` (a permutation, its own inverse)."""
    n = shape[seq_axis]
    j = np.arange(n)
    lens = lengths.reshape(-1, 1)
    src = np.where(j < lens, lens - 1 - j, j)  # [batch, n]
    bshape = [1] * len(shape)
    bshape[batch_axis] = shape[batch_axis]
    bshape[seq_axis] = n
    if batch_axis > seq_axis:
        src = src.T
    return np.broadcast_to(src.reshape(bshape), shape)


def _reverse_sequence_np(x, seq_lengths, seq_axis, batch_axis):
    idx = _reverse_sequence_index(x.shape, seq_lengths, seq_axis, batch_axis)
    return np.take_along_axis(x, idx, axis=seq_axis)


def _reverse_sequence_grad(op, dy):
    """The reversal is its own inverse permutation: reverse dy the same way."""
    return _reverse_sequence_kernel(dy, op.inputs[1], **op.attrs), None


def _reverse_sequence_args(input, seq_lengths, seq_axis=None,  # noqa: A002
                           batch_axis=None, name=None):
    """Reverses the first ``seq_lengths[b]`` entries along ``seq_axis`` of each batch row ``b``.

    Raises:
      InvalidArgumentError: if a length exceeds the sequence dimension.
    """
    x = _t(input)
    nd = x._value.ndim
    seq_axis = int(seq_axis) % nd
    batch_axis = 0 if batch_axis is None else int(batch_axis) % nd
    lens = _t(seq_lengths)
    lv = np.asarray(_func_graph.value_of(lens))
    if lv.shape != (x._value.shape[batch_axis],) or lv.size and (
            lv.max() > x._value.shape[seq_axis] or lv.min() < 0):
        raise InvalidArgumentError(
            None, "ReverseSequence", f"seq_lengths {lv.tolist()} must be a vector of length "
            f"{x._value.shape[batch_axis]} with values in [0, {x._value.shape[seq_axis]}] "
            f"(input shape {list(x._value.shape)}) [Op:ReverseSequence]")
    return (x, lens), {"seq_axis": seq_axis, "batch_axis": batch_axis}


reverse_sequence = defop("ReverseSequence", _reverse_sequence_np, _reverse_sequence_grad,
                         dtypes=ANY, args=_reverse_sequence_args, export="reverse_sequence")
_reverse_sequence_kernel = reverse_sequence.op_def.op


__all__ = exported(globals()) + ["meshgrid"]


# Shape-like arguments computed from traced values: a graph node that runs again each call.
tile = _func_graph.opaque(tile, argnums=(1,), names=("multiples",))
pad = _func_graph.opaque(pad, argnums=(1,), names=("paddings",))
repeat = _func_graph.opaque(repeat, argnums=(1,), names=("repeats",))
