"""``tapeflow run``: TensorFlow programs and notebooks run against tapeflow, with a report."""
import io
import json

import pytest

from tapeflow.compat.runner import run_program


def test_script_runs_and_reports_success(tmp_path):
    prog = tmp_path / "prog.py"
    prog.write_text("import tensorflow as tf\n"
                    "v = tf.Variable(3.)\n"
                    "with tf.GradientTape() as tape:\n"
                    "    y = v * v\n"
                    "print('grad', float(tape.gradient(y, v)))\n")
    out = io.StringIO()
    status = run_program(str(prog), out_dir=str(tmp_path / "figs"), stream=out)
    assert status == 0
    text = out.getvalue()
    assert "programs run: 1, failed: 0" in text
    assert "every TensorFlow/Keras API used is provided by tapeflow" in text


def test_notebook_with_missing_api_fails_and_is_reported(tmp_path, capsys):
    nb = {"cells": [
        {"cell_type": "markdown", "source": ["# title"]},
        {"cell_type": "code", "source": ["%matplotlib inline\n", "import tensorflow as tf\n",
                                         "x = tf.ones((2, 2))"]},
        {"cell_type": "code", "source": ["!pip install something\n", "y = x + 1"]},
        {"cell_type": "code", "source": ["z = tf.frobnicate(y)"]},
        {"cell_type": "code", "source": ["w = y * 2\n", "assert float(w[0, 0]) == 4.0"]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    out = io.StringIO()
    status = run_program(str(path), out_dir=str(tmp_path / "figs"), stream=out)
    text = out.getvalue()
    assert status == 1
    assert "skipped cell 1, line 1: %matplotlib inline" in text
    assert "skipped cell 2, line 1: !pip install something" in text
    assert "cells run: 4, failed: 1" in text
    assert "FAILED cell 3, line 1: AttributeError" in text
    assert "tensorflow.frobnicate  (cell 3, line 1)" in text


def test_plt_show_saves_figures(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib (viz extra) not installed")
    prog = tmp_path / "plot.py"
    prog.write_text("import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()\n")
    out = io.StringIO()
    assert run_program(str(prog), out_dir=str(tmp_path / "figs"), stream=out) == 0
    assert (tmp_path / "figs" / "figure_1.png").exists()
