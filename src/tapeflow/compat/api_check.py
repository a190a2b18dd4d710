"""Finds the TensorFlow/Keras names a program uses that tapeflow does not provide.

Static: reads the source with ``ast``, follows the aliases its imports create
(``import tensorflow as tf``, ``from tensorflow.keras import layers`` ...) and
resolves every attribute chain rooted at one of them against tapeflow.
"""
import ast
import importlib

from tapeflow.compat.aliases import target_name


def _resolve(dotted):
    """Returns the part of ``dotted`` (a TensorFlow/Keras path) that tapeflow lacks, or None."""
    parts = dotted.split(".")
    # find the longest importable module prefix
    obj = None
    for i in range(len(parts), 0, -1):
        name = target_name(".".join(parts[:i]))
        if name is None:
            return None
        try:
            obj = importlib.import_module(name)
        except ImportError:
            continue
        rest = parts[i:]
        break
    else:
        return dotted
    done = parts[:len(parts) - len(rest)]
    for attr in rest:
        try:
            obj = getattr(obj, attr)
        except Exception:
            return ".".join(done + [attr])
        done.append(attr)
    return None


def _imports(tree, aliases):
    missing = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if target_name(a.name) is None:
                    continue
                if a.asname:
                    aliases[a.asname] = a.name
                else:
                    aliases[a.name.split(".")[0]] = a.name.split(".")[0]
                lack = _resolve(a.name)
                if lack:
                    missing.append((lack, node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if target_name(node.module) is None:
                continue
            for a in node.names:
                if a.name == "*":
                    continue
                full = f"{node.module}.{a.name}"
                aliases[a.asname or a.name] = full
                lack = _resolve(full)
                if lack:
                    missing.append((lack, node.lineno))
    return missing


def _chain(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return list(reversed(parts))
    return None


def missing_apis(source, filename="<program>", aliases=None):
    """Returns ``[(dotted_name, line)]`` for TensorFlow/Keras names tapeflow lacks.

    Args:
      aliases: a dict of import aliases seen so far (notebook cells share one); it is
        updated with this source's imports.

    Raises:
      SyntaxError: if ``source`` does not parse.
    """
    tree = ast.parse(source, filename)
    aliases = {} if aliases is None else aliases
    missing = _imports(tree, aliases)
    seen = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or isinstance(getattr(node, "ctx", None),
                                                             ast.Store):
            continue
        chain = _chain(node)
        if not chain or chain[0] not in aliases:
            continue
        dotted = ".".join([aliases[chain[0]]] + chain[1:])
        if dotted in seen:
            continue
        seen.add(dotted)
        lack = _resolve(dotted)
        if lack:
            missing.append((lack, node.lineno))
    out, reported = [], set()
    for name, line in sorted(missing, key=lambda m: (m[1], m[0])):
        if name not in reported:
            reported.add(name)
            out.append((name, line))
    return out
