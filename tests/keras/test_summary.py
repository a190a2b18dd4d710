"""model.summary(): Keras 3's table layout, counts and memory sizes."""
import numpy as np
import pytest

from tapeflow import keras
from tapeflow.keras import layers
from tapeflow.keras.models.summary import readable_memory_size


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


def test_header_cells_align_to_the_bottom():
    # rich (Keras 3) aligns a wrapped header row's cells to the bottom.
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])
    out = []
    model.summary(print_fn=out.append, line_length=40, show_trainable=True)
    header = out[0].splitlines()[2:4]
    # Keras 3.15 prints these two header lines for this model and these arguments
    assert header == ["┃               ┃ Output    ┃ Par… ┃   ┃",
                      "┃ Layer (type)  ┃ Shape     ┃    # ┃ … ┃"]


SEQUENTIAL = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ dense (Dense)                        │ (None, 512)                 │         401,920 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_1 (Dense)                      │ (None, 10)                  │           5,130 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 407,050 (1.55 MB)
 Trainable params: 407,050 (1.55 MB)
 Non-trainable params: 0 (0.00 B)
"""


def test_sequential_summary_text():
    model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(512, activation="relu"),
                              layers.Dense(10, activation="softmax")])
    out = []
    model.summary(print_fn=out.append)
    assert out == [SEQUENTIAL]


def test_summary_prints_to_stdout(capsys):
    model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(512), layers.Dense(10)])
    model.summary()
    assert capsys.readouterr().out == SEQUENTIAL


def test_unbuilt_and_non_trainable_counts():
    model = keras.Sequential([layers.Dense(2)])
    text = []
    model.summary(print_fn=text.append)
    assert "│ dense (Dense)                        │ ?                           │     0 (unbuilt) │" \
        in text[0]
    assert " Total params: 0 (0.00 B)" in text[0]
    bn = keras.Sequential([keras.Input(shape=(4,)), layers.BatchNormalization()])
    text = []
    bn.summary(print_fn=text.append)
    assert text[0].endswith(" Total params: 16 (64.00 B)\n Trainable params: 8 (32.00 B)\n"
                            " Non-trainable params: 8 (32.00 B)\n")


def test_functional_summary_has_connections_column():
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    out = layers.Dense(1, name="out")(layers.Concatenate(name="cat")([a, b]))
    model = keras.Model([a, b], out, name="two_inputs")
    text = []
    model.summary(print_fn=text.append)
    lines = text[0].splitlines()
    assert lines[0] == 'Model: "two_inputs"'
    assert lines[2] == ("┃ Layer (type)                  ┃ Output Shape              ┃         "
                        "Param # ┃ Connected to               ┃")
    assert len(lines[1]) == 108
    assert lines[3 + 0 * 2 + 1] == ("│ a (InputLayer)                │ (None, 3)                 │"
                                    "               0 │ -                          │")
    assert "│ cat (Concatenate)             │ (None, 5)                 │               0 │ "\
           "a[0][0], b[0][0]           │" in lines
    assert "│ out (Dense)                   │ (None, 1)                 │               6 │ "\
           "cat[0][0]                  │" in lines


def test_sequential_like_functional_lists_input_layer():
    x = keras.Input(shape=(4,))
    model = keras.Model(x, layers.Dense(2)(x))
    text = []
    model.summary(print_fn=text.append)
    assert "│ input_layer (InputLayer)             │ (None, 4)                   │               0 │" \
        in text[0]


def test_line_length_and_subclassed_model():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(3)

        def call(self, x):
            return self.d(x)
    net = Net()
    net(np.ones((2, 5)))
    text = []
    net.summary(line_length=60, print_fn=text.append)
    lines = text[0].splitlines()
    assert lines[0] == 'Model: "net"'
    assert all(len(line) == 60 for line in lines[1:6])
    assert lines[4].startswith("│ dense (Dense)") and "(2, 3)" in lines[4]
    assert " Total params: 18 (72.00 B)" in lines


def test_readable_memory_size():
    assert readable_memory_size(0) == "0.00 B"
    assert readable_memory_size(1023) == "1023.00 B"
    assert readable_memory_size(2048) == "2.00 KB"
    assert readable_memory_size(1628200) == "1.55 MB"


def test_show_trainable_and_expand_nested():
    inner = keras.Sequential([layers.Dense(2)], name="inner")
    x = keras.Input(shape=(3,))
    model = keras.Model(x, inner(x))
    inner.trainable = False
    text = []
    model.summary(print_fn=text.append, show_trainable=True, expand_nested=True)
    lines = text[0].splitlines()
    assert lines[2].endswith("┃ Traina… ┃")
    row = next(line for line in lines if line.startswith("│ inner (Sequential)"))
    assert row.rstrip("│").rstrip().endswith("N")
    assert any(line.startswith("│    └ dense (Dense)") for line in lines)
    assert " Non-trainable params: 8 (32.00 B)" in lines


def test_plot_model_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    model = keras.Model([a, b], layers.Dense(1)(layers.Concatenate()([a, b])))
    path = tmp_path / "model.png"
    keras.utils.plot_model(model, to_file=str(path), show_shapes=True, dpi=50)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="not yet been built"):
        keras.utils.plot_model(keras.Sequential([layers.Dense(1)]), to_file=str(path))
