"""``tapeflow run``: runs a TensorFlow program or notebook against tapeflow and reports.

Code cells of a notebook run in order in one namespace. IPython magics
(``%...``, ``%%...``) and shell lines (``!...``) are skipped with a notice.
``plt.show()`` saves the open figures into the output folder instead of blocking.
"""
import json
import os
import sys
import traceback

from tapeflow.compat.aliases import tensorflow_aliases
from tapeflow.compat.api_check import missing_apis


class Cell:
    """One unit of code to run: a whole script, or one notebook code cell."""

    def __init__(self, index, source, label):
        self.index = index
        self.source = source
        self.label = label
        self.error = None
        self.skipped_lines = []


def read_cells(path):
    """Returns the program's cells: one for a ``.py`` file, one per code cell of a notebook.

    Raises:
      ValueError: if a notebook is not valid JSON in the nbformat layout.
    """
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not path.endswith(".ipynb"):
        return [Cell(0, text, os.path.basename(path))]
    try:
        nb = json.loads(text)
        cells = nb["cells"]
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{path} is not a readable notebook: {e}") from None
    out = []
    for raw in cells:
        if raw.get("cell_type") != "code":
            continue
        src = raw.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        out.append(Cell(len(out), src, f"cell {len(out) + 1}"))
    for cell in out:
        _strip_magics(cell)
    return out


def _strip_magics(cell):
    lines = cell.source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        cell.skipped_lines = [(1, lines[0].strip())]
        cell.source = ""
        return
    kept = []
    for i, line in enumerate(lines, 1):
        s = line.lstrip()
        if s.startswith("%") or s.startswith("!"):
            cell.skipped_lines.append((i, s))
            kept.append("")  # keep line numbers stable
        else:
            kept.append(line)
    cell.source = "\n".join(kept)


def _patch_show(out_dir, saved):
    try:
        os.environ.setdefault("MPLBACKEND", "Agg")
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    original = plt.show

    def show(*args, **kwargs):
        for num in plt.get_fignums():
            os.makedirs(out_dir, exist_ok=True)
            path = os.path.join(out_dir, f"figure_{len(saved) + 1}.png")
            plt.figure(num).savefig(path)
            saved.append(path)
        plt.close("all")

    plt.show = show
    return plt, original


def run_program(path, out_dir="tapeflow-run", stream=None, argv=None):
    """Runs a program or notebook written for TensorFlow with tapeflow in its place.

    Args:
      path: a ``.py`` script or ``.ipynb`` notebook.
      out_dir: where figures shown with ``plt.show()`` are saved.
      stream: where the report goes (stdout by default).
      argv: ``sys.argv[1:]`` for the program.

    Returns:
      The exit status: 0 if every cell ran, 1 otherwise.
    """
    stream = stream or sys.stdout
    cells = read_cells(path)
    missing = []
    aliases = {}
    for cell in cells:
        try:
            for name, line in missing_apis(cell.source, path, aliases):
                missing.append((name, cell, line))
        except SyntaxError:
            pass  # reported when the cell runs
    saved = []
    namespace = {"__name__": "__main__", "__file__": os.path.abspath(path),
                 "__builtins__": __builtins__}
    old_argv = sys.argv
    sys.argv = [path] + list(argv or [])
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    with tensorflow_aliases():
        patched = _patch_show(out_dir, saved)
        try:
            for cell in cells:
                for line, text in cell.skipped_lines:
                    print(f"tapeflow run: skipped {cell.label}, line {line}: {text}", file=stream)
                try:
                    code = compile(cell.source, f"{path} ({cell.label})", "exec")
                    exec(code, namespace)
                except SystemExit as e:
                    if e.code not in (None, 0):
                        cell.error = f"SystemExit: {e.code}"
                except BaseException as e:  # noqa: BLE001  report every failure, go on
                    if isinstance(e, KeyboardInterrupt):
                        raise
                    tb = traceback.extract_tb(e.__traceback__)
                    lines = [fr.lineno for fr in tb if fr.filename.startswith(path)]
                    where = f", line {lines[-1]}" if lines else ""
                    cell.error = f"{type(e).__name__}: {e}"
                    cell.error_where = where
                    traceback.print_exception(type(e), e, e.__traceback__, file=sys.stderr)
        finally:
            sys.argv = old_argv
            sys.path.pop(0)
            if patched:
                plt, original = patched
                plt.show = original
    return _report(path, cells, missing, saved, stream)


def _report(path, cells, missing, saved, stream):
    failed = [c for c in cells if c.error]
    print(f"\ntapeflow run: compatibility report for {path}", file=stream)
    unit = "cells" if path.endswith(".ipynb") else "programs"
    print(f"  {unit} run: {len(cells)}, failed: {len(failed)}", file=stream)
    for c in failed:
        print(f"  FAILED {c.label}{getattr(c, 'error_where', '')}: {c.error}", file=stream)
    if missing:
        print("  TensorFlow/Keras APIs that tapeflow does not provide:", file=stream)
        for name, cell, line in missing:
            where = f"{cell.label}, line {line}" if path.endswith(".ipynb") else f"line {line}"
            print(f"    {name}  ({where})", file=stream)
    else:
        print("  every TensorFlow/Keras API used is provided by tapeflow", file=stream)
    for p in saved:
        print(f"  figure saved: {p}", file=stream)
    return 1 if failed else 0
