"""The ``tapeflow`` command line: help, one-line errors, exit statuses."""
import subprocess
import sys

from tapeflow.cli import main


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "tapeflow", *args], capture_output=True,
                          text=True, timeout=120)


def test_no_arguments_lists_the_commands(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "demo" in out and "run" in out


def test_help_lists_the_commands():
    r = run_cli("--help")
    assert r.returncode == 0
    assert "demo" in r.stdout and "run" in r.stdout


def test_bad_option_is_one_line_and_nonzero():
    r = run_cli("demo", "--steps", "-3")
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0
    assert "--steps" in r.stderr and "positive integer" in r.stderr


def test_unwritable_output_folder_is_one_line_and_nonzero(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = run_cli("demo", "--out", str(blocker / "sub"), "--no-gif")
    assert r.returncode == 1
    assert r.stderr.strip().count("\n") == 0
    assert "cannot create output folder" in r.stderr


def test_run_with_missing_file_is_one_line_and_nonzero(tmp_path):
    r = run_cli("run", str(tmp_path / "missing.py"))
    assert r.returncode == 2
    assert "no such file" in r.stderr
