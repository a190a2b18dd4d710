"""Callbacks driven directly (a stand-in model) and, where a model exists, through fit."""
import csv
import struct

import numpy as np
import pytest

from tapeflow import keras
from tapeflow.keras import callbacks as cbs
from tapeflow.keras.callbacks import tensorboard as tb


class _Opt:
    def __init__(self, lr=0.1):
        self.learning_rate = lr


class _Model:
    """Just what the callbacks touch: weights, stop_training, optimizer, saving."""

    def __init__(self):
        self.w = [np.zeros(2, np.float32)]
        self.stop_training = False
        self.optimizer = _Opt()
        self.metrics = []
        self.saved = []

    def get_weights(self):
        return [a.copy() for a in self.w]

    def set_weights(self, ws):
        self.w = [a.copy() for a in ws]

    def save(self, path, overwrite=True):
        self.saved.append(path)
        open(path, "wb").close()

    save_weights = save


def _run_epochs(cb, values, key="val_loss", model=None):
    """Runs callback hooks for len(values) epochs; returns the epochs that ran."""
    model = model or _Model()
    cb.set_model(model)
    cb.set_params({"verbose": 0, "epochs": len(values), "steps": 1})
    cb.on_train_begin()
    ran = []
    for epoch, v in enumerate(values):
        cb.on_epoch_begin(epoch)
        model.w = [np.full(2, epoch, np.float32)]
        logs = {"loss": 1.0, key: v}
        cb.on_epoch_end(epoch, logs)
        ran.append(epoch)
        if model.stop_training:
            break
    cb.on_train_end()
    return ran, model


def test_early_stopping_patience_and_restore(capsys):
    es = cbs.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True, verbose=1)
    ran, model = _run_epochs(es, [1.0, 0.5, 0.6, 0.7, 0.4])
    assert ran == [0, 1, 2, 3]
    assert es.stopped_epoch == 3 and es.best == 0.5 and es.best_epoch == 1
    np.testing.assert_array_equal(model.w[0], [1.0, 1.0])  # the best epoch's weights
    out = capsys.readouterr().out
    assert out == ("Epoch 4: early stopping\n"
                   "Restoring model weights from the end of the best epoch: 2.\n")


def test_early_stopping_min_delta_max_mode_and_start_epoch():
    es = cbs.EarlyStopping(monitor="val_accuracy", min_delta=0.05, patience=1, mode="max")
    ran, _ = _run_epochs(es, [0.5, 0.52, 0.9], key="val_accuracy")  # 0.52 is no improvement
    assert ran == [0, 1]
    es = cbs.EarlyStopping(monitor="val_loss", patience=0, start_from_epoch=2)
    ran, _ = _run_epochs(es, [1.0, 2.0, 3.0, 4.0])
    assert ran == [0, 1, 2, 3]  # monitoring starts at epoch 2, stops at 3
    # Not beating the baseline leaves the patience counter running.
    es = cbs.EarlyStopping(monitor="val_loss", patience=2, baseline=0.1)
    ran, _ = _run_epochs(es, [0.5, 0.6, 0.7, 0.8])
    assert ran == [0, 1]
    es = cbs.EarlyStopping(monitor="val_loss", patience=2)
    ran, _ = _run_epochs(es, [0.5, 0.6, 0.7, 0.8])
    assert ran == [0, 1, 2]


def test_early_stopping_unknown_direction_and_missing_metric():
    es = cbs.EarlyStopping(monitor="val_weird")
    with pytest.raises(ValueError, match="mode='max'"):
        _run_epochs(es, [1.0], key="val_weird")
    # Keras 3 does not guess from the name: without a compiled "accuracy" metric to ask,
    # mode="auto" cannot tell which way val_accuracy should go.
    with pytest.raises(ValueError, match="received monitor=val_accuracy, but Keras"):
        _run_epochs(cbs.EarlyStopping(monitor="val_accuracy"), [1.0], key="val_accuracy")
    with pytest.raises(ValueError, match="ReduceLROnPlateau callback received"):
        _run_epochs(cbs.ReduceLROnPlateau(monitor="val_mae"), [1.0], key="val_mae")
    es = cbs.EarlyStopping(monitor="val_loss")
    with pytest.warns(UserWarning, match="Available metrics are: loss,val_mae"):
        _run_epochs(es, [1.0], key="val_mae")


def test_model_checkpoint_templates_best_only_and_extensions(tmp_path, capsys):
    with pytest.raises(ValueError, match=r"must end in `\.keras`"):
        cbs.ModelCheckpoint(str(tmp_path / "m.h5"))
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        cbs.ModelCheckpoint(str(tmp_path / "m.keras"), save_weights_only=True)
    path = str(tmp_path / "ck" / "{epoch:02d}-{val_loss:.2f}.keras")
    mc = cbs.ModelCheckpoint(path, save_best_only=True, verbose=1)
    _, model = _run_epochs(mc, [0.5, 0.7, 0.25])
    assert [p.split("/")[-1] for p in model.saved] == ["01-0.50.keras", "03-0.25.keras"]
    out = capsys.readouterr().out
    assert "\nEpoch 1: val_loss improved from inf to 0.50000, saving model to " in out
    assert "\nEpoch 2: val_loss did not improve from 0.50000\n" in out
    mc = cbs.ModelCheckpoint(str(tmp_path / "w.weights.h5"), save_weights_only=True)
    _, model = _run_epochs(mc, [0.5, 0.7])
    assert len(model.saved) == 2


def test_reduce_lr_on_plateau_and_scheduler(capsys):
    with pytest.raises(ValueError, match="factor >= 1.0"):
        cbs.ReduceLROnPlateau(factor=1.5)
    cb = cbs.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, verbose=1)
    _, model = _run_epochs(cb, [1.0, 1.0, 1.0, 1.0])
    assert model.optimizer.learning_rate == pytest.approx(0.1 * 0.5 ** 3)  # epochs 1, 2, 3
    assert "ReduceLROnPlateau reducing learning rate to 0.05." in capsys.readouterr().out
    sched = cbs.LearningRateScheduler(lambda epoch, lr: lr * 0.1 if epoch else lr)
    logs = {}
    model = _Model()
    sched.set_model(model)
    sched.on_epoch_begin(0)
    sched.on_epoch_begin(1)
    sched.on_epoch_end(1, logs)
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    assert logs == {"learning_rate": pytest.approx(0.01)}
    bad = cbs.LearningRateScheduler(lambda epoch: "x")
    bad.set_model(model)
    with pytest.raises(ValueError, match="should be a float"):
        bad.on_epoch_begin(0)


def test_csv_logger(tmp_path):
    path = tmp_path / "log.csv"
    _run_epochs(cbs.CSVLogger(str(path)), [0.5, 0.25])
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [["epoch", "loss", "val_loss"], ["0", "1.0", "0.5"], ["1", "1.0", "0.25"]]
    _run_epochs(cbs.CSVLogger(str(path), append=True), [0.125])
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[-1] == ["0", "1.0", "0.125"] and len(rows) == 4


def test_terminate_on_nan_and_lambda_callback(capsys):
    model = _Model()
    t = cbs.TerminateOnNaN()
    t.set_model(model)
    t.on_train_batch_end(3, {"loss": 0.5})
    assert not model.stop_training
    t.on_train_batch_end(4, {"loss": float("nan")})
    assert model.stop_training
    assert capsys.readouterr().out == "Batch 4: Invalid loss, terminating training\n"
    seen = []
    lc = cbs.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, logs)),
                            on_test_end=lambda logs: seen.append("test"))
    cl = cbs.CallbackList([lc])
    cl.on_epoch_end(0, {"loss": 1.0})
    cl.on_test_end()
    cl.on_train_batch_end(0, {})  # not overridden: no effect
    assert seen == [(0, {"loss": 1.0}), "test"]


def test_callback_list_order_and_aliases():
    calls = []

    class Rec(cbs.Callback):
        def on_batch_end(self, batch, logs=None):  # the old alias still fires
            calls.append(("batch_end", batch))

        def on_epoch_begin(self, epoch, logs=None):
            calls.append(("epoch_begin", epoch, self.params["steps"]))

    model = _Model()
    cl = cbs.CallbackList([Rec()], add_history=True, add_progbar=True, model=model,
                          verbose=0, epochs=1, steps=5)
    assert [type(c).__name__ for c in cl.callbacks] == ["Rec", "History", "ProgbarLogger"]
    cl.on_epoch_begin(0)
    cl.on_train_batch_end(2, {"loss": 1.0})
    assert calls == [("epoch_begin", 0, 5), ("batch_end", 2)]
    assert cl.callbacks[0].model is model
    with pytest.raises(TypeError, match="Expected a keras.callbacks.Callback"):
        cbs.CallbackList([object()])


def test_history_records_floats():
    h = cbs.History()
    _run_epochs(h, [0.5, 0.25])
    assert h.history == {"loss": [1.0, 1.0], "val_loss": [0.5, 0.25]} and h.epoch == [0, 1]


def _read_records(path):
    with open(path, "rb") as f:
        data = f.read()
    out, i = [], 0
    while i < len(data):
        (n,) = struct.unpack("<Q", data[i:i + 8])
        assert struct.unpack("<I", data[i + 8:i + 12])[0] == tb.masked_crc32c(data[i:i + 8])
        payload = data[i + 12:i + 12 + n]
        assert struct.unpack("<I", data[i + 12 + n:i + 16 + n])[0] == tb.masked_crc32c(payload)
        out.append(payload)
        i += 16 + n
    return out


def test_tensorboard_event_files(tmp_path):
    assert tb.crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
    cb = tb.TensorBoard(log_dir=str(tmp_path))
    _run_epochs(cb, [0.5, 0.25])
    (train,) = (tmp_path / "train").iterdir()
    (val,) = (tmp_path / "validation").iterdir()
    assert train.name.startswith("events.out.tfevents.") and train.name.endswith(".v2")
    records = _read_records(train)
    assert b"brain.Event:2" in records[0] and len(records) == 3
    assert b"epoch_loss" in records[1] and b"epoch_learning_rate" in records[1]
    val_records = _read_records(val)
    # Event(step=1, summary{value{tag: "epoch_loss", simple_value: 0.25}})
    assert val_records[2].endswith(b"\x10\x01" + b"\x2a\x13\x0a\x11\x0a\x0aepoch_loss\x15"
                                   + struct.pack("<f", 0.25))
    with pytest.raises(NotImplementedError, match="histogram_freq"):
        tb.TensorBoard(histogram_freq=1)


def test_backup_and_restore_validates_arguments():
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        cbs.BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq"):
        cbs.BackupAndRestore("x", save_freq="often")
    assert keras.callbacks.Callback is cbs.Callback


def test_checkpoint_every_n_batches(tmp_path):
    model = _Model()
    mc = cbs.ModelCheckpoint(str(tmp_path / "b{epoch}-{batch}.keras"), save_freq=2)
    mc.set_model(model)
    mc.on_train_begin()
    mc.on_epoch_begin(0)
    for batch in range(5):
        mc.on_train_batch_end(batch, {"loss": 1.0})
    mc.on_epoch_end(0, {"loss": 1.0})
    assert [p.split("/")[-1] for p in model.saved] == ["b1-2.keras", "b1-4.keras"]


def test_tensorboard_batch_scalars(tmp_path):
    cb = tb.TensorBoard(log_dir=str(tmp_path), update_freq=2, write_steps_per_second=True)
    cb.set_model(_Model())
    cb.on_train_begin()
    cb.on_epoch_begin(0)
    for batch in range(5):
        cb.on_train_batch_end(batch, {"loss": 0.5})
    cb.on_epoch_end(0, {"loss": 0.5})
    cb.on_train_end()
    (train,) = (tmp_path / "train").iterdir()
    records = _read_records(train)
    assert len(records) == 4  # version, batch 2, batch 4, epoch
    assert b"batch_loss" in records[1] and b"\x10\x02" in records[1]
    assert b"\x10\x04" in records[2] and b"epoch_steps_per_second" in records[3]


def test_model_checkpoint_auto_mode_rule(tmp_path):
    # "acc" in the name: higher is better; any other name (a custom metric too): lower.
    mc = cbs.ModelCheckpoint(str(tmp_path / "a{epoch}.keras"), monitor="val_acc",
                             save_best_only=True)
    _, model = _run_epochs(mc, [0.5, 0.4, 0.7], key="val_acc")
    assert [p.split("/")[-1] for p in model.saved] == ["a1.keras", "a3.keras"]
    mc = cbs.ModelCheckpoint(str(tmp_path / "r{epoch}.keras"), monitor="val_rmse",
                             save_best_only=True)
    _, model = _run_epochs(mc, [0.5, 0.4, 0.7], key="val_rmse")
    assert [p.split("/")[-1] for p in model.saved] == ["r1.keras", "r2.keras"]
