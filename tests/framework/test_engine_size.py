"""The engine stays small enough to read in one sitting (DESIGN.md: guard its size).

Budgets are today's line counts plus about 30%; raise one only with a reason.
"""
import os

import pytest

FRAMEWORK = os.path.join(os.path.dirname(__file__), "..", "..", "src", "tapeflow", "framework")

# file -> line budget (counts on the day the budget was set in brackets)
BUDGETS = {
    "custom_gradient.py": 165,   # [127]
    "dtypes.py": 280,            # [214]
    "errors.py": 105,            # [80]
    "function.py": 170,          # [130]
    "indexed_slices.py": 75,     # [56]
    "nest.py": 140,              # [106]
    # the op-declaration API (2026-12, issue 12): TensorFlow's dtype lists, five generated
    # wrappers (unary, binary, reduce, scan, arg) and TensorFlow's axis rules, replacing
    # make_unary/make_binary and per-op checks as ops move onto it
    # + ``kind="call"``'s declaration (``args``/``typed``/``num_outputs``; its wrapper and
    # TensorFlow's integer-argument rules live in op_args.py), which carries the array,
    # indexing, sorting, casting and matmul ops; and kind="call" without ``args``
    # (``op(*tensors, **attrs)``: nn, linalg, image, signal ops) with a dtype-name memo
    "op_def.py": 490,            # [392]
    "context.py": 110,           # [87] the per-thread engine state
    "primitive.py": 390,         # [298]
    "printing.py": 200,          # [153]
    "tape.py": 540,              # [412]
    "tensor.py": 440,            # [338]
    "tensor_shape.py": 210,      # [159]
    "tensor_spec.py": 125,       # [94]
    "variable.py": 400,          # [304]
}
TOTAL_BUDGET = 3450              # [2472]; +op_args.py (TensorFlow's integer-argument rules)
#                                  +op_def's plain kind="call" wrapper (nn/linalg/image ops)
NEW_FILE_BUDGET = 300


def _lines(name):
    with open(os.path.join(FRAMEWORK, name), encoding="utf-8") as f:
        return sum(1 for _ in f)


def _files():
    return sorted(n for n in os.listdir(FRAMEWORK) if n.endswith(".py") and n != "__init__.py")


@pytest.mark.parametrize("name", _files())
def test_file_within_budget(name):
    n = _lines(name)
    budget = BUDGETS.get(name, NEW_FILE_BUDGET)
    assert n <= budget, f"framework/{name} has {n} lines, over its budget of {budget}"


def test_engine_total_within_budget():
    total = sum(_lines(n) for n in _files())
    assert total <= TOTAL_BUDGET, f"framework/ has {total} lines, over {TOTAL_BUDGET}"


def test_every_module_under_600_lines():
    for name in _files():
        assert _lines(name) <= 600, f"framework/{name} is over 600 lines: split it"


def test_op_kernels_take_numpy_from_the_backend_module():
    # DESIGN.md: kernels get their array module from tapeflow.backend, so that another
    # namespace (CuPy) can be swapped in; no op module imports numpy directly.
    import pathlib
    import re
    import tapeflow.ops as ops
    direct = re.compile(r"^\s*import numpy\b", re.M)
    for path in pathlib.Path(ops.__file__).parent.glob("*.py"):
        assert not direct.search(path.read_text()), path.name
