"""The ops a SavedModel may hold, both ways: tapeflow graph nodes -> TensorFlow ``NodeDef``s
(``write_op``) and TensorFlow ``NodeDef``s -> tapeflow calls (``KERNELS``, the allow-list).

Only the ops named here are written or run. A traced op outside the table makes the
function unsaveable (it is saved without its graph); a file naming an op outside
``KERNELS`` loads, but its function refuses to run before anything is executed. Attribute
names and output-argument names are TensorFlow's op registry's (``MatMul:product:0``,
``Relu:activations:0``, ``T``, ``keep_dims``, ``Tidx`` ...).
"""
import numpy as np

from tapeflow.tracking import sm_proto as P

_T = P.attr_type
# TensorFlow's output argument name of each op (its only output argument).
OUT_ARG = {"MatMul": "product", "BatchMatMulV2": "output", "BiasAdd": "output",
           "Softmax": "softmax", "LogSoftmax": "logsoftmax", "Identity": "output",
           "Const": "output", "ReadVariableOp": "value", "Cast": "y", "Reshape": "output",
           "Transpose": "y", "ConcatV2": "output", "Pack": "output", "StridedSlice": "output",
           "ExpandDims": "output", "Squeeze": "output", "StatefulPartitionedCall": "output",
           "PartitionedCall": "output", "Shape": "output", "Conv2D": "output",
           "MaxPool": "output", "AvgPool": "output", "GatherV2": "output",
           "StopGradient": "output", "SelectV2": "output", "Select": "output",
           "ArgMax": "output", "ArgMin": "output", "Fill": "output", "Range": "output",
           "LogicalAnd": "z", "LogicalOr": "z", "LogicalNot": "y", "Einsum": "output",
           "PadV2": "output", "Pad": "output", "MirrorPad": "output", "Tile": "output",
           "DepthwiseConv2dNative": "output", "Erfc": "y", "OneHot": "output"}
_ACTIVATIONS = ("Relu", "Relu6", "Elu", "Selu", "Softplus", "Softsign", "LeakyRelu")
_UNARY_Y = ("Sigmoid", "Tanh", "Exp", "Log", "Log1p", "Expm1", "Neg", "Sqrt", "Rsqrt",
            "Square", "Abs", "Sin", "Cos", "Floor", "Ceil", "Reciprocal", "Sign", "Erf",
            "Erfc", "Round")
_BINARY = ("AddV2", "Add", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "Pow",
           "SquaredDifference", "FloorDiv", "FloorMod", "Greater", "GreaterEqual", "Less",
           "LessEqual", "Equal", "NotEqual", "DivNoNan")
_REDUCE = ("Sum", "Mean", "Max", "Min", "Prod")
for _n in _ACTIVATIONS:
    OUT_ARG[_n] = "activations"
for _n in _UNARY_Y:
    OUT_ARG[_n] = "y"
for _n in _BINARY:
    OUT_ARG[_n] = "z"
for _n in _REDUCE:
    OUT_ARG[_n] = "output"


class Unsupported(Exception):
    """A traced node that has no TensorFlow counterpart here."""


def node_def(name, op, inputs, attrs):
    """Returns ``NodeDef`` bytes."""
    body = P.F(1, name.encode()) + P.F(2, op.encode())
    body += b"".join(P.F(3, i.encode()) for i in inputs)
    body += b"".join(P.entry(5, k, v) for k, v in sorted(attrs.items()))
    return body


def const_node(name, value):
    """Returns a ``Const`` ``NodeDef`` holding ``value``."""
    a = np.asarray(value)
    return node_def(name, "Const", [], {"value": P.attr_tensor(a), "dtype": _T(a.dtype)})


def _key_masks(key, rank):
    """Returns StridedSlice's (begin, end, strides, masks) for a key of ints, slices and
    one Ellipsis."""
    key = key if isinstance(key, tuple) else (key,)
    begin, end, strides = [], [], []
    masks = {"begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0, "shrink_axis_mask": 0,
             "new_axis_mask": 0}
    for i, k in enumerate(key):
        bit = 1 << i
        if k is Ellipsis:
            masks["ellipsis_mask"] |= bit
            begin.append(0), end.append(0), strides.append(1)
        elif k is None:
            masks["new_axis_mask"] |= bit
            begin.append(0), end.append(0), strides.append(1)
        elif isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            masks["shrink_axis_mask"] |= bit
            begin.append(int(k)), end.append(int(k) + 1 if k != -1 else 0), strides.append(1)
            if k == -1:
                masks["end_mask"] |= bit
        elif isinstance(k, slice) and all(v is None or isinstance(v, (int, np.integer))
                                          for v in (k.start, k.stop, k.step)):
            step = 1 if k.step is None else int(k.step)
            if step == 0:
                raise Unsupported("a slice step of 0")
            if k.start is None:
                masks["begin_mask"] |= bit
            if k.stop is None:
                masks["end_mask"] |= bit
            begin.append(int(k.start or 0)), end.append(int(k.stop or 0)), strides.append(step)
        else:
            raise Unsupported(f"an index key {k!r}")
    return begin, end, strides, masks


def write_op(op_name, attrs, ins, in_info, out_info, name):
    """Returns ``(node_defs, output reference)`` for one traced op.

    ``ins`` are the inputs' references (``"x"``, ``"node:arg:0"``), ``in_info`` their
    ``(dtype, shape)``, ``out_info`` the output's.

    Raises:
      Unsupported: for an op or attribute TensorFlow's graph cannot take from here.
    """
    dt = in_info[0][0] if in_info else out_info[0]
    t = {"T": _T(dt)}
    extra = []

    def const(suffix, value, dtype=np.int32):
        cname = f"{name}/{suffix}"
        extra.append(const_node(cname, np.asarray(value, dtype)))
        return f"{cname}:output:0"
    if op_name == "_FusedMatMul":
        act = attrs.get("activation")
        act = None if act in ("Linear", "", "linear") else act
        if act not in (None, "Relu"):
            raise Unsupported(f"_FusedMatMul activation {act!r}")
        nodes = [node_def(f"{name}/MatMul", "MatMul", ins[:2], t),
                 node_def(f"{name}/BiasAdd", "BiasAdd", [f"{name}/MatMul:product:0", ins[2]], t)]
        ref = f"{name}/BiasAdd:output:0"
        if act == "Relu":
            nodes.append(node_def(name, "Relu", [ref], t))
            ref = f"{name}:activations:0"
        return nodes, ref
    if op_name == "Conv2D" and attrs.get("family") == "depthwise" and isinstance(
            attrs.get("padding"), str):
        sh, sw = attrs["strides"]
        dh, dw = attrs.get("dilations", (1, 1))
        a = dict(t, strides=P.attr_ints([1, sh, sw, 1]), dilations=P.attr_ints([1, dh, dw, 1]),
                 padding=P.attr_str(attrs["padding"]), data_format=P.attr_str("NHWC"))
        return [node_def(name, "DepthwiseConv2dNative", ins, a)], f"{name}:output:0"
    if op_name == "Einsum" and set(attrs) == {"equation"}:
        a = dict(t, equation=P.attr_str(attrs["equation"]), N=P.attr_int(len(ins)))
        return [node_def(name, "Einsum", ins, a)], f"{name}:output:0"
    if op_name == "PadV2" and attrs.get("mode", "constant").lower() in (
            "constant", "reflect", "symmetric"):
        pads = const("paddings", [list(p) for p in attrs["paddings"]])
        mode = attrs.get("mode", "constant").upper()
        if mode == "CONSTANT":
            cv = const("constant_values", np.asarray(attrs.get("constant_values", 0), dt), dt)
            return extra + [node_def(name, "PadV2", [ins[0], pads, cv], dict(
                t, Tpaddings=_T(np.int32)))], f"{name}:output:0"
        return extra + [node_def(name, "MirrorPad", [ins[0], pads], dict(
            t, Tpaddings=_T(np.int32), mode=P.attr_str(mode)))], f"{name}:output:0"
    if op_name == "Tile" and set(attrs) == {"multiples"}:
        m = const("multiples", list(attrs["multiples"]))
        return extra + [node_def(name, "Tile", [ins[0], m], dict(
            t, Tmultiples=_T(np.int32)))], f"{name}:output:0"
    if op_name in ("Conv2D", "_FusedConv2D"):
        if attrs.get("family", "conv") != "conv" or not isinstance(attrs.get("padding"), str):
            raise Unsupported(f"{op_name} with family={attrs.get('family')!r}, "
                              f"padding={attrs.get('padding')!r}")
        act = attrs.get("activation")
        act = None if act in ("Linear", "", "linear") else act
        if act not in (None, "Relu"):
            raise Unsupported(f"{op_name} activation {act!r}")
        sh, sw = attrs["strides"]
        dh, dw = attrs.get("dilations", (1, 1))
        a = dict(t, strides=P.attr_ints([1, sh, sw, 1]), dilations=P.attr_ints([1, dh, dw, 1]),
                 padding=P.attr_str(attrs["padding"]), data_format=P.attr_str("NHWC"))
        if op_name == "Conv2D":
            return [node_def(name, "Conv2D", ins, a)], f"{name}:output:0"
        nodes = [node_def(f"{name}/Conv2D", "Conv2D", ins[:2], a),
                 node_def(f"{name}/BiasAdd", "BiasAdd", [f"{name}/Conv2D:output:0", ins[2]], t)]
        ref = f"{name}/BiasAdd:output:0"
        if act == "Relu":
            nodes.append(node_def(name, "Relu", [ref], t))
            ref = f"{name}:activations:0"
        return nodes, ref
    if op_name in ("MaxPool", "AvgPool"):
        kh, kw = attrs["ksize"]
        sh, sw = attrs["strides"]
        if not isinstance(attrs.get("padding"), str) or len(in_info[0][1]) != 4:
            raise Unsupported(f"{op_name} other than 2-D with SAME/VALID padding")
        a = dict(t, ksize=P.attr_ints([1, kh, kw, 1]), strides=P.attr_ints([1, sh, sw, 1]),
                 padding=P.attr_str(attrs["padding"]), data_format=P.attr_str("NHWC"))
        return [node_def(name, op_name, ins, a)], f"{name}:output:0"
    if op_name == "GatherV2" and set(attrs) <= {"axis", "batch_dims"}:
        ax = const("axis", attrs.get("axis", 0))
        a = {"Tparams": _T(dt), "Tindices": _T(in_info[1][0]), "Taxis": _T(np.int32),
             "batch_dims": P.attr_int(attrs.get("batch_dims", 0) or 0)}
        return extra + [node_def(name, "GatherV2", list(ins) + [ax], a)], f"{name}:output:0"
    if op_name in ("StopGradient",) and not attrs:
        return [node_def(name, op_name, ins, t)], f"{name}:output:0"
    if op_name == "SelectV2" and not attrs:
        return [node_def(name, op_name, ins, {"T": _T(in_info[1][0])})], f"{name}:output:0"
    if op_name in ("LogicalAnd", "LogicalOr", "LogicalNot") and not attrs:
        return [node_def(name, op_name, ins, {})], f"{name}:{OUT_ARG[op_name]}:0"
    if op_name in ("ArgMax", "ArgMin") and set(attrs) == {"axis", "output_type"}:
        ax = const("dimension", attrs["axis"])
        a = dict(t, Tidx=_T(np.int32), output_type=_T(attrs["output_type"]))
        return extra + [node_def(name, op_name, [ins[0], ax], a)], f"{name}:output:0"
    if op_name in ("BatchMatMulV2", "MatMul"):
        ta = bool(attrs.get("transpose_a") or attrs.get("adjoint_a"))
        tb_ = bool(attrs.get("transpose_b") or attrs.get("adjoint_b"))
        if len(in_info[0][1]) == 2 and len(in_info[1][1]) == 2:
            a = dict(t, transpose_a=P.attr_bool(ta), transpose_b=P.attr_bool(tb_))
            return [node_def(name, "MatMul", ins, a)], f"{name}:product:0"
        a = dict(t, adj_x=P.attr_bool(ta), adj_y=P.attr_bool(tb_))
        return [node_def(name, "BatchMatMulV2", ins, a)], f"{name}:output:0"
    if op_name in _ACTIVATIONS or op_name in _UNARY_Y or op_name in _BINARY or \
            op_name == "Identity":
        if attrs and op_name != "LeakyRelu":
            raise Unsupported(f"{op_name} with attributes {sorted(attrs)}")
        a = dict(t)
        if op_name == "LeakyRelu":
            a["alpha"] = P.attr_float(attrs.get("alpha", 0.2))
        return [node_def(name, op_name, ins, a)], f"{name}:{OUT_ARG[op_name]}:0"
    if op_name in ("Softmax", "LogSoftmax"):
        rank = len(in_info[0][1])
        if attrs.get("axis", -1) not in (-1, rank - 1):
            raise Unsupported(f"{op_name} over axis {attrs.get('axis')} (TensorFlow's op "
                              "takes the last axis)")
        return [node_def(name, op_name, ins, t)], f"{name}:{OUT_ARG[op_name]}:0"
    if op_name == "BiasAdd":
        return [node_def(name, "BiasAdd", ins, t)], f"{name}:output:0"
    if op_name == "Cast":
        a = {"SrcT": _T(dt), "DstT": _T(attrs["dtype"])}
        return [node_def(name, "Cast", ins, a)], f"{name}:y:0"
    if op_name in _REDUCE:
        axis = attrs.get("axis")
        rank = len(in_info[0][1])
        axis = list(range(rank)) if axis is None else list(np.atleast_1d(axis))
        r = const("reduction_indices", axis)
        a = dict(t, Tidx=_T(np.int32), keep_dims=P.attr_bool(attrs.get("keepdims", False)))
        return extra + [node_def(name, op_name, [ins[0], r], a)], f"{name}:output:0"
    if op_name == "Reshape" and "dynamic" in attrs:
        i, j = attrs["dynamic"]
        i32 = {"T": _T(np.int32)}
        nodes = [node_def(f"{name}/Shape", "Shape", [ins[0]], dict(t, out_type=_T(np.int32)))]
        refs = [const("begin", [j]), const("end", [j + 1]), const("strides", [1])]
        nodes.append(node_def(f"{name}/strided_slice", "StridedSlice",
                              [f"{name}/Shape:output:0"] + refs, dict(
                                  i32, Index=_T(np.int32), shrink_axis_mask=P.attr_int(1))))
        parts = [f"{name}/strided_slice:output:0" if k == i else const(f"dim_{k}", d)
                 for k, d in enumerate(attrs["shape"])]
        nodes.append(node_def(f"{name}/shape", "Pack", parts, dict(
            i32, N=P.attr_int(len(parts)), axis=P.attr_int(0))))
        return extra + nodes + [node_def(name, "Reshape", [ins[0], f"{name}/shape:output:0"],
                                         dict(t, Tshape=_T(np.int32)))], f"{name}:output:0"
    if op_name == "Reshape":
        s = const("shape", list(attrs["shape"]))
        return extra + [node_def(name, "Reshape", [ins[0], s], dict(
            t, Tshape=_T(np.int32)))], f"{name}:output:0"
    if op_name == "ExpandDims":
        d = const("dim", attrs["axis"])
        return extra + [node_def(name, "ExpandDims", [ins[0], d], dict(
            t, Tdim=_T(np.int32)))], f"{name}:output:0"
    if op_name == "Squeeze":
        if not attrs["axis"]:   # TensorFlow's empty squeeze_dims would squeeze every 1
            return [node_def(name, "Identity", ins, t)], f"{name}:output:0"
        return [node_def(name, "Squeeze", ins, dict(
            t, squeeze_dims=P.attr_ints(attrs["axis"])))], f"{name}:output:0"
    if op_name == "Transpose":
        perm = attrs.get("perm")
        perm = list(range(len(in_info[0][1])))[::-1] if perm is None else list(perm)
        p = const("perm", perm)
        return extra + [node_def(name, "Transpose", [ins[0], p], dict(
            t, Tperm=_T(np.int32)))], f"{name}:y:0"
    if op_name == "ConcatV2":
        ax = const("axis", attrs["axis"])
        a = dict(t, N=P.attr_int(len(ins)), Tidx=_T(np.int32))
        return extra + [node_def(name, "ConcatV2", list(ins) + [ax], a)], f"{name}:output:0"
    if op_name == "Pack":
        a = dict(t, N=P.attr_int(len(ins)), axis=P.attr_int(attrs.get("axis", 0)))
        return [node_def(name, "Pack", ins, a)], f"{name}:output:0"
    if op_name == "StridedSlice" and set(attrs) == {"key"}:
        begin, end, strides, masks = _key_masks(attrs["key"], len(in_info[0][1]))
        refs = [const("begin", begin), const("end", end), const("strides", strides)]
        a = dict(t, Index=_T(np.int32), **{k: P.attr_int(v) for k, v in masks.items() if v})
        return extra + [node_def(name, "StridedSlice", [ins[0]] + refs, a)], \
            f"{name}:output:0"
    raise Unsupported(f"op {op_name}")


# -- reading: TensorFlow op -> tapeflow --------------------------------------------------

def _dtype(node, key):
    v = node.attr(key)
    if not (isinstance(v, tuple) and v[0] == "type"):
        raise ValueError(f"node {node.name!r} ({node.op}) lacks its {key!r} type attribute")
    from tapeflow.framework import dtypes
    return dtypes.as_dtype(P.np_dtype(v[1]))


def _ints(t):
    return [int(v) for v in np.asarray(t.numpy()).reshape(-1)]


def _pairs(p):
    v = _ints(p)
    return [v[i:i + 2] for i in range(0, len(v), 2)]


def _nhwc(node, key):
    v = node.attr(key) or [1, 1, 1, 1]
    fmt = node.attr("data_format", b"NHWC") or b"NHWC"
    if fmt != b"NHWC" or len(v) != 4 or v[0] != 1 or v[3] != 1:
        raise ValueError(f"node {node.name!r} ({node.op}): only NHWC with unit batch and "
                         f"channel {key} is supported, got {fmt!r} {v}")
    return [int(v[1]), int(v[2])]


def _padding(node):
    p = node.attr("padding", b"VALID")
    if p not in (b"VALID", b"SAME"):
        raise ValueError(f"node {node.name!r} ({node.op}): padding {p!r} is not supported")
    return p.decode()


def _strided_slice(node, x, begin, end, strides):
    b, e, s = _ints(begin), _ints(end), _ints(strides)
    masks = {k: int(node.attr(k, 0) or 0) for k in (
        "begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")}
    key = []
    for i in range(len(b)):
        bit = 1 << i
        if masks["ellipsis_mask"] & bit:
            key.append(Ellipsis)
        elif masks["new_axis_mask"] & bit:
            key.append(None)
        elif masks["shrink_axis_mask"] & bit:
            key.append(b[i])
        else:
            key.append(slice(None if masks["begin_mask"] & bit else b[i],
                             None if masks["end_mask"] & bit else e[i], s[i]))
    return x[tuple(key)]


def _kernels():
    import tapeflow as tf
    un = {"Relu": tf.nn.relu, "Relu6": tf.nn.relu6, "Elu": tf.nn.elu, "Selu": tf.nn.selu,
          "Softplus": tf.nn.softplus, "Softsign": tf.nn.softsign, "Sigmoid": tf.sigmoid,
          "Tanh": tf.tanh, "Exp": tf.exp, "Log": tf.math.log, "Log1p": tf.math.log1p,
          "Expm1": tf.math.expm1, "Neg": tf.negative, "Sqrt": tf.sqrt,
          "Rsqrt": tf.math.rsqrt, "Square": tf.square, "Abs": tf.abs, "Sin": tf.sin,
          "Cos": tf.cos, "Floor": tf.floor, "Ceil": tf.math.ceil,
          "Reciprocal": tf.math.reciprocal, "Sign": tf.sign, "Erf": tf.math.erf,
          "Round": tf.round, "Erfc": tf.math.erfc, "Identity": tf.identity, "Softmax": tf.nn.softmax,
          "LogSoftmax": tf.nn.log_softmax}
    bi = {"AddV2": tf.add, "Add": tf.add, "Sub": tf.subtract, "Mul": tf.multiply,
          "RealDiv": tf.math.truediv, "Maximum": tf.maximum, "Minimum": tf.minimum,
          "Pow": tf.pow, "SquaredDifference": tf.math.squared_difference,
          "FloorDiv": tf.math.floordiv, "FloorMod": tf.math.floormod,
          "Greater": tf.greater, "GreaterEqual": tf.greater_equal, "Less": tf.less,
          "LessEqual": tf.less_equal, "Equal": tf.equal, "NotEqual": tf.not_equal,
          "DivNoNan": tf.math.divide_no_nan}
    k = {n: (lambda f: lambda node, x: [f(x)])(f) for n, f in un.items()}
    k.update({n: (lambda f: lambda node, x, y: [f(x, y)])(f) for n, f in bi.items()})
    red = {"Sum": tf.reduce_sum, "Mean": tf.reduce_mean, "Max": tf.reduce_max,
           "Min": tf.reduce_min, "Prod": tf.reduce_prod}
    k.update({n: (lambda f: lambda node, x, ax: [f(x, _ints(ax), keepdims=bool(
        node.attr("keep_dims", False)))])(f) for n, f in red.items()})
    k.update({
        "LeakyRelu": lambda node, x: [tf.nn.leaky_relu(x, node.attr("alpha", 0.2))],
        "MatMul": lambda node, a, b: [tf.matmul(a, b, transpose_a=bool(node.attr(
            "transpose_a", False)), transpose_b=bool(node.attr("transpose_b", False)))],
        "BatchMatMulV2": lambda node, a, b: [tf.matmul(a, b, adjoint_a=bool(node.attr(
            "adj_x", False)), adjoint_b=bool(node.attr("adj_y", False)))],
        "BiasAdd": lambda node, x, b: [tf.nn.bias_add(x, b, data_format=(node.attr(
            "data_format", b"NHWC") or b"NHWC").decode())],
        "Cast": lambda node, x: [tf.cast(x, _dtype(node, "DstT"))],
        "Reshape": lambda node, x, s: [tf.reshape(x, _ints(s))],
        "Transpose": lambda node, x, p: [tf.transpose(x, _ints(p))],
        "ConcatV2": lambda node, *a: [tf.concat(list(a[:-1]), _ints(a[-1])[0])],
        "Pack": lambda node, *a: [tf.stack(list(a), axis=node.attr("axis", 0) or 0)],
        "ExpandDims": lambda node, x, d: [tf.expand_dims(x, _ints(d)[0])],
        "Squeeze": lambda node, x: [tf.squeeze(x, node.attr("squeeze_dims") or None)],
        "StridedSlice": lambda node, *a: [_strided_slice(node, *a)],
        "Conv2D": lambda node, x, f: [tf.nn.conv2d(
            x, f, _nhwc(node, "strides"), _padding(node), data_format="NHWC",
            dilations=_nhwc(node, "dilations"))],
        "MaxPool": lambda node, x: [tf.nn.max_pool2d(x, _nhwc(node, "ksize"), _nhwc(
            node, "strides"), _padding(node))],
        "AvgPool": lambda node, x: [tf.nn.avg_pool2d(x, _nhwc(node, "ksize"), _nhwc(
            node, "strides"), _padding(node))],
        "GatherV2": lambda node, p, i, ax: [tf.gather(p, i, axis=_ints(ax)[0], batch_dims=int(
            node.attr("batch_dims", 0) or 0))],
        "StopGradient": lambda node, x: [tf.stop_gradient(x)],
        "SelectV2": lambda node, c, a, b: [tf.where(c, a, b)],
        "Select": lambda node, c, a, b: [tf.where(c, a, b)],
        "LogicalAnd": lambda node, a, b: [tf.logical_and(a, b)],
        "LogicalOr": lambda node, a, b: [tf.logical_or(a, b)],
        "LogicalNot": lambda node, a: [tf.logical_not(a)],
        "ArgMax": lambda node, x, d: [tf.argmax(x, _ints(d)[0], output_type=_dtype(
            node, "output_type") if "output_type" in node.attrs else tf.int64)],
        "ArgMin": lambda node, x, d: [tf.argmin(x, _ints(d)[0], output_type=_dtype(
            node, "output_type") if "output_type" in node.attrs else tf.int64)],
        "Fill": lambda node, dims, v: [tf.fill(_ints(dims), v)],
        "IdentityN": lambda node, *a: [tf.identity(x) for x in a],
        "Einsum": lambda node, *a: [tf.einsum(node.attr("equation", b"").decode(), *a)],
        "Pad": lambda node, x, p: [tf.pad(x, _pairs(p))],
        "PadV2": lambda node, x, p, c: [tf.pad(x, _pairs(p), constant_values=c)],
        "MirrorPad": lambda node, x, p: [tf.pad(x, _pairs(p), mode=(node.attr(
            "mode", b"REFLECT") or b"REFLECT").decode())],
        "Tile": lambda node, x, m: [tf.tile(x, _ints(m))],
        "DepthwiseConv2dNative": lambda node, x, f: [tf.nn.depthwise_conv2d(
            x, f, [1] + _nhwc(node, "strides") + [1], _padding(node),
            dilations=_nhwc(node, "dilations"))],
        "Conv2DBackpropInput": lambda node, sizes, f, dy: [tf.nn.conv2d_transpose(
            dy, f, _ints(sizes), [1] + _nhwc(node, "strides") + [1], _padding(node),
            dilations=[1] + _nhwc(node, "dilations") + [1])],
        "OneHot": lambda node, i, depth, on, off: [tf.one_hot(
            i, _ints(depth)[0], on, off, axis=node.attr("axis", -1))],
        "Split": lambda node, ax, x: tf.split(x, int(node.attr("num_split", 1)),
                                              axis=_ints(ax)[0]),
        "SplitV": lambda node, x, sizes, ax: tf.split(x, _ints(sizes), axis=_ints(ax)[0]),
        "Unpack": lambda node, x: tf.unstack(x, axis=node.attr("axis", 0) or 0),
        "Slice": lambda node, x, b, s: [tf.slice(x, _ints(b), _ints(s))],
        "Range": lambda node, a, b, d: [tf.range(a, b, d)],
        "Shape": lambda node, x: [tf.shape(x, out_type=_dtype(node, "out_type")
                                           if "out_type" in node.attrs else tf.int32)],
    })
    return k


# Ops handled by the executor itself (variables, constants, calls, control).
SPECIAL = frozenset(("Const", "ReadVariableOp", "AssignVariableOp", "AssignAddVariableOp",
                     "AssignSubVariableOp", "NoOp", "StatefulPartitionedCall",
                     "PartitionedCall"))
_KERNELS = []


def kernels():
    """Returns ``{TensorFlow op name: fn(node, *input tensors) -> [output tensors]}``."""
    if not _KERNELS:
        _KERNELS.append(_kernels())
    return _KERNELS[0]


def allowed(op):
    """Returns True if the loader runs TensorFlow op ``op``."""
    return op in SPECIAL or op in kernels()
