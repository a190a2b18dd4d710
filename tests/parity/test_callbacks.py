"""Parity of EarlyStopping and ReduceLROnPlateau with Keras 3, driven by the same epoch logs."""
import numpy as np
import pytest

from tapeflow import keras

# Keras's own ReduceLROnPlateau trips this NumPy 2 deprecation inside TensorFlow.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")

LOSSES = [1.0, 0.8, 0.85, 0.79, 0.9, 0.95, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75]
ACCS = [0.5, 0.6, 0.55, 0.6, 0.61, 0.59, 0.7, 0.7, 0.69, 0.68, 0.7, 0.71]


def _model(module):
    model = module.Sequential([module.Input((2,)), module.layers.Dense(1)])
    model.compile(optimizer=module.optimizers.SGD(learning_rate=1.0), loss="mse")
    return model


def _weights(epoch):
    return [np.full((2, 1), float(epoch), "float32"), np.full((1,), -float(epoch), "float32")]


def _both(rkeras, capsys, cls, kwargs, logs):
    """Runs the callback in both libraries; returns both runs, or None when both raised the
    same error (compared by class and message)."""
    ours_cb = getattr(keras.callbacks, cls)(**kwargs)
    theirs_cb = getattr(rkeras.callbacks, cls)(**kwargs)
    try:
        theirs = _drive(rkeras, theirs_cb, logs, capsys)
    except ValueError as e:
        with pytest.raises(ValueError) as ours_error:
            _drive(keras, ours_cb, logs, capsys)
        assert str(ours_error.value) == str(e)
        return None
    return ours_cb, _drive(keras, ours_cb, logs, capsys), theirs_cb, theirs


def _drive(module, callback, logs_seq, capsys):
    model = _model(module)
    callback.set_model(model)
    callback.on_train_begin({})
    trace = []
    for epoch, logs in enumerate(logs_seq):
        model.set_weights(_weights(epoch))
        callback.on_epoch_begin(epoch, {})
        logs = dict(logs)
        callback.on_epoch_end(epoch, logs)
        lr = float(np.asarray(model.optimizer.learning_rate))
        trace.append((bool(model.stop_training), round(lr, 7),
                      round(float(logs["learning_rate"]), 7) if "learning_rate" in logs
                      else None))
        if model.stop_training:
            break
    callback.on_train_end({})
    out = capsys.readouterr().out
    return model, trace, out


def _logs(monitor="val_loss"):
    return [{"loss": l + 0.1, "val_loss": l, "accuracy": a - 0.01, "val_accuracy": a}
            for l, a in zip(LOSSES, ACCS)]


ES_CASES = [
    {},
    {"patience": 2},
    {"patience": 2, "restore_best_weights": True},
    {"patience": 3, "min_delta": 0.05, "restore_best_weights": True},
    {"monitor": "val_accuracy", "patience": 2, "restore_best_weights": True},
    {"monitor": "val_accuracy", "patience": 1, "mode": "max", "baseline": 0.65},
    {"monitor": "loss", "patience": 2, "start_from_epoch": 3},
    {"patience": 100, "restore_best_weights": True},
    {"monitor": "val_loss", "patience": 1, "mode": "max"},
    {"patience": 2, "verbose": 1, "restore_best_weights": True},
    {"monitor": "val_loss", "baseline": 0.5, "patience": 3},
]


@pytest.mark.parametrize("kwargs", ES_CASES, ids=[str(i) for i in range(len(ES_CASES))])
def test_early_stopping(rkeras, capsys, kwargs):
    runs = _both(rkeras, capsys, "EarlyStopping", kwargs, _logs())
    if runs is None:
        return
    ours_cb, (ours, trace_a, out_a), theirs_cb, (theirs, trace_b, out_b) = runs
    assert trace_a == trace_b
    assert ours_cb.stopped_epoch == theirs_cb.stopped_epoch
    assert ours_cb.wait == theirs_cb.wait
    assert ours_cb.best == pytest.approx(theirs_cb.best)
    assert ours_cb.best_epoch == theirs_cb.best_epoch
    for x, y in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(x, y)
    assert out_a == out_b


@pytest.mark.parametrize("cls", ["EarlyStopping", "ReduceLROnPlateau"])
def test_missing_monitor_warns_the_same(rkeras, capsys, cls):
    with pytest.warns(UserWarning) as theirs_w:
        _drive(rkeras, getattr(rkeras.callbacks, cls)(monitor="val_auc", mode="max"),
               _logs()[:2], capsys)
    with pytest.warns(UserWarning) as ours_w:
        _drive(keras, getattr(keras.callbacks, cls)(monitor="val_auc", mode="max"),
               _logs()[:2], capsys)
    def user(ws):
        return [str(w.message) for w in ws if w.category is UserWarning]
    assert user(ours_w) == user(theirs_w)


RLR_CASES = [
    {},
    {"patience": 1},
    {"patience": 2, "factor": 0.5},
    {"patience": 1, "factor": 0.5, "cooldown": 2},
    {"patience": 1, "factor": 0.2, "min_lr": 0.1},
    {"monitor": "val_accuracy", "patience": 1, "factor": 0.5},
    {"monitor": "val_accuracy", "mode": "max", "patience": 1, "factor": 0.5, "min_delta": 0.02},
    {"patience": 1, "factor": 0.5, "verbose": 1},
    {"monitor": "loss", "patience": 0, "factor": 0.9},
]


@pytest.mark.parametrize("kwargs", RLR_CASES, ids=[str(i) for i in range(len(RLR_CASES))])
def test_reduce_lr_on_plateau(rkeras, capsys, kwargs):
    runs = _both(rkeras, capsys, "ReduceLROnPlateau", kwargs, _logs())
    if runs is None:
        return
    ours_cb, (_, trace_a, out_a), theirs_cb, (_, trace_b, out_b) = runs
    assert trace_a == trace_b
    assert ours_cb.wait == theirs_cb.wait
    assert ours_cb.cooldown_counter == theirs_cb.cooldown_counter
    assert ours_cb.best == pytest.approx(theirs_cb.best)
    assert out_a == out_b


def test_reduce_lr_invalid_factor_raises_the_same(rkeras):
    with pytest.raises(ValueError) as theirs:
        rkeras.callbacks.ReduceLROnPlateau(factor=1.0)
    with pytest.raises(type(theirs.value)) as ours:
        keras.callbacks.ReduceLROnPlateau(factor=1.0)
    assert str(ours.value) == str(theirs.value)


def test_early_stopping_in_fit(rtf, rkeras):
    """The same fit with EarlyStopping on a loss that stops improving stops at the same epoch."""
    x = np.linspace(-1, 1, 16, dtype="float32").reshape(8, 2)
    y = np.array([[0.0], [1.0]] * 4, "float32")
    results = []
    for module in (keras, rkeras):
        model = module.Sequential([module.Input((2,)), module.layers.Dense(1)])
        model.compile(optimizer=module.optimizers.SGD(learning_rate=1.5), loss="mse")
        model.set_weights([np.array([[0.3], [-0.2]], "float32"), np.zeros((1,), "float32")])
        cb = module.callbacks.EarlyStopping(monitor="loss", patience=1, min_delta=1e-3,
                                            restore_best_weights=True)
        hist = model.fit(x, y, epochs=30, batch_size=8, verbose=0, callbacks=[cb])
        results.append((len(hist.history["loss"]), cb.stopped_epoch, cb.best_epoch,
                        model.get_weights()))
    (na, sa, ba, wa), (nb, sb, bb, wb) = results
    assert (na, sa, ba) == (nb, sb, bb)
    for p, q in zip(wa, wb):
        np.testing.assert_allclose(p, q, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cls", ["EarlyStopping", "ReduceLROnPlateau"])
def test_unknown_mode_warns_the_same(rkeras, cls):
    with pytest.warns(UserWarning) as theirs_w:
        getattr(rkeras.callbacks, cls)(mode="sideways")
    with pytest.warns(UserWarning) as ours_w:
        ours = getattr(keras.callbacks, cls)(mode="sideways")
    assert str(ours_w[0].message) == str(theirs_w[0].message)
    assert ours.mode == "auto"
