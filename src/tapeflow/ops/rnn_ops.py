"""Fused recurrent kernels: a whole LSTM, GRU or SimpleRNN time loop as one op (the
cuDNN-style plan).

``lstm_sequence`` takes the input projections of all steps (one GEMM done before,
time-major ``(time, batch, 4 * units)``, bias included), the initial states and the
recurrent kernel, and runs the loop in NumPy with one recurrent GEMM per step and
the gate activations written in place into one preallocated ``(time, batch, 4 * units)``
buffer. The backward through time is one NumPy loop over preallocated buffers, with
the recurrent-kernel gradient as one GEMM over all steps at the end.

Higher order: when a tape records the backward pass (a gradient of a gradient), the
gradient rule differentiates the same maths written with tapeflow ops (the unfused
loop), so second and higher orders work as for the unfused cell.
"""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import primitive as prim
from tapeflow.framework.op_def import ANY, defop
from tapeflow.framework.tensor import Tensor
from tapeflow.ops import array_ops, math_ops as m


def _check(p, h0, c0, r):
    t, b, n = p.shape
    u = r.shape[0]
    if r.shape != (u, 4 * u) or n != 4 * u or h0.shape != (b, u) or c0.shape != (b, u):
        raise ValueError(f"LSTM shapes do not agree: projections {list(p.shape)}, h0 "
                         f"{list(h0.shape)}, c0 {list(c0.shape)}, recurrent kernel "
                         f"{list(r.shape)}")
    if not p.dtype == h0.dtype == c0.dtype == r.dtype:
        raise ValueError(f"LSTM dtypes differ: {p.dtype}, {h0.dtype}, {c0.dtype}, {r.dtype}")
    return t, b, u


def _lstm_kernel_np(p, h0, c0, r, mask, zero_output, reverse):
    """Outputs ``(y, h_T, c_T)`` plus the residuals the backward reads
    ``(h_prev, c_prev, gates, tanh_c)``; ``mask`` is None or a bool ``(time, batch, 1)``
    in processing order; ``reverse`` processes ``p`` from its last step."""
    steps, b, u = _check(p, h0, c0, r)
    dt = p.dtype
    y = np.empty((steps, b, u), dtype=dt)
    hp = np.empty((steps, b, u), dtype=dt)      # h fed into each step
    cp = np.empty((steps, b, u), dtype=dt)      # c fed into each step
    gates = np.empty((steps, b, 4 * u), dtype=dt)
    tc = np.empty((steps, b, u), dtype=dt)      # tanh(c_new) of each step
    # sigmoid(x) = 0.5 (tanh(x / 2) + 1), the Sigmoid kernel's formula: with the i, f, o
    # columns of p and r halved (exact, a power of two) one tanh covers all four gates,
    # then (t + shift) * scale turns the i, f, o columns into sigmoids.
    half, one = dt.type(0.5), dt.type(1)
    scale = np.full((4, u), half, dtype=dt)
    scale[2] = one
    shift = np.full((4, u), one, dtype=dt)
    shift[2] = 0
    scale, shift = scale.reshape(-1), shift.reshape(-1)
    ps = np.empty((steps, b, 4 * u), dtype=dt)   # contiguous, time-major, processing order
    np.multiply(p[::-1] if reverse else p, scale, out=ps)
    rs = r * scale
    h, c = h0, c0
    cn = np.empty((b, u), dtype=dt)
    for t in range(steps):
        hp[t] = h
        cp[t] = c
        z = gates[t]
        np.matmul(h, rs, out=z)
        z += ps[t]
        np.tanh(z, out=z)
        z += shift
        z *= scale
        i, f, g, o = z[:, :u], z[:, u:2 * u], z[:, 2 * u:3 * u], z[:, 3 * u:]
        np.multiply(f, c, out=cn)
        cn += i * g
        np.tanh(cn, out=tc[t])
        hn = y[t]
        np.multiply(o, tc[t], out=hn)
        if mask is None:
            h, c = hn, cn.copy()
        else:
            mt = mask[t]
            h = np.where(mt, hn, h)
            c = np.where(mt, cn, c)
            if zero_output or t == 0:
                hn[...] = np.where(mt, hn, dt.type(0))
            else:
                hn[...] = np.where(mt, hn, y[t - 1])
    if steps == 0:
        h, c = h0.copy(), c0.copy()
    return y, np.array(h, copy=True), np.array(c, copy=True), hp, cp, gates, tc


def lstm_reference(p, h0, c0, r, mask=None, zero_output=False, reverse=False):
    """The same maths as ``_FusedLSTMSequence`` with tapeflow ops, step by step.

    Returns:
      ``(y, h_T, c_T)`` with ``y`` time-major ``(time, batch, units)``.
    """
    if mask is not None and np.ndim(mask) == 2:
        mask = np.asarray(mask, dtype=bool)[:, :, None]
    h, c = h0, c0
    outs, prev = [], None
    steps = array_ops.unstack(p, axis=0) if p._value.shape[0] else []
    if reverse:
        steps = steps[::-1]
    for t, p_t in enumerate(steps):
        z = m.add(p_t, m.matmul(h, r))
        zi, zf, zc, zo = array_ops.split(z, 4, axis=1)
        cn = m.add(m.multiply(m.sigmoid(zf), c), m.multiply(m.sigmoid(zi), m.tanh(zc)))
        hn = m.multiply(m.sigmoid(zo), m.tanh(cn))
        if mask is not None:
            mt = Tensor(mask[t])
            h, c = m.where_(mt, hn, h), m.where_(mt, cn, c)
            if prev is None or zero_output:
                prev = Tensor(np.zeros_like(hn._value))
            hn = m.where_(mt, hn, prev)
            prev = hn
        else:
            h, c = hn, cn
        outs.append(hn)
    y = array_ops.stack(outs, axis=0) if outs else Tensor(
        np.zeros((0,) + h0._value.shape, dtype=h0._value.dtype))
    return y, h, c


def _as_array(g, like):
    return np.zeros_like(like) if g is None else g._value


def _state_grad(t, dyv, carry, dhv, mask, zero_output):
    """One step of backward through time: returns ``(dhn, carry)``, the gradient reaching
    step ``t``'s new state (``dhv`` from step t+1, plus the output's ``dyv[t]`` and what a
    masked later step carried back), and what this step passes to step t-1 through a masked
    output. At a masked step ``dhv`` is passed through: zeroed here where the step ran."""
    go = dyv[t] if dyv is not None else None
    if carry is not None:
        go = carry if go is None else go + carry
    dhn = dhv if go is None else dhv + go
    if mask is not None:
        mt = mask[t]
        zero = dhv.dtype.type(0)
        dhn = np.where(mt, dhn, zero)
        np.copyto(dhv, zero, where=mt)
        carry = None if (zero_output or t == 0 or go is None) else np.where(mt, zero, go)
    return dhn, carry


def _lstm_grad(op, dy, dh, dc, *unused):
    """Backward through time in NumPy on preallocated buffers (the unfused maths
    differentiated with ops when a tape records this gradient)."""
    p, h0, c0, r = op.inputs
    mask, zero_output = op.attrs["mask"], op.attrs["zero_output"]
    reverse = op.attrs["reverse"]
    if prim.recording():
        return _composite_grad(op, dy, dh, dc)
    y, _, _, hp, cp, gates, tc = (o._value for o in op.outputs)
    steps, b, u = hp.shape
    dt = hp.dtype
    dyv = None if dy is None else dy._value
    dhv = np.array(_as_array(dh, h0._value), dtype=dt, copy=True)
    dcv = np.array(_as_array(dc, c0._value), dtype=dt, copy=True)
    dz = np.empty((steps, b, 4 * u), dtype=dt)
    one = dt.type(1)
    # The gate derivatives of all steps in a few passes over whole buffers, so that the
    # loop does only what depends on the incoming dh, dc (~6 small ops per step):
    # dz = [dc*k_i, dc*k_f, dc*k_g, dh*k_o], dc += dh*bo.
    i_, f_, g_, o_ = (gates[:, :, k * u:(k + 1) * u] for k in range(4))
    k = np.empty((steps, b, 4, u), dtype=dt)
    np.multiply(g_, i_ * (one - i_), out=k[:, :, 0])
    np.multiply(cp, f_ * (one - f_), out=k[:, :, 1])
    np.multiply(i_, one - g_ * g_, out=k[:, :, 2])
    np.multiply(tc, o_ * (one - o_), out=k[:, :, 3])
    bo = o_ * (one - tc * tc)
    dz4 = dz.reshape(steps, b, 4, u)
    rt = r._value.T
    carry = None   # gradient reaching y[t] through the masked carry of outputs
    for t in range(steps - 1, -1, -1):
        dhn, carry = _state_grad(t, dyv, carry, dhv, mask, zero_output)
        if mask is not None:
            mt = mask[t]
            dcn = np.where(mt, dcv, dt.type(0))
            np.copyto(dcv, dt.type(0), where=mt)   # masked steps pass dc through
        else:
            dcn = dcv
        dcn = dcn + dhn * bo[t]
        z = dz4[t]
        np.multiply(k[t, :, :3], dcn[:, None, :], out=z[:, :3])
        np.multiply(k[t, :, 3], dhn, out=z[:, 3])
        if mask is None:
            dhv = dz[t] @ rt
            dcv = dcn * f_[t]
        else:
            dhv += dz[t] @ rt
            dcv += dcn * f_[t]
    skip = op.skip_input_indices
    dr = None
    if 3 not in skip:
        dr = Tensor(hp.reshape(steps * b, u).T @ dz.reshape(steps * b, 4 * u)) if steps \
            else Tensor(np.zeros_like(r._value))
    return Tensor(dz[::-1] if reverse else dz), Tensor(dhv), Tensor(dcv), dr


_lstm_kernel = defop("_FusedLSTMSequence", _lstm_kernel_np, _lstm_grad,
                     dtypes=ANY, kind="call", num_outputs=7)


def _composite_grad(op, dy, dh, dc):
    """The gradient as tapeflow ops: the unfused loop's vjp, recorded by outer tapes."""
    from tapeflow.framework.tape import GradientTape
    xs = list(op.inputs)
    with GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        outs = lstm_reference(*xs, mask=op.attrs["mask"], zero_output=op.attrs["zero_output"],
                              reverse=op.attrs["reverse"])
    pairs = [(o, g) for o, g in zip(outs, (dy, dh, dc)) if g is not None]
    if not pairs:
        return [None] * 4
    grads = tape.gradient([o for o, _ in pairs], xs, output_gradients=[g for _, g in pairs])
    return [g if g is not None else m.zeros_like_(x) for g, x in zip(grads, xs)]


def lstm_sequence(p, h0, c0, r, mask=None, zero_output=False, reverse=False):
    """Runs an LSTM (sigmoid gates, tanh activation, Keras's gate order i, f, c, o) over time.

    Args:
      p: time-major input projections ``(time, batch, 4 * units)`` (``x @ kernel + bias``).
      h0, c0: initial states ``(batch, units)``.
      r: recurrent kernel ``(units, 4 * units)``.
      mask: None, or a bool NumPy array ``(time, batch)`` in processing order: masked
        steps keep the states and repeat the previous output (zeros with ``zero_output``).
      reverse: process the steps of ``p`` last to first (``y`` is then in that order).

    Returns:
      ``(y, h_T, c_T)``: ``y`` time-major ``(time, batch, units)``, then the final states.
    """
    if mask is not None:
        mask = np.ascontiguousarray(mask, dtype=bool)[:, :, None]
    outs = _lstm_kernel(p, h0, c0, r, mask=mask, zero_output=bool(zero_output),
                        reverse=bool(reverse))
    return outs[0], outs[1], outs[2]


# -- GRU (reset_after=True, Keras's default) --------------------------------------------------

def _check_gru(p, h0, r, br):
    t, b, n = p.shape
    u = r.shape[0]
    if r.shape != (u, 3 * u) or n != 3 * u or h0.shape != (b, u) or br.shape != (3 * u,):
        raise ValueError(f"GRU shapes do not agree: projections {list(p.shape)}, h0 "
                         f"{list(h0.shape)}, recurrent kernel {list(r.shape)}, recurrent "
                         f"bias {list(br.shape)}")
    if not p.dtype == h0.dtype == r.dtype == br.dtype:
        raise ValueError(f"GRU dtypes differ: {p.dtype}, {h0.dtype}, {r.dtype}, {br.dtype}")
    return t, b, u


def _gru_kernel_np(p, h0, r, br, mask, zero_output, reverse):
    """Outputs ``(y, h_T)`` plus the residuals ``(h_prev, gates [z, r, hh], rh)``."""
    steps, b, u = _check_gru(p, h0, r, br)
    dt = p.dtype
    half, one = dt.type(0.5), dt.type(1)
    y = np.empty((steps, b, u), dtype=dt)
    hp = np.empty((steps, b, u), dtype=dt)
    gates = np.empty((steps, b, 3 * u), dtype=dt)
    rh = np.empty((steps, b, u), dtype=dt)
    # sigmoid(x) = 0.5 (tanh(x / 2) + 1): the z, r columns of p, r and br halved (exact).
    scale = np.full(3 * u, half, dtype=dt)
    scale[2 * u:] = one
    ps = np.empty((steps, b, 3 * u), dtype=dt)
    np.multiply(p[::-1] if reverse else p, scale, out=ps)
    rs, brs = r * scale, br * scale
    q = np.empty((b, 3 * u), dtype=dt)
    h = h0
    for t in range(steps):
        hp[t] = h
        np.matmul(h, rs, out=q)
        q += brs
        g = gates[t]
        zr = g[:, :2 * u]
        np.add(ps[t, :, :2 * u], q[:, :2 * u], out=zr)
        np.tanh(zr, out=zr)
        zr += one
        zr *= half
        z, rr, hh = g[:, :u], g[:, u:2 * u], g[:, 2 * u:]
        rh[t] = q[:, 2 * u:]
        np.multiply(rr, rh[t], out=hh)
        hh += ps[t, :, 2 * u:]
        np.tanh(hh, out=hh)
        hn = y[t]
        np.subtract(h, hh, out=hn)
        hn *= z
        hn += hh
        if mask is None:
            h = hn
        else:
            mt = mask[t]
            h = np.where(mt, hn, h)
            hn[...] = np.where(mt, hn, dt.type(0) if (zero_output or t == 0) else y[t - 1])
    return y, np.array(h, copy=True), hp, gates, rh


def _gru_grad(op, dy, dh, *unused):
    """Backward through time in NumPy (the unfused maths with ops when recording)."""
    p, h0, r, br = op.inputs
    mask, zero_output, reverse = (op.attrs[k] for k in ("mask", "zero_output", "reverse"))
    if prim.recording():
        return _composite_gru_grad(op, dy, dh)
    y, _, hp, gates, rh = (o._value for o in op.outputs)
    steps, b, u = hp.shape
    dt = hp.dtype
    one = dt.type(1)
    z, rr, hh = gates[:, :, :u], gates[:, :, u:2 * u], gates[:, :, 2 * u:]
    # d out / d(a_z, a_r, a_h) and d(rec_z, rec_r, rec_h) per unit of dh: all steps at once.
    kp = np.empty((steps, b, 3, u), dtype=dt)
    np.multiply(hp - hh, z * (one - z), out=kp[:, :, 0])
    np.multiply(one - z, one - hh * hh, out=kp[:, :, 2])
    np.multiply(kp[:, :, 2], rh * rr * (one - rr), out=kp[:, :, 1])
    krh = kp[:, :, 2] * rr
    dyv = None if dy is None else dy._value
    dhv = np.array(_as_array(dh, h0._value), dtype=dt, copy=True)
    dhs = np.empty((steps, b, u), dtype=dt)      # dh reaching each step's new state
    drec = np.empty((steps, b, 3, u), dtype=dt)
    rt = r._value.T
    carry = None
    for t in range(steps - 1, -1, -1):
        dhn, carry = _state_grad(t, dyv, carry, dhv, mask, zero_output)
        dhs[t] = dhn
        d = drec[t]
        np.multiply(kp[t, :, :2], dhn[:, None, :], out=d[:, :2])
        np.multiply(krh[t], dhn, out=d[:, 2])
        back = d.reshape(b, 3 * u) @ rt
        back += dhn * z[t]
        if mask is None:
            dhv = back
        else:
            dhv += back
    dp = kp * dhs[:, :, None, :]
    dp = dp.reshape(steps, b, 3 * u)
    skip = op.skip_input_indices
    flat = drec.reshape(steps * b, 3 * u)
    dr = None if 2 in skip else Tensor(hp.reshape(steps * b, u).T @ flat)
    dbr = None if 3 in skip else Tensor(flat.sum(axis=0) if steps else np.zeros_like(br._value))
    return Tensor(dp[::-1] if reverse else dp), Tensor(dhv), dr, dbr


_gru_kernel = defop("_FusedGRUSequence", _gru_kernel_np, _gru_grad,
                     dtypes=ANY, kind="call", num_outputs=5)


def gru_reference(p, h0, r, br, mask=None, zero_output=False, reverse=False):
    """The same maths as ``_FusedGRUSequence`` with tapeflow ops, step by step.

    Returns:
      ``(y, h_T)`` with ``y`` time-major ``(time, batch, units)`` in processing order.
    """
    if mask is not None and np.ndim(mask) == 2:
        mask = np.asarray(mask, dtype=bool)[:, :, None]
    h = h0
    outs, prev = [], None
    steps = array_ops.unstack(p, axis=0) if p._value.shape[0] else []
    if reverse:
        steps = steps[::-1]
    for t, p_t in enumerate(steps):
        xz, xr, xh = array_ops.split(p_t, 3, axis=1)
        rz, rr, rh = array_ops.split(m.add(m.matmul(h, r), br), 3, axis=1)
        z = m.sigmoid(m.add(xz, rz))
        rg = m.sigmoid(m.add(xr, rr))
        hh = m.tanh(m.add(xh, m.multiply(rg, rh)))
        hn = m.add(hh, m.multiply(z, m.subtract(h, hh)))
        if mask is not None:
            mt = Tensor(mask[t])
            h = m.where_(mt, hn, h)
            if prev is None or zero_output:
                prev = Tensor(np.zeros_like(hn._value))
            hn = m.where_(mt, hn, prev)
            prev = hn
        else:
            h = hn
        outs.append(hn)
    y = array_ops.stack(outs, axis=0) if outs else Tensor(
        np.zeros((0,) + h0._value.shape, dtype=h0._value.dtype))
    return y, h


def _composite_gru_grad(op, dy, dh):
    from tapeflow.framework.tape import GradientTape
    xs = list(op.inputs)
    with GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        outs = gru_reference(*xs, **op.attrs)
    pairs = [(o, g) for o, g in zip(outs, (dy, dh)) if g is not None]
    if not pairs:
        return [None] * 4
    grads = tape.gradient([o for o, _ in pairs], xs, output_gradients=[g for _, g in pairs])
    return [g if g is not None else m.zeros_like_(x) for g, x in zip(grads, xs)]


def gru_sequence(p, h0, r, br, mask=None, zero_output=False, reverse=False):
    """Runs a GRU (``reset_after=True``, sigmoid gates, tanh; Keras's gate order z, r, h).

    Args:
      p: time-major input projections ``(time, batch, 3 * units)`` (``x @ kernel + b_in``).
      h0: the initial state ``(batch, units)``.
      r: recurrent kernel ``(units, 3 * units)``; br: recurrent bias ``(3 * units,)``.
      mask, zero_output, reverse: as :func:`lstm_sequence`.

    Returns:
      ``(y, h_T)``: ``y`` time-major ``(time, batch, units)``, then the final state.
    """
    if mask is not None:
        mask = np.ascontiguousarray(mask, dtype=bool)[:, :, None]
    outs = _gru_kernel(p, h0, r, br, mask=mask, zero_output=bool(zero_output),
                       reverse=bool(reverse))
    return outs[0], outs[1]


# -- SimpleRNN (tanh) --------------------------------------------------------------------------

def _simple_kernel_np(p, h0, r, mask, zero_output, reverse):
    """Outputs ``(y, h_T)`` plus the residuals ``(h_prev, h_new)``: ``tanh(p_t + h r)``."""
    steps, b, n = p.shape
    u = r.shape[0]
    if r.shape != (u, u) or n != u or h0.shape != (b, u):
        raise ValueError(f"SimpleRNN shapes do not agree: projections {list(p.shape)}, h0 "
                         f"{list(h0.shape)}, recurrent kernel {list(r.shape)}")
    if not p.dtype == h0.dtype == r.dtype:
        raise ValueError(f"SimpleRNN dtypes differ: {p.dtype}, {h0.dtype}, {r.dtype}")
    dt = p.dtype
    hp = np.empty((steps, b, u), dtype=dt)
    hs = np.empty((steps, b, u), dtype=dt)
    pv = p[::-1] if reverse else p
    h = h0
    for t in range(steps):
        hp[t] = h
        hn = hs[t]
        np.matmul(h, r, out=hn)
        hn += pv[t]
        np.tanh(hn, out=hn)
        h = hn if mask is None else np.where(mask[t], hn, h)
    if mask is None:
        y = hs
    else:
        y = np.empty_like(hs)
        for t in range(steps):
            prev = dt.type(0) if (zero_output or t == 0) else y[t - 1]
            y[t] = np.where(mask[t], hs[t], prev)
    return y, np.array(h, copy=True), hp, hs


def _simple_grad(op, dy, dh, *unused):
    """Backward through time in NumPy (the unfused maths with ops when recording)."""
    p, h0, r = op.inputs
    mask, zero_output, reverse = (op.attrs[k] for k in ("mask", "zero_output", "reverse"))
    if prim.recording():
        from tapeflow.framework.tape import GradientTape
        xs = list(op.inputs)
        with GradientTape() as tape:
            for x in xs:
                tape.watch(x)
            outs = simple_rnn_reference(*xs, **op.attrs)
        pairs = [(o, g) for o, g in zip(outs, (dy, dh)) if g is not None]
        if not pairs:
            return [None] * 3
        grads = tape.gradient([o for o, _ in pairs], xs,
                              output_gradients=[g for _, g in pairs])
        return [g if g is not None else m.zeros_like_(x) for g, x in zip(grads, xs)]
    _, _, hp, hs = (o._value for o in op.outputs)
    steps, b, u = hp.shape
    dt = hp.dtype
    k = dt.type(1) - hs * hs
    dyv = None if dy is None else dy._value
    dhv = np.array(_as_array(dh, h0._value), dtype=dt, copy=True)
    da = np.empty((steps, b, u), dtype=dt)
    rt = r._value.T
    carry = None
    for t in range(steps - 1, -1, -1):
        dhn, carry = _state_grad(t, dyv, carry, dhv, mask, zero_output)
        np.multiply(dhn, k[t], out=da[t])
        if mask is None:
            dhv = da[t] @ rt
        else:
            dhv += da[t] @ rt
    dr = None if 2 in op.skip_input_indices else Tensor(
        hp.reshape(steps * b, u).T @ da.reshape(steps * b, u))
    return Tensor(da[::-1] if reverse else da), Tensor(dhv), dr


_simple_kernel = defop("_FusedSimpleRNNSequence", _simple_kernel_np, _simple_grad,
                     dtypes=ANY, kind="call", num_outputs=4)


def simple_rnn_reference(p, h0, r, mask=None, zero_output=False, reverse=False):
    """The same maths as ``_FusedSimpleRNNSequence`` with tapeflow ops; returns ``(y, h_T)``."""
    if mask is not None and np.ndim(mask) == 2:
        mask = np.asarray(mask, dtype=bool)[:, :, None]
    h = h0
    outs, prev = [], None
    steps = array_ops.unstack(p, axis=0) if p._value.shape[0] else []
    if reverse:
        steps = steps[::-1]
    for t, p_t in enumerate(steps):
        hn = m.tanh(m.add(p_t, m.matmul(h, r)))
        if mask is not None:
            mt = Tensor(mask[t])
            h = m.where_(mt, hn, h)
            if prev is None or zero_output:
                prev = Tensor(np.zeros_like(hn._value))
            hn = m.where_(mt, hn, prev)
            prev = hn
        else:
            h = hn
        outs.append(hn)
    y = array_ops.stack(outs, axis=0) if outs else Tensor(
        np.zeros((0,) + h0._value.shape, dtype=h0._value.dtype))
    return y, h


def simple_rnn_sequence(p, h0, r, mask=None, zero_output=False, reverse=False):
    """Runs a tanh SimpleRNN over time: ``h_t = tanh(p_t + h_{t-1} @ r)``.

    Args:
      p: time-major input projections ``(time, batch, units)`` (``x @ kernel + bias``).
      h0: the initial state; r: recurrent kernel ``(units, units)``.
      mask, zero_output, reverse: as :func:`lstm_sequence`.

    Returns:
      ``(y, h_T)``: ``y`` time-major ``(time, batch, units)``, then the final state.
    """
    if mask is not None:
        mask = np.ascontiguousarray(mask, dtype=bool)[:, :, None]
    outs = _simple_kernel(p, h0, r, mask=mask, zero_output=bool(zero_output),
                          reverse=bool(reverse))
    return outs[0], outs[1]


__all__ = []
