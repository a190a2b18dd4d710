"""tracking/sm_ops.py: the allow-list of ops a loaded SavedModel may run."""
from tapeflow.tracking import sm_ops


def test_allow_list_admits_math_and_refuses_io_and_python():
    for op in ("AddV2", "MatMul", "ReadVariableOp", "StatefulPartitionedCall"):
        assert sm_ops.allowed(op), op
    for op in ("ReadFile", "WriteFile", "PyFunc", "SaveV2", "RestoreV2"):
        assert not sm_ops.allowed(op), op
