"""The meta graph's top-level graph, ``signature_def`` map and ``saver_def``: what TensorFlow 1
style and C++ loaders (TensorFlow Serving, ``saved_model_cli run``,
``tf.compat.v1.saved_model.load``) run.

As TensorFlow writes it: one ``VarHandleOp`` per variable; per signature, a ``Placeholder``
per input (``serving_default_x``) and a ``StatefulPartitionedCall`` of the signature's
wrapper function on the placeholders and the variable handles, whose outputs are the
``SignatureDef``'s outputs in sorted key order; ``saver_filename`` and two more calls, of a
save function (``SaveV2`` of every variable under its checkpoint key) and a restore
function (``RestoreV2`` + ``AssignVariableOp``), named by the ``SaverDef``.
"""
import numpy as np

from tapeflow.tracking import sm_ops
from tapeflow.tracking import sm_proto as P
from tapeflow.tracking import tensor_bundle as tb

F = P.F
_STR = np.dtype(object)


def _shape_attr(shape):
    return F(7, P.shape_proto(shape))


def _tensor_info(name, dtype, shape):
    return F(1, name.encode()) + F(2, P.dt_enum(dtype)) + F(3, P.shape_proto(shape))


def _fdef(name, inputs, outputs, nodes, ret, stateful=True):
    sig = F(1, name.encode())
    sig += b"".join(F(2, F(1, a.encode()) + F(3, t)) for a, t in inputs)
    sig += b"".join(F(3, F(1, a.encode()) + F(3, t)) for a, t in outputs)
    sig += F(17, 1) if stateful else b""
    return F(1, sig) + b"".join(F(3, n) for n in nodes) + \
        b"".join(P.entry(4, k, v.encode()) for k, v in ret.items())


def _saver_functions(variables, counter):
    """Returns ``(save FunctionDef, restore FunctionDef, save name, restore name)``."""
    keys = np.array([v[2].encode() for v in variables], dtype=object)
    slices = np.array([b""] * len(variables), dtype=object)
    dts = [v[1] for v in variables]
    handles = [(f"v{i}", P.DT_RESOURCE) for i in range(len(variables))]
    save_name = f"__inference__traced_save_{counter}"
    nodes = [sm_ops.const_node("tensor_names", keys),
             sm_ops.const_node("shape_and_slices", slices)]
    reads = []
    for i, dt in enumerate(dts):
        nodes.append(sm_ops.node_def(f"read_{i}", "ReadVariableOp", [f"v{i}"],
                                     {"dtype": P.attr_type(dt)}))
        reads.append(f"read_{i}:value:0")
    nodes.append(sm_ops.node_def("SaveV2", "SaveV2", [
        "file_prefix", "tensor_names:output:0", "shape_and_slices:output:0"] + reads,
        {"dtypes": P.attr_types(dts)}))
    nodes.append(sm_ops.node_def("Identity", "Identity", ["file_prefix", "^SaveV2"],
                                 {"T": P.attr_type(_STR)}))
    save = _fdef(save_name, [("file_prefix", P.dt_enum(_STR))] + handles,
                 [("identity", P.dt_enum(_STR))], nodes, {"identity": "Identity:output:0"})
    restore_name = f"__inference__traced_restore_{counter + 1}"
    nodes = [sm_ops.const_node("tensor_names", keys),
             sm_ops.const_node("shape_and_slices", slices),
             sm_ops.node_def("RestoreV2", "RestoreV2", [
                 "file_prefix", "tensor_names:output:0", "shape_and_slices:output:0"],
                 {"dtypes": P.attr_types(dts)})]
    assigns = []
    for i, dt in enumerate(dts):
        nodes.append(sm_ops.node_def(f"AssignVariableOp_{i}", "AssignVariableOp", [
            f"v{i}", f"RestoreV2:tensors:{i}"], {"dtype": P.attr_type(dt)}))
        assigns.append(f"^AssignVariableOp_{i}")
    nodes.append(sm_ops.node_def("Identity", "Identity", ["file_prefix"] + assigns,
                                 {"T": P.attr_type(_STR)}))
    restore = _fdef(restore_name, [("file_prefix", P.dt_enum(_STR))] + handles,
                    [("identity", P.dt_enum(_STR))], nodes, {"identity": "Identity:output:0"})
    return save, restore, save_name, restore_name


def top_level(variables, signatures, counter):
    """Returns ``(graph nodes, extra FunctionDefs, signature_def entries, SaverDef)`` bytes.

    ``variables``: ``[(node id, dtype, checkpoint key, shape)]``; ``signatures``:
    ``[(key, wrapper function name, [(input name, TensorSpec)], {output key: TensorSpec},
    bound variable node ids)]``.
    """
    nodes, handle = [], {}
    for i, (node_id, dt, _, shape) in enumerate(variables):
        name = f"Variable_{i}" if i else "Variable"
        handle[node_id] = name
        nodes.append(sm_ops.node_def(name, "VarHandleOp", [], {
            "dtype": P.attr_type(dt), "shape": _shape_attr(shape),
            "shared_name": P.attr_str(name)}))
    sig_entries = []
    calls = 0

    def call_name():
        nonlocal calls
        calls += 1
        return "StatefulPartitionedCall" if calls == 1 else \
            f"StatefulPartitionedCall_{calls - 1}"
    for key, fname, inputs, outputs, bound in signatures:
        ins, infos = [], b""
        for arg, spec in inputs:
            pname = f"{key}_{arg}"
            shape = None if spec.shape.rank is None else spec.shape.as_list()
            nodes.append(sm_ops.node_def(pname, "Placeholder", [], {
                "dtype": P.attr_type(spec.dtype), "shape": _shape_attr(shape)}))
            ins.append(pname)
            infos += P.entry(1, arg, _tensor_info(f"{pname}:0", spec.dtype, shape))
        cname = call_name()
        keys = sorted(outputs)
        tin = [P.dt_enum(spec.dtype) for _, spec in inputs] + [P.DT_RESOURCE] * len(bound)
        nodes.append(sm_ops.node_def(cname, "StatefulPartitionedCall",
                                     ins + [handle[b] for b in bound], {
                                         "f": P.attr_func(fname),
                                         "Tin": F(1, b"".join(F(6, t) for t in tin)),
                                         "Tout": P.attr_types([outputs[k].dtype
                                                               for k in keys])}))
        outs = b"".join(P.entry(2, k, _tensor_info(
            f"{cname}:{j}", outputs[k].dtype,
            None if outputs[k].shape.rank is None else outputs[k].shape.as_list()))
            for j, k in enumerate(keys))
        sig_entries.append(P.entry(5, key, infos + outs + F(3, b"tensorflow/serving/predict")))
    functions = []
    saver = b""
    if variables:
        save, restore, save_name, restore_name = _saver_functions(variables, counter)
        functions = [save, restore]
        nodes.append(sm_ops.node_def("saver_filename", "Placeholder", [], {
            "dtype": P.attr_type(_STR), "shape": _shape_attr([])}))
        hs = [handle[v[0]] for v in variables]
        tin = F(1, F(6, P.dt_enum(_STR)) + b"".join(F(6, P.DT_RESOURCE) for _ in hs))
        tout = P.attr_types([_STR])
        save_call, restore_call = call_name(), call_name()
        nodes.append(sm_ops.node_def(save_call, "StatefulPartitionedCall",
                                     ["saver_filename"] + hs,
                                     {"f": P.attr_func(save_name), "Tin": tin, "Tout": tout}))
        nodes.append(sm_ops.node_def(restore_call, "StatefulPartitionedCall",
                                     ["saver_filename"] + hs,
                                     {"f": P.attr_func(restore_name), "Tin": tin,
                                      "Tout": tout}))
        saver = F(1, b"saver_filename:0") + F(2, f"{save_call}:0".encode()) + \
            F(3, restore_call.encode()) + F(4, 5) + F(5, 1) + \
            tb._fixed32(6, 0x45610000) + F(7, 2)   # keep every 10000 hours, V2
    return nodes, functions, b"".join(sig_entries), saver
