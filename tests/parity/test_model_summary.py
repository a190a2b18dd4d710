"""model.summary(): the text Keras 3 prints, for the same models built in both libraries."""
import pytest

from tapeflow import keras as tkeras


def _sequential(k):
    L = k.layers
    return k.Sequential([k.Input((4,)), L.Dense(3, activation="relu", name="d1"),
                         L.Dropout(0.5), L.Dense(2, name="d2")], name="seq")


def _functional_multi(k):
    L = k.layers
    a, b = k.Input((4,), name="a"), k.Input((3,), name="b")
    shared = L.Dense(5, name="shared")
    x = L.concatenate([shared(a), L.Dense(5, name="bd")(b)], name="cat")
    o1 = L.Dense(1, name="o1")(x)
    o2 = L.Dense(2, name="o2")(shared(a))
    return k.Model([a, b], [o1, o2], name="func")


def _functional_dict_outputs(k):
    L = k.layers
    a = k.Input((6,), name="inp")
    h = L.Dense(4, name="h")(a)
    return k.Model(a, {"p": L.Dense(1, name="p")(h), "q": L.Dense(3, name="q")(h)}, name="dic")


def _nested(k):
    L = k.layers
    inner = k.Sequential([k.Input((4,)), L.Dense(3, name="in1"),
                          L.BatchNormalization(name="bn")], name="inner")
    inner.layers[0].trainable = False
    i = k.Input((4,), name="x")
    y = L.Dense(1, name="last")(inner(i))
    return k.Model(i, y, name="outer")


def _nested_functional(k):
    L = k.layers
    ii = k.Input((5,), name="ii")
    sub = k.Model(ii, L.Dense(2, name="sd")(ii), name="sub")
    a, b = k.Input((5,), name="a"), k.Input((5,), name="b")
    out = L.add([sub(a), sub(b)], name="sum")
    return k.Model([a, b], out, name="twin")


def _conv(k):
    L = k.layers
    return k.Sequential([k.Input((8, 8, 1)), L.Conv2D(4, 3, name="c"), L.MaxPooling2D(name="mp"),
                         L.Flatten(name="f"), L.Dense(3, activation="softmax", name="o")],
                        name="convnet")


def _compiled(k):
    import numpy as np
    m = _sequential(k)
    m.compile(optimizer="adam", loss="mse", run_eagerly=True)
    m.train_on_batch(np.ones((2, 4), "float32"), np.ones((2, 2), "float32"))
    return m


BUILDERS = [_sequential, _functional_multi, _functional_dict_outputs, _nested,
            _nested_functional, _conv, _compiled]
NOT_SEQUENTIAL_LIKE = (_functional_multi, _functional_dict_outputs, _nested_functional)
OPTIONS = [{}, {"expand_nested": True}, {"show_trainable": True},
           {"expand_nested": True, "show_trainable": True}, {"line_length": 70},
           {"line_length": 120, "positions": [0.5, 0.8, 0.9, 1.0]}]


def _text(k, builder, **kwargs):
    k.backend.clear_session()
    model = builder(k)
    out = []
    model.summary(print_fn=lambda text, line_break=None: out.append(text), **kwargs)
    return out


def _texts(k, builder):
    """The summary under each of OPTIONS, for one model (building models is what costs)."""
    k.backend.clear_session()
    model = builder(k)
    texts = []
    for options in OPTIONS:
        if "positions" in options and builder not in NOT_SEQUENTIAL_LIKE:
            options = {"line_length": 120, "positions": [0.5, 0.8, 1.0]}
        out = []
        model.summary(print_fn=lambda text, line_break=None: out.append(text), **options)
        texts.append((options, out))
    return texts


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda b: b.__name__.strip("_"))
def test_summary_text(rkeras, monkeypatch, builder):
    # a wide console: Keras narrows the default width to the terminal (not done in tapeflow)
    monkeypatch.setenv("COLUMNS", "200")
    for ours, theirs in zip(_texts(tkeras, builder), _texts(rkeras, builder)):
        assert ours == theirs


@pytest.mark.parametrize("columns", ["200", "130"])
@pytest.mark.parametrize("builder", [_functional_multi, _nested], ids=["functional", "nested"])
def test_summary_to_stdout(rkeras, monkeypatch, capsys, columns, builder):
    monkeypatch.setenv("COLUMNS", columns)
    rkeras.backend.clear_session()
    builder(rkeras).summary(show_trainable=True)
    want = capsys.readouterr().out
    tkeras.backend.clear_session()
    builder(tkeras).summary(show_trainable=True)
    assert capsys.readouterr().out == want


def test_unbuilt_sequential(rkeras, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    texts = []
    for k in (tkeras, rkeras):
        k.backend.clear_session()
        out = []
        k.Sequential([k.layers.Dense(2), k.layers.Dense(1)]).summary(print_fn=out.append)
        texts.append(out)
    assert texts[0] == texts[1]


def test_unbuilt_subclassed_model(rkeras, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    texts = []
    for k in (tkeras, rkeras):
        k.backend.clear_session()

        class M(k.Model):
            def __init__(self):
                super().__init__()
                self.d = k.layers.Dense(2)

            def call(self, x):
                return self.d(x)
        out = []
        M().summary(print_fn=out.append)
        texts.append(out)
    assert texts[0] == texts[1]


@pytest.mark.parametrize("layer_range", [["d1", "d2"], ["dropout", "d2"], ["nope", "d2"]])
def test_layer_range(rkeras, monkeypatch, layer_range):
    monkeypatch.setenv("COLUMNS", "120")
    results = []
    for k in (tkeras, rkeras):
        try:
            results.append(_text(k, _sequential, layer_range=layer_range))
        except Exception as e:  # noqa: BLE001
            results.append((type(e), str(e)))
    assert results[0] == results[1]
