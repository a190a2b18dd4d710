"""The progress display: Keras 3's Progbar text, exactly, with a controlled clock."""
import io
import re

import pytest

from tapeflow.keras.utils import progbar as progbar_module
from tapeflow.keras.utils.progbar import Progbar

B, R, G, W = "\x1b[1m", "\x1b[0m", "\x1b[32m", "\x1b[37m"


class _Clock:
    def __init__(self, t=100.0):
        self.t = t

    def time(self):
        return self.t


class _Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self._tty = tty

    def isatty(self):
        return self._tty


@pytest.fixture
def clock(monkeypatch):
    c = _Clock()
    monkeypatch.setattr(progbar_module, "time", c)
    return c


def _bar(stream, **kw):
    p = Progbar(**kw)
    p.stream = stream
    p._dynamic_display = progbar_module._is_dynamic(stream)
    return p


def test_plain_lines_when_not_a_terminal(clock):
    s = _Stream(False)
    p = _bar(s, target=3)
    clock.t = 100.01
    p.update(1, [("loss", 0.5)])
    assert s.getvalue() == f"{B}1/3{R} {G}{'━' * 6}{R}{W}{'━' * 14}{R} {B}0s{R} 10ms/step" \
                           " - loss: 0.5000\n"
    clock.t = 100.03
    p.update(3, [("loss", 0.5)], finalize=False)  # repeated by the final line: not shown
    p.update(3, [("loss", 0.25)])  # finalize: shows the given value, elapsed time, newline
    last = s.getvalue().split("\n", 1)[1]
    assert last == f"{B}3/3{R} {G}{'━' * 20}{R}{W}{R} {B}0s{R} 10ms/step - loss: 0.2500\n"


def test_in_place_updates_on_a_terminal(clock):
    s = _Stream(True)
    p = _bar(s, target=10)
    clock.t = 100.002
    p.update(1, [("accuracy", 0.8125), ("loss", 0.421)])
    first = s.getvalue()
    assert first.startswith("\r" + f"{B} 1/10{R} {G}━━{R}{W}")  # 2 digits for 10 steps
    assert first.endswith(" 2ms/step - accuracy: 0.8125 - loss: 0.4210")
    width = len(re.sub(r"\x1b\[\d+m", "", first)) - 1
    clock.t = 100.2
    p.update(5, [("accuracy", 0.9), ("loss", 0.3)])
    second = s.getvalue()[len(first):]
    assert second.startswith("\b" * width + "\r")
    # Running averages are weighted by the steps since the last update (Keras's quirk).
    assert "accuracy: 0.8825" in second and "loss: 0.3242" in second


def test_throttled_updates_are_not_printed(clock):
    s = _Stream(False)
    p = _bar(s, target=100)
    clock.t = 100.1
    p.update(1, [("loss", 1.0)])
    n = len(s.getvalue())
    clock.t = 100.12  # less than interval=0.05 later
    p.update(2, [("loss", 1.0)])
    assert len(s.getvalue()) == n


def test_verbose_2_prints_one_line_at_the_end(clock):
    s = _Stream(False)
    p = _bar(s, target=3, verbose=2)
    for i in range(1, 3):
        clock.t += 0.5
        p.update(i, [("loss", 1.0)])
    assert s.getvalue() == ""
    clock.t += 2.0
    p.update(3, [("loss", 0.0001), ("mae", 0.5)])
    assert s.getvalue() == "3/3 - 3s - 1s/step - loss: 1.0000e-04 - mae: 0.5000\n"


def test_time_units_and_unknown_target(clock):
    assert progbar_module._format_time(2.4, "step") == " 2s/step"
    assert progbar_module._format_time(0.0123, "step") == " 12ms/step"
    assert progbar_module._format_time(0.000456, "sample") == " 456us/sample"
    s = _Stream(False)
    p = _bar(s, target=None)
    clock.t += 1
    p.update(7)
    assert s.getvalue().startswith("      7/Unknown")


def test_eta_formats(clock):
    s = _Stream(False)
    p = _bar(s, target=10000)
    clock.t += 1.0
    p.update(1)
    assert f"{B}2:46:39{R}" in s.getvalue()


# -- through fit / evaluate / predict (captured stdout is not a terminal) ---------------

def _fit_model():
    import numpy as np
    from tapeflow import keras
    from tapeflow.keras import layers
    rng = np.random.default_rng(0)
    x = rng.standard_normal((100, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model, x, y


_NUM = r"\d\.\d{4}"
_STEP = r"\d+(?:s|ms|us)/step"


def _plain(text):
    return re.sub(r"\x1b\[\d+m", "", text)


def test_fit_verbose_1_lines(capsys):
    model, x, y = _fit_model()
    model.fit(x, y, epochs=2, batch_size=25, validation_data=(x, y))
    out = capsys.readouterr().out
    lines = out.split("\n")
    assert lines[0] == "Epoch 1/2" and "Epoch 2/2" in lines and lines[-1] == ""
    final = [_plain(s) for s in lines if _plain(s).startswith("4/4 ")]
    assert len(final) == 2
    assert re.fullmatch(rf"4/4 ━{{20}} \d+s {_STEP} - accuracy: {_NUM} - loss: {_NUM} - "
                        rf"val_accuracy: {_NUM} - val_loss: {_NUM}", final[0]), final[0]
    assert f"{B}4/4{R} {G}{'━' * 20}{R}{W}{R} {B}" in out  # Keras's colours


def test_fit_verbose_2_and_0(capsys):
    model, x, y = _fit_model()
    model.fit(x, y, epochs=2, batch_size=25, verbose=2)
    lines = capsys.readouterr().out.split("\n")
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 5
    assert re.fullmatch(rf"4/4 - \d+s - {_STEP} - accuracy: {_NUM} - loss: {_NUM}", lines[1])
    model.fit(x, y, epochs=1, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


def test_one_epoch_evaluate_and_predict_display(capsys):
    model, x, y = _fit_model()
    model.fit(x, y, batch_size=50)  # one epoch: no "Epoch 1/1" line
    out = _plain(capsys.readouterr().out)
    assert not out.startswith("Epoch") and out.endswith("\n")
    assert re.fullmatch(rf"(1/2 .*\n)?2/2 ━{{20}} \d+s {_STEP} - accuracy: {_NUM} - loss: {_NUM}\n",
                        out), out
    model.evaluate(x, y, batch_size=100)
    out = _plain(capsys.readouterr().out)
    assert re.fullmatch(rf"1/1 ━{{20}} \d+s {_STEP} - accuracy: {_NUM} - loss: {_NUM}\n", out)
    model.predict(x, batch_size=100)
    out = _plain(capsys.readouterr().out)
    assert re.fullmatch(rf"1/1 ━{{20}} \d+s {_STEP}\n", out), out
