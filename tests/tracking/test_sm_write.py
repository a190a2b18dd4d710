"""tracking/sm_write.py: a traced ConcreteFunction written as a TensorFlow FunctionDef."""
from tapeflow.tracking import sm_proto as P
from tapeflow.tracking import sm_write
from tests.tracking._sm_common import Scale


def test_function_def_layout():
    m = Scale()
    cf = m.__call__.get_concrete_function()
    body, bound = sm_write.function_def(cf, "__inference_f_1", {id(m.v): 1})
    fdef = P.FunctionDef(body)
    # tensor inputs first (named after the Python parameter), then one DT_RESOURCE (20)
    # per captured variable, bound to the variable's node
    assert fdef.input_args == [("x", 1), ("variable_resource", 20)]
    assert bound == [1]
    assert [n.op for n in fdef.nodes] == ["ReadVariableOp", "Mul", "Identity"]
