"""Convolutions (NHWC) over zero-copy window views.

Three primitives per family are closed under differentiation: the forward
convolution, its gradient wrt the input (a transposed convolution) and its
gradient wrt the filter. Each is linear in each argument, so each one's
gradient is written with the other two; second and higher orders come free.

Families: ``"conv"`` (filters ``[kh, kw, in, out]``) and ``"depthwise"``
(filters ``[kh, kw, in, multiplier]``, output channels ``in * multiplier``).

Kernels: the "conv" family's three primitives run the algorithm chosen per shape in
``conv_algos`` (im2col, stride phases or Winograd F(2x2, 3x3), measured on a shape's first
call and cached); "depthwise" has no matmul to batch and works with a multiply-add or
einsum per kernel tap. Python loops run over kernel taps only, never over batch, pixels or
channels.
"""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_def import defop
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.graph import func_graph as _func_graph
from tapeflow.ops import conv_algos

as_strided = np.lib.stride_tricks.as_strided


# -- geometry ---------------------------------------------------------------------------

def _pair(value, name, n=2):
    """Normalises TF's int / [h, w] / [1, h, w, 1] forms to a tuple of ``n`` ints."""
    if isinstance(value, Tensor):
        value = _func_graph.value_of(value).tolist()
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = [int(v) for v in value]
    if len(value) == n:
        return tuple(value)
    if len(value) == n + 2:
        return tuple(value[1:-1])
    if len(value) == 1:
        return (value[0],) * n
    raise ValueError(f"`{name}` must be an int or a list of {n} or {n + 2} ints; received "
                     f"{value}")


def output_size(size, k, stride, dilation, padding):
    """Returns ``(out, pad_before, pad_after)`` along one axis with TF's SAME/VALID rules."""
    eff = (k - 1) * dilation + 1
    if isinstance(padding, (tuple, list)):
        before, after = padding
        return (size + before + after - eff) // stride + 1, before, after
    if padding == "SAME":
        out = -(-size // stride)
        total = max((out - 1) * stride + eff - size, 0)
        return out, total // 2, total - total // 2
    if padding == "VALID":
        out = -(-(size - eff + 1) // stride) if size >= eff else 0
        return max(out, 0), 0, 0
    raise ValueError(f"`padding` must be 'SAME' or 'VALID'; received {padding!r}")


def _padding(padding):
    if isinstance(padding, str):
        p = padding.upper()
        if p not in ("SAME", "VALID"):   # TensorFlow rejects the attr value
            raise InvalidArgumentError(
                None, "Conv2D", f"Value for attr 'padding' of \"{padding}\" is not in the "
                f"list of allowed values: \"SAME\", \"VALID\", \"EXPLICIT\"")
        return p
    pads = [tuple(int(v) for v in p) for p in padding]
    if len(pads) == 4:
        pads = pads[1:3]
    return tuple(pads)


def _geometry(in_hw, k_hw, strides, dilations, padding):
    """Returns ``(out_hw, pads)`` where pads is ``((top, bottom), (left, right))``."""
    outs, pads = [], []
    for i in range(2):
        p = padding if isinstance(padding, str) else padding[i]
        o, b, a = output_size(in_hw[i], k_hw[i], strides[i], dilations[i], p)
        outs.append(o)
        pads.append((b, a))
    return tuple(outs), tuple(pads)


def _windows(xp, k_hw, out_hw, strides, dilations):
    """A zero-copy view ``(n, oh, ow, kh, kw, c)`` of the windows of a padded input."""
    n, _, _, c = xp.shape
    sn, sh, sw, sc = xp.strides
    return as_strided(xp, (n, out_hw[0], out_hw[1], k_hw[0], k_hw[1], c),
                      (sn, sh * strides[0], sw * strides[1], sh * dilations[0],
                       sw * dilations[1], sc), writeable=False)


def _pad(x, pads, value=0):
    if not any(pads[0]) and not any(pads[1]):
        return x
    return np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)), constant_values=value)


# -- kernels ------------------------------------------------------------------------------

_cols = conv_algos.cols


def _depthwise(win, w):
    n, oh, ow = win.shape[:3]
    # depthwise: each channel meets its own filters, so there is no matmul to batch;
    # a multiply-add per kernel tap (2-4x faster than one einsum over the windows)
    out = np.zeros((n, oh, ow) + w.shape[2:], dtype=np.result_type(win, w))
    tmp = np.empty_like(out)
    for i in range(w.shape[0]):
        for j in range(w.shape[1]):
            np.multiply(win[:, :, :, i, j, :, None], w[i, j], out=tmp)
            out += tmp
    return out.reshape(n, oh, ow, w.shape[2] * w.shape[3])


def _conv_forward(x, w, strides, dilations, padding, family):
    if x.ndim != 4 or w.ndim != 4:
        raise InvalidArgumentError(None, "Conv2D", f"input must be 4-D (NHWC) and filter 4-D "
                                   f"(HWIO); received shapes {list(x.shape)} and "
                                   f"{list(w.shape)}")
    if x.shape[3] != w.shape[2]:
        raise InvalidArgumentError(
            None, "Conv2D", f"input depth must be evenly divisible by filter depth: "
            f"{x.shape[3]} vs {w.shape[2]} (input shape {list(x.shape)}, filter shape "
            f"{list(w.shape)}) [Op:Conv2D]")
    if x.dtype != w.dtype:
        raise InvalidArgumentError(None, "Conv2D", f"input and filter dtypes differ: "
                                   f"{x.dtype} vs {w.dtype} [Op:Conv2D]")
    out_hw, pads = _geometry(x.shape[1:3], w.shape[:2], strides, dilations, padding)
    if family == "conv":
        out = conv_algos.run("forward", x, w, out_hw, pads, strides, dilations)
    else:
        out = _depthwise(_windows(_pad(x, pads), w.shape[:2], out_hw, strides, dilations), w)
    return out.astype(x.dtype, copy=False)


def _backprop_input(dy, w, input_shape, strides, dilations, padding, family):
    n, h, wd, c = input_shape
    out_hw, pads = _geometry((h, wd), w.shape[:2], strides, dilations, padding)
    if family == "conv":
        return conv_algos.run("input", dy, w, tuple(input_shape), pads, strides, dilations)
    # depthwise: per kernel tap, each channel's filters applied to dy, added into a slab
    m = w.shape[3]
    dyr = dy.reshape(dy.shape[:3] + (c, m))
    oh, ow = out_hw
    (sh, sw), (dh, dw) = strides, dilations
    out = np.zeros((n, h + sum(pads[0]), wd + sum(pads[1]), c), dtype=dy.dtype)
    for i in range(w.shape[0] if oh and ow else 0):
        for j in range(w.shape[1]):
            out[:, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                j * dw:j * dw + sw * (ow - 1) + 1:sw, :] += np.einsum(
                    "nhwcm,cm->nhwc", dyr, w[i, j])
    return np.ascontiguousarray(out[:, pads[0][0]:pads[0][0] + h,
                                    pads[1][0]:pads[1][0] + wd])


def _backprop_filter(x, dy, filter_shape, strides, dilations, padding, family):
    out_hw, pads = _geometry(x.shape[1:3], filter_shape[:2], strides, dilations, padding)
    if family == "conv":
        return conv_algos.run("filter", x, dy, tuple(filter_shape), pads, strides,
                              dilations).astype(x.dtype, copy=False)
    win = _windows(_pad(x, pads), filter_shape[:2], out_hw, strides, dilations)
    # depthwise: one plain einsum per kernel tap over the strided view (no temporary;
    # 10x faster than one optimized einsum over all the windows)
    c, m = filter_shape[2], filter_shape[3]
    dyr = dy.reshape(dy.shape[:3] + (c, m))
    dw = np.empty(filter_shape, dtype=np.result_type(x, dy))
    for i in range(filter_shape[0]):
        for j in range(filter_shape[1]):
            dw[i, j] = np.einsum("nhwc,nhwcm->cm", win[:, :, :, i, j, :], dyr)
    return dw.astype(x.dtype, copy=False)


def _geo_attrs(op):
    a = op.attrs
    return dict(strides=a["strides"], dilations=a["dilations"], padding=a["padding"],
                family=a["family"])


def _conv_grad(op, dy):
    """dx = conv_transpose(dy, w); dw = filter_grad(x, dy)."""
    x, w = op.inputs
    g = _geo_attrs(op)
    skip = op.skip_input_indices  # e.g. the image batch of a first layer needs no gradient
    return (None if 0 in skip else _bpi_op(dy, w, input_shape=x._value.shape, **g),
            None if 1 in skip else _bpf_op(x, dy, filter_shape=w._value.shape, **g))


def _bpi_grad(op, ddx):
    """d/d(dy) = conv(ddx, w); d/dw = filter_grad(ddx, dy)."""
    dy, w = op.inputs
    g = _geo_attrs(op)
    return (_conv_op(ddx, w, **g), _bpf_op(ddx, dy, filter_shape=w._value.shape, **g))


def _bpf_grad(op, ddw):
    """d/dx = conv_transpose(dy, ddw); d/d(dy) = conv(x, ddw)."""
    x, dy = op.inputs
    g = _geo_attrs(op)
    return (_bpi_op(dy, ddw, input_shape=x._value.shape, **g), _conv_op(x, ddw, **g))


# The three ops, ``op(*tensors, **attrs)`` (the public functions below normalise the
# arguments), with TensorFlow's registered dtypes (depthwise, which shares the Conv2D op
# here, is checked against DepthwiseConv2dNative's narrower list in depthwise_conv2d).
_CONV_DTYPES = ("half", "bfloat16", "float", "double", "int32")
_DEPTHWISE_DTYPES = _CONV_DTYPES[:4]
_conv_op = defop("Conv2D", _conv_forward, _conv_grad, dtypes=_CONV_DTYPES, kind="call")
_bpi_op = defop("Conv2DBackpropInput", _backprop_input, _bpi_grad, dtypes=_CONV_DTYPES,
                kind="call")
_bpf_op = defop("Conv2DBackpropFilter", _backprop_filter, _bpf_grad, dtypes=_CONV_DTYPES,
                kind="call")


# -- public API ------------------------------------------------------------------------------

def _check_format(data_format, expected="NHWC"):
    if data_format not in (None, expected, "channels_last"):
        raise ValueError(f"tapeflow supports data_format={expected!r} only; received "
                         f"{data_format!r}")


def _same_dtype_pair(x, w):
    x = x if type(x) is Tensor else convert_to_tensor(x)
    w = w if type(w) is Tensor else convert_to_tensor(w, dtype=x.dtype) \
        if not hasattr(type(w), "__tf_tensor__") else convert_to_tensor(w)
    return x, w


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None,  # noqa: A002
           name=None):
    """Returns the 2-D convolution of NHWC ``input`` with HWIO ``filters``.

    Args:
      strides: int or list of 1, 2 or 4 ints.
      padding: ``"SAME"``, ``"VALID"`` or explicit ``[[0, 0], [t, b], [l, r], [0, 0]]``.
      dilations: int or list (default 1).

    Raises:
      InvalidArgumentError: on mismatched channels, ranks or dtypes.
    """
    _check_format(data_format)
    x, w = _same_dtype_pair(input, filters)
    return _conv_op(x, w, strides=_pair(strides, "strides"),
                    dilations=_pair(1 if dilations is None else dilations, "dilations"),
                    padding=_padding(padding), family="conv")


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NHWC", dilations=None, name=None):
    """Returns the transposed convolution (gradient of conv2d wrt its input).

    ``filters`` has shape ``[h, w, out_channels, in_channels]``; ``output_shape``
    is the NHWC shape of the result.
    """
    _check_format(data_format)
    x, w = _same_dtype_pair(input, filters)
    shape = tuple(int(v) for v in (_func_graph.value_of(output_shape).tolist() if isinstance(
        output_shape, Tensor) else output_shape))
    strides = _pair(strides, "strides")
    dilations = _pair(1 if dilations is None else dilations, "dilations")
    pad = _padding(padding)
    out_hw, _ = _geometry(shape[1:3], w._value.shape[:2], strides, dilations, pad)
    if tuple(x._value.shape[1:3]) != out_hw or x._value.shape[3] != w._value.shape[3]:
        raise InvalidArgumentError(
            None, "Conv2DBackpropInput", f"Conv2DBackpropInput: input shape "
            f"{list(x._value.shape)} does not match output_shape {list(shape)} with filter "
            f"{list(w._value.shape)}, strides {list(strides)} and padding {padding}")
    return _bpi_op(x, w, input_shape=shape, strides=strides, dilations=dilations,
                   padding=pad, family="conv")


def depthwise_conv2d(input, filter, strides, padding, data_format=None,  # noqa: A002
                     dilations=None, name=None):
    """Returns the depthwise convolution: filter ``[h, w, in, multiplier]``, output channels
    ``in * multiplier``."""
    _check_format(data_format)
    x, w = _same_dtype_pair(input, filter)
    name = {"float16": "half", "float32": "float", "float64": "double"}.get(x.dtype.name,
                                                                          x.dtype.name)
    if name not in _DEPTHWISE_DTYPES:
        raise InvalidArgumentError(
            None, "DepthwiseConv2dNative", f"Value for attr 'T' of {name} is not in the list "
            f"of allowed values: {', '.join(_DEPTHWISE_DTYPES)} [Op:DepthwiseConv2dNative]")
    return _conv_op(x, w, strides=_pair(strides, "strides"),
                    dilations=_pair(1 if dilations is None else dilations, "dilations"),
                    padding=_padding(padding), family="depthwise")


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding,  # noqa: A002
                     data_format=None, dilations=None, name=None):
    """Returns a depthwise convolution followed by a 1x1 pointwise convolution."""
    y = depthwise_conv2d(input, depthwise_filter, strides, padding, data_format, dilations)
    return conv2d(y, pointwise_filter, 1, "VALID")


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None,  # noqa: A002
           name=None):
    """Returns the 1-D convolution of NWC ``input`` with WIO ``filters``."""
    from tapeflow.ops.array_ops import expand_dims, squeeze
    _check_format(data_format, "NWC")
    s = _pair(stride, "stride", 1)[0]
    d = _pair(1 if dilations is None else dilations, "dilations", 1)[0]
    pad = padding if isinstance(padding, str) else [[0, 0], [0, 0], list(padding[1]), [0, 0]]
    y = conv2d(expand_dims(input, 1), expand_dims(filters, 0), [1, s], pad,
               dilations=[1, d])
    return squeeze(y, 1)


def convolution(input, filters, strides=None, padding="VALID", data_format=None,  # noqa: A002
                dilations=None, name=None):
    """Returns a 1-D or 2-D convolution chosen from the input's rank."""
    rank = convert_to_tensor(input)._value.ndim
    if rank == 3:
        return conv1d(input, filters, 1 if strides is None else strides, padding,
                      dilations=dilations)
    if rank == 4:
        return conv2d(input, filters, 1 if strides is None else strides, padding,
                      dilations=dilations)
    raise ValueError(f"convolution() supports 3-D and 4-D inputs; received rank {rank}")


__all__ = ["conv2d", "conv2d_transpose", "depthwise_conv2d", "separable_conv2d", "conv1d",
           "convolution", "output_size"]
