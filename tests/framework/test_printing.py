"""tf.print: TensorFlow's text for tensors, summarised, to stderr or a file."""
import sys


import tapeflow as tf


def test_print_examples_from_tf_docs(capsys):
    tensor = tf.range(10)
    tf.print(tensor, output_stream=sys.stderr)
    tf.print("tensors:", tensor, {2: tensor * 2}, output_stream=sys.stdout)
    tf.print(tf.range(2), tf.range(2) * 2, output_stream=sys.stderr, sep=",")
    out, err = capsys.readouterr()
    assert err == "[0 1 2 ... 7 8 9]\n[0 1],[0 2]\n"
    assert out == "tensors: [0 1 2 ... 7 8 9] {2: [0 2 4 ... 14 16 18]}\n"


def test_print_default_stream_is_stderr(capsys):
    tf.print(tf.constant([1, 2, 3]))
    out, err = capsys.readouterr()
    assert (out, err) == ("", "[1 2 3]\n")


def test_print_summarize_and_matrices(capsys):
    tf.print(tf.reshape(tf.range(100), (10, 10)), output_stream=sys.stdout)
    tf.print(tf.range(10), summarize=-1, output_stream=sys.stdout)
    tf.print(tf.range(10), summarize=2, output_stream=sys.stdout, end="|\n")
    tf.print(tf.reshape(tf.range(8), (2, 2, 2)), output_stream=sys.stdout)
    out = capsys.readouterr().out
    assert out == ("[[0 1 2 ... 7 8 9]\n [10 11 12 ... 17 18 19]\n [20 21 22 ... 27 28 29]\n"
                   " ...\n [70 71 72 ... 77 78 79]\n [80 81 82 ... 87 88 89]\n"
                   " [90 91 92 ... 97 98 99]]\n"
                   "[0 1 2 3 4 5 6 7 8 9]\n"
                   "[0 1 ... 8 9]|\n"
                   "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]\n")


def test_print_floats_and_scalars(capsys):
    tf.print(tf.constant([1.5, 2.0, 0.1]), tf.constant(3.0), 7, "text",
             output_stream=sys.stdout)
    tf.print(tf.Variable([1.0, 2.0]), tf.constant([], dtype=tf.float32),
             output_stream=sys.stdout)
    assert capsys.readouterr().out == "[1.5 2 0.1] 3 7 text\n[1 2] []\n"


def test_print_to_file(tmp_path):
    path = tmp_path / "log.txt"
    tf.print(tf.constant([1, 2]), output_stream=f"file://{path}")
    tf.print("again", output_stream=f"file://{path}")
    assert path.read_text() == "[1 2]\nagain\n"


def test_print_returns_none(capsys):
    assert tf.print("x") is None
    capsys.readouterr()
