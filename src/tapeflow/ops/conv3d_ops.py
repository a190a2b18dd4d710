"""3-D convolution and pooling (NDHWC), composed from the 2-D primitives.

A 3-D convolution is a sum over the depth taps of the kernel: tap ``i`` convolves the
depth slices ``i*dilation, i*dilation + stride, ...`` (all batched into one 2-D
convolution) with the kernel's 2-D slice ``i``. The transposed convolution places each
tap's 2-D transposed convolution back at those depths. Max and average pooling over a
box are separable: pool over height and width, then over depth (SAME averages count
only real inputs, and that count is a product over the axes too). Everything here is
written with differentiable ops (conv2d and its transpose, slicing, padding, reshapes),
so first, second and higher order gradients come from the 2-D rules; Python loops run
over depth taps only.
"""
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ops import array_ops as A
from tapeflow.ops import conv_ops, creation_ops, manip_ops, pooling_ops
from tapeflow.ops import math_ops as M


def _triple(value, name):
    return conv_ops._pair(value, name, 3)


def _split_padding(padding):
    """Returns ``(depth padding, height/width padding)`` in the forms the 2-D ops take."""
    if isinstance(padding, str):
        p = conv_ops._padding(padding)
        return p, p
    pads = [tuple(int(v) for v in p) for p in padding]
    if len(pads) == 5:
        pads = pads[1:4]
    return pads[0], [[0, 0], list(pads[1]), list(pads[2]), [0, 0]]


def _check(x, w, op):
    if x._value.ndim != 5 or w._value.ndim != 5:
        raise InvalidArgumentError(None, op, f"input must be 5-D (NDHWC) and filter 5-D "
                                   f"(DHWIO); received shapes {list(x._value.shape)} and "
                                   f"{list(w._value.shape)}")


def conv3d(input, filters, strides, padding, data_format="NDHWC", dilations=None,  # noqa: A002
           name=None):
    """Returns the 3-D convolution of NDHWC ``input`` with DHWIO ``filters``.

    Args:
      strides: int or list of 3 or 5 ints.
      padding: ``"SAME"``, ``"VALID"`` or explicit pairs (5 of them, or 3).
      dilations: int or list of 3 or 5 ints (default 1).

    Raises:
      InvalidArgumentError: on mismatched ranks, channels or dtypes.
    """
    conv_ops._check_format(data_format, "NDHWC")
    x, w = conv_ops._same_dtype_pair(input, filters)
    _check(x, w, "Conv3D")
    if x._value.shape[4] != w._value.shape[3]:
        raise InvalidArgumentError(
            None, "Conv3D", f"input depth must be evenly divisible by filter depth: "
            f"{x._value.shape[4]} vs {w._value.shape[3]} [Op:Conv3D]")
    s = _triple(strides, "strides")
    d = _triple(1 if dilations is None else dilations, "dilations")
    pad_d, pad_hw = _split_padding(padding)
    n, depth, h, wd, c = x._value.shape
    kd = w._value.shape[0]
    od, before, after = conv_ops.output_size(depth, kd, s[0], d[0], pad_d)
    if before or after:
        x = manip_ops.pad(x, [[0, 0], [before, after], [0, 0], [0, 0], [0, 0]])
    out = None
    for i in range(kd):
        start = i * d[0]
        xs = x[:, start:start + s[0] * (od - 1) + 1:s[0]]
        y = conv_ops.conv2d(A.reshape(xs, (n * od, h, wd, c)), w[i], s[1:], pad_hw,
                            dilations=d[1:])
        y = A.reshape(y, (n, od) + tuple(y._value.shape[1:]))
        out = y if out is None else M.add(out, y)
    return out


def conv3d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NDHWC", dilations=None, name=None):
    """Returns the transposed 3-D convolution (the gradient of ``conv3d`` wrt its input).

    ``filters`` has shape ``[d, h, w, out_channels, in_channels]``; ``output_shape`` is the
    NDHWC shape of the result.

    Raises:
      InvalidArgumentError: if ``input`` does not match ``output_shape`` under the geometry.
    """
    conv_ops._check_format(data_format, "NDHWC")
    x, w = conv_ops._same_dtype_pair(input, filters)
    _check(x, w, "Conv3DBackpropInputV2")
    shape = tuple(int(v) for v in (output_shape._value.tolist() if isinstance(
        output_shape, Tensor) else output_shape))
    s = _triple(strides, "strides")
    d = _triple(1 if dilations is None else dilations, "dilations")
    pad_d, pad_hw = _split_padding(padding)
    n, depth, h, wd, f = shape
    kd = w._value.shape[0]
    od, before, after = conv_ops.output_size(depth, kd, s[0], d[0], pad_d)
    if x._value.shape[1] != od or x._value.shape[4] != w._value.shape[4]:
        raise InvalidArgumentError(
            None, "Conv3DBackpropInputV2", f"Conv3DBackpropInputV2: input shape "
            f"{list(x._value.shape)} does not match output_shape {list(shape)} with filter "
            f"{list(w._value.shape)}, strides {list(s)} and padding {padding}")
    total = depth + before + after
    _, ih, iw, ci = x._value.shape[1:]
    flat = A.reshape(x, (n * od, ih, iw, ci))
    out = None
    for i in range(kd):
        y = conv_ops.conv2d_transpose(flat, w[i], (n * od, h, wd, f), s[1:], pad_hw,
                                      dilations=d[1:])
        y = A.reshape(y, (n, od, h, wd, f))
        if s[0] > 1 and od > 1:   # spread the od slices s[0] apart (zeros between)
            zeros = creation_ops.zeros((n, od, 1, h, wd, f), dtype=y.dtype)
            y = A.concat([A.reshape(y, (n, od, 1, h, wd, f))] + [zeros] * (s[0] - 1), 2)
            y = A.reshape(y, (n, od * s[0], h, wd, f))[:, :s[0] * (od - 1) + 1]
        span = s[0] * (od - 1) + 1 if od else 0
        lo = i * d[0]
        y = manip_ops.pad(y, [[0, 0], [lo, max(total - lo - span, 0)], [0, 0], [0, 0], [0, 0]])
        out = y if out is None else M.add(out, y)
    return out[:, before:before + depth]


def _pool3d(pool2d, input, ksize, strides, padding):  # noqa: A002
    x = input if type(input) is Tensor else convert_to_tensor(input)
    if x._value.ndim != 5:
        raise InvalidArgumentError(None, "Pool3D", f"3-D pooling expects a 5-D NDHWC input; "
                                   f"received shape {list(x._value.shape)}")
    k = _triple(ksize, "ksize")
    s = _triple(strides, "strides")
    n, depth, h, w, c = x._value.shape
    y = pool2d(A.reshape(x, (n * depth, h, w, c)), k[1:], s[1:], padding)
    oh, ow = y._value.shape[1:3]
    y = pool2d(A.reshape(y, (n, depth, oh * ow, c)), (k[0], 1), (s[0], 1), padding)
    return A.reshape(y, (n, y._value.shape[1], oh, ow, c))


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """Returns the maximum of each ``ksize`` box of an NDHWC input."""
    conv_ops._check_format(data_format, "NDHWC")
    return _pool3d(pooling_ops.max_pool2d, input, ksize, strides, padding)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """Returns the mean of each box of an NDHWC input (SAME boxes average real inputs only)."""
    conv_ops._check_format(data_format, "NDHWC")
    return _pool3d(pooling_ops.avg_pool2d, input, ksize, strides, padding)


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NWC", dilations=None, name=None):
    """Returns the transposed 1-D convolution; ``filters`` is ``[w, out, in]``."""
    conv_ops._check_format(data_format, "NWC")
    x, w = conv_ops._same_dtype_pair(input, filters)
    shape = [int(v) for v in (output_shape._value.tolist() if isinstance(
        output_shape, Tensor) else output_shape)]
    s = conv_ops._pair(strides, "strides", 1)[0]
    d = conv_ops._pair(1 if dilations is None else dilations, "dilations", 1)[0]
    y = conv_ops.conv2d_transpose(A.expand_dims(x, 1), A.expand_dims(w, 0),
                                  (shape[0], 1, shape[1], shape[2]), (1, s), padding,
                                  dilations=(1, d))
    return A.squeeze(y, 1)


__all__ = ["conv3d", "conv3d_transpose", "max_pool3d", "avg_pool3d", "conv1d_transpose"]
