"""Layering rules (DESIGN.md, STYLE.md), checked by reading the source:

1. nothing outside ``ops/`` (and the engine itself, ``framework/``) defines a primitive;
2. nothing outside ``framework/`` imports or reaches a module-private (underscore) name of a
   ``framework`` module (``prim._tapes``, ``from ...primitive import _x``);
3. nothing outside ``framework/`` reads the engine's private object fields (a Tensor's
   ``_value``, a Variable's ``_tensor``, a tape's fields, a DType's ``_np``) -- except
   the op layer, whose kernels work on the raw arrays by design (``_value``, ``_np``), and
   the files on ALLOWED below.

ALLOWED is a shrinking allow-list: the counts of today's reads, file by file, that predate
the public contract (``Tensor.shape`` is now cheap; ``Tensor.array`` (the array, no copy),
``convert_to_tensor``, ``DType.as_numpy_dtype``, ``framework.variable.array_of``/``rebind``/
``variable_accessed``, ``primitive.recording``/``record`` are the public ways). A count may
go down (lower it here), never up, and no new file may join.
"""
import ast
import collections
import pathlib

import tapeflow

ROOT = pathlib.Path(tapeflow.__file__).parent
# the engine's private object fields (names distinctive enough to attribute to framework/)
PRIVATE_FIELDS = {"_value", "_tensor", "_np", "_dims", "_recording", "_records", "_watched",
                  "_watch_variable", "_watch_accessed", "_var_reads", "_set", "_unread"}
OPS_MAY_READ = {"_value", "_np"}   # kernels run on raw arrays: the op layer's job

# file -> number of private-field reads left to convert (shrink only).
ALLOWED = {
    "data/dataset.py": 1,
    "data/sources.py": 2,
    "data/structure.py": 2,
    "data/transformations.py": 2,
    "debugging.py": 13,
    "ragged_tensor.py": 7,
    "strings.py": 4,
}


def _files():
    for p in sorted(ROOT.rglob("*.py")):
        rel = p.relative_to(ROOT).as_posix()
        if not rel.startswith("framework/"):
            yield rel, ast.parse(p.read_text(encoding="utf-8"))


def _framework_aliases(tree):
    """Names bound to framework modules in this file: ``from tapeflow.framework import x``."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "tapeflow.framework":
            for a in node.names:
                out[a.asname or a.name] = a.name
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("tapeflow.framework.") and a.asname:
                    out[a.asname] = a.name
    return out


def _private(name):
    return name.startswith("_") and not name.startswith("__")


def test_only_ops_define_primitives():
    bad = []
    for rel, tree in _files():
        if rel.startswith("ops/"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "tapeflow.framework.primitive":
                bad += [f"{rel}: imports {a.name}" for a in node.names
                        if a.name in ("primitive", "Op")]
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                if name == "primitive" and isinstance(f, ast.Attribute):
                    bad.append(f"{rel}:{node.lineno}: calls .primitive(...)")
    assert not bad, "primitives are defined in ops/ only:\n" + "\n".join(bad)


# ops/ files that still declare an op outside ``defop`` (file -> count of such
# declarations). Shrink only: lower a count when you move an op, never add a file.
OPS_RAW_PRIMITIVES = {
    # If/Case/While: one Op object per traced call, holding that call's sub-graphs (never
    # registered by name), so there is nothing for a one-time declaration to declare.
    "ops/control_flow_ops.py": 1,
}
_RAW = ("primitive", "Op", "make_unary", "make_binary")


def _raw_primitives(tree):
    """The lines that declare an op without ``defop``: importing the engine's raw
    decorator/wrappers, calling them, or registering a rule with ``.def_grad``."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "tapeflow.framework.primitive":
            lines += [node.lineno for a in node.names if a.name in _RAW]
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in _RAW or name == "def_grad":
                lines.append(node.lineno)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            for d in node.decorator_list:   # ``@primitive(...)``, ``@op.def_grad``
                f = d.func if isinstance(d, ast.Call) else d
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                if name == "def_grad":
                    lines.append(d.lineno)
    return sorted(set(lines))


def test_ops_declare_every_op_with_defop():
    """Every op in ops/ is declared once with ``framework.op_def.defop`` (its wrapper,
    dtype checks, recording and exports derive from that), not with the raw primitive."""
    found = {}
    for rel, tree in _files():
        if rel.startswith("ops/"):
            lines = _raw_primitives(tree)
            if lines:
                found[rel] = lines
    over = {f: ls for f, ls in found.items() if len(ls) > OPS_RAW_PRIMITIVES.get(f, 0)}
    assert not over, "declare these ops with defop (framework/op_def.py):\n" + "\n".join(
        f"{f}: lines {ls}" for f, ls in sorted(over.items()))
    stale = {f: n for f, n in OPS_RAW_PRIMITIVES.items() if len(found.get(f, ())) < n}
    assert not stale, f"lower OPS_RAW_PRIMITIVES (shrink only): {stale}"


def test_no_module_private_framework_names_outside_framework():
    bad = []
    for rel, tree in _files():
        aliases = _framework_aliases(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "tapeflow.framework."):
                bad += [f"{rel}:{node.lineno}: imports {a.name}" for a in node.names
                        if _private(a.name)]
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                    node.value.id in aliases and _private(node.attr):
                bad.append(f"{rel}:{node.lineno}: {node.value.id}.{node.attr}")
    # tf.config.run_functions_eagerly sets function.py's flag (tf.function is being rebuilt
    # on another branch; it should grow a public setter there).
    bad = [b for b in bad if not b.startswith("config.py") or "_RUN_EAGERLY" not in b]
    assert not bad, "framework's private names used outside it:\n" + "\n".join(bad)


def _field_reads():
    counts = collections.Counter()
    where = collections.defaultdict(list)
    for rel, tree in _files():
        allowed = OPS_MAY_READ if rel.startswith("ops/") else set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in PRIVATE_FIELDS and \
                    node.attr not in allowed:
                if isinstance(node.value, ast.Name) and node.value.id == "self":
                    continue  # a class's own field of the same name
                counts[rel] += 1
                where[rel].append(f"{node.lineno}:{node.attr}")
    return counts, where


def test_private_engine_fields_only_where_allowed_and_shrinking():
    counts, where = _field_reads()
    allowed = dict(ALLOWED, **KERAS_ALLOWED)
    problems = [f"{rel}: {n} reads of engine-private fields (allowed {allowed.get(rel, 0)}): "
                f"{where[rel][:8]}" for rel, n in sorted(counts.items())
                if n > allowed.get(rel, 0)]
    assert not problems, "\n".join(problems)


# keras/ files and their reads left to convert; each count may only shrink. All converted:
# Keras reads arrays through ``Tensor.array``, variables through ``variable.array_of`` and
# NumPy dtypes through ``DType.as_numpy_dtype`` (the engine's public contract).
KERAS_ALLOWED = {}
