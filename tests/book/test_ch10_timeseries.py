"""Chapter 10 (Deep learning for timeseries): the book's listings on a synthetic Jena-like CSV.

The listings run as the book writes them, with ``import tapeflow as tf`` for the tensorflow
imports. The data is a small generated CSV in the Jena format (a date column and 14 float
columns, the temperature second); training runs 1-2 epochs of a few steps instead of 10-50.
"""
import os

import numpy as np
import pytest

import tapeflow as tf  # noqa: F401  (the book's `import tensorflow as tf`)
from tapeflow import keras
from tapeflow.keras import layers

HEADER = ('"Date Time","p (mbar)","T (degC)","Tpot (K)","Tdew (degC)","rh (%)",'
          '"VPmax (mbar)","VPact (mbar)","VPdef (mbar)","sh (g/kg)","H2OC (mmol/mol)",'
          '"rho (g/m**3)","wv (m/s)","max. wv (m/s)","wd (deg)"')
NUM_ROWS = 6400  # the smallest size (with the book's delay of 858 steps) that leaves test windows

sampling_rate = 6
sequence_length = 120
delay = sampling_rate * (sequence_length + 24 - 1)
batch_size = 256


def _write_jena_csv(path):
    rng = np.random.default_rng(0)
    t = np.arange(NUM_ROWS)
    temp = 9.0 + 8.0 * np.sin(2 * np.pi * t / 144.0) + rng.normal(0, 0.3, NUM_ROWS)
    cols = [990.0 + rng.normal(0, 5, NUM_ROWS), temp, temp + 273.0]
    cols += [temp * (0.5 + 0.1 * k) + rng.normal(0, 1, NUM_ROWS) for k in range(11)]
    values = np.stack(cols, axis=1)
    lines = [HEADER]
    for i, row in enumerate(values):
        day, minute = divmod(i * 10, 24 * 60)
        stamp = f"{1 + day % 28:02d}.01.2009 {minute // 60:02d}:{minute % 60:02d}:00"
        lines.append(stamp + "," + ",".join(f"{v:.2f}" for v in row))
    with open(path, "w") as f:
        f.write("\n".join(lines))


@pytest.fixture(scope="module")
def jena(tmp_path_factory):
    """Listings 10.1-10.7: parse the CSV, normalize, and build the three datasets."""
    fname = os.path.join(tmp_path_factory.mktemp("jena"), "jena_climate_2009_2016.csv")
    _write_jena_csv(fname)

    with open(fname) as f:
        data = f.read()
    lines = data.split("\n")
    header = lines[0].split(",")
    lines = lines[1:]
    assert header[0] == '"Date Time"' and len(header) == 15
    assert len(lines) == NUM_ROWS

    temperature = np.zeros((len(lines),))
    raw_data = np.zeros((len(lines), len(header) - 1))
    for i, line in enumerate(lines):
        values = [float(x) for x in line.split(",")[1:]]
        temperature[i] = values[1]
        raw_data[i, :] = values[:]

    num_train_samples = int(0.5 * len(raw_data))
    num_val_samples = int(0.25 * len(raw_data))
    num_test_samples = len(raw_data) - num_train_samples - num_val_samples
    assert num_test_samples == 1600

    mean = raw_data[:num_train_samples].mean(axis=0)
    raw_data -= mean
    std = raw_data[:num_train_samples].std(axis=0)
    raw_data /= std

    train_dataset = keras.utils.timeseries_dataset_from_array(
        raw_data[:-delay],
        targets=temperature[delay:],
        sampling_rate=sampling_rate,
        sequence_length=sequence_length,
        shuffle=True,
        batch_size=batch_size,
        start_index=0,
        end_index=num_train_samples)

    val_dataset = keras.utils.timeseries_dataset_from_array(
        raw_data[:-delay],
        targets=temperature[delay:],
        sampling_rate=sampling_rate,
        sequence_length=sequence_length,
        shuffle=True,
        batch_size=batch_size,
        start_index=num_train_samples,
        end_index=num_train_samples + num_val_samples)

    test_dataset = keras.utils.timeseries_dataset_from_array(
        raw_data[:-delay],
        targets=temperature[delay:],
        sampling_rate=sampling_rate,
        sequence_length=sequence_length,
        shuffle=True,
        batch_size=batch_size,
        start_index=num_train_samples + num_val_samples)
    return dict(raw_data=raw_data, temperature=temperature, mean=mean, std=std,
                train_dataset=train_dataset, val_dataset=val_dataset,
                test_dataset=test_dataset)


def test_listing_10_6_dummy_windows(capsys):
    int_sequence = np.arange(10)
    dummy_dataset = keras.utils.timeseries_dataset_from_array(
        data=int_sequence[:-3],
        targets=int_sequence[3:],
        sequence_length=3,
        batch_size=2,
    )

    for inputs, targets in dummy_dataset:
        for i in range(inputs.shape[0]):
            print([int(x) for x in inputs[i]], int(targets[i]))
    assert capsys.readouterr().out == ("[0, 1, 2] 3\n[1, 2, 3] 4\n[2, 3, 4] 5\n"
                                       "[3, 4, 5] 6\n[4, 5, 6] 7\n")


def test_listing_10_8_dataset_shapes(jena, capsys):
    train_dataset = jena["train_dataset"]
    for samples, targets in train_dataset:
        print("samples shape:", samples.shape)
        print("targets shape:", targets.shape)
        break
    assert capsys.readouterr().out == ("samples shape: (256, 120, 14)\n"
                                       "targets shape: (256,)\n")
    assert samples.dtype == tf.float64 and targets.dtype == tf.float64
    # Window counts: end - start - (sequence_length - 1) * sampling_rate.
    assert sum(int(s.shape[0]) for s, _ in train_dataset) == 3200 - 714
    assert sum(int(s.shape[0]) for s, _ in jena["test_dataset"]) == 28


def test_listing_10_9_common_sense_baseline(jena):
    std, mean = jena["std"], jena["mean"]

    def evaluate_naive_method(dataset):
        total_abs_err = 0.
        samples_seen = 0
        for samples, targets in dataset:
            preds = samples[:, -1, 1] * std[1] + mean[1]
            total_abs_err += np.sum(np.abs(preds - targets))
            samples_seen += samples.shape[0]
        return total_abs_err / samples_seen

    val_mae = evaluate_naive_method(jena["val_dataset"])
    test_mae = evaluate_naive_method(jena["test_dataset"])
    text = f"Validation MAE: {val_mae:.2f}"
    assert text.startswith("Validation MAE: ") and f"{test_mae:.2f}"
    # The signal has a 144-step period and the delay is 858 = 6 * 143 steps: the last
    # temperature is ~6 steps (a few degrees) away from the target, never wildly off.
    assert 0.0 < val_mae < 10.0 and 0.0 < test_mae < 10.0


def _fit_checkpoint_evaluate(model, jena, path, **fit_kwargs):
    callbacks = [
        keras.callbacks.ModelCheckpoint(path,
                                        save_best_only=True)
    ]
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    history = model.fit(jena["train_dataset"],
                        validation_data=jena["val_dataset"],
                        callbacks=callbacks, verbose=0, **fit_kwargs)
    assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    model = keras.models.load_model(path)
    results = model.evaluate(jena["test_dataset"], verbose=0)
    assert isinstance(results, list) and len(results) == 2
    assert all(type(v) is float for v in results)  # Keras 3 returns Python floats
    text = f"Test MAE: {model.evaluate(jena['test_dataset'], verbose=0)[1]:.2f}"
    assert text.startswith("Test MAE: ")
    return history, model


def test_listing_10_10_dense_model(jena, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    raw_data = jena["raw_data"]
    inputs = keras.Input(shape=(sequence_length, raw_data.shape[-1]))
    x = layers.Flatten()(inputs)
    x = layers.Dense(16, activation="relu")(x)
    outputs = layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    assert model.count_params() == 1680 * 16 + 16 + 17

    history, model = _fit_checkpoint_evaluate(model, jena, "jena_dense.keras", epochs=3)
    assert os.path.exists("jena_dense.keras")
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert len(history.history["mae"]) == len(history.history["val_mae"]) == 3
    # The reloaded model is the best checkpoint: its val MAE is the best seen.
    val_mae = model.evaluate(jena["val_dataset"], verbose=0)[1]
    assert val_mae == pytest.approx(min(history.history["val_mae"]), rel=1e-4)


def test_listing_10_12_conv1d_model(jena, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    raw_data = jena["raw_data"]
    inputs = keras.Input(shape=(sequence_length, raw_data.shape[-1]))
    x = layers.Conv1D(8, 24, activation="relu")(inputs)
    x = layers.MaxPooling1D(2)(x)
    x = layers.Conv1D(8, 12, activation="relu")(x)
    x = layers.MaxPooling1D(2)(x)
    x = layers.Conv1D(8, 6, activation="relu")(x)
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    assert tuple(model.layers[-2].output.shape) == (None, 8)
    assert tuple(model.layers[5].output.shape) == (None, 13, 8)
    assert model.count_params() == 2696 + 776 + 392 + 9

    history, model = _fit_checkpoint_evaluate(model, jena, "jena_conv.keras", epochs=2,
                                              steps_per_epoch=3)
    assert model.predict(jena["test_dataset"], verbose=0).shape == (28, 1)


def test_listing_10_13_simple_lstm(jena, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    raw_data = jena["raw_data"]
    inputs = keras.Input(shape=(sequence_length, raw_data.shape[-1]))
    x = layers.LSTM(16)(inputs)
    outputs = layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    assert model.count_params() == 4 * (16 * (14 + 16) + 16) + 17

    history, model = _fit_checkpoint_evaluate(model, jena, "jena_lstm.keras", epochs=2,
                                              steps_per_epoch=2)
    assert isinstance(model.layers[1], layers.LSTM)


def test_listings_10_15_to_10_19_simple_rnn_shapes():
    num_features = 14
    inputs = keras.Input(shape=(None, num_features))
    outputs = layers.SimpleRNN(16)(inputs)
    assert tuple(outputs.shape) == (None, 16)

    num_features = 14
    steps = 120
    inputs = keras.Input(shape=(steps, num_features))
    outputs = layers.SimpleRNN(16, return_sequences=False)(inputs)
    assert tuple(outputs.shape) == (None, 16)

    inputs = keras.Input(shape=(steps, num_features))
    outputs = layers.SimpleRNN(16, return_sequences=True)(inputs)
    assert tuple(outputs.shape) == (None, 120, 16)

    inputs = keras.Input(shape=(steps, num_features))
    x = layers.SimpleRNN(16, return_sequences=True)(inputs)
    x = layers.SimpleRNN(16, return_sequences=True)(x)
    outputs = layers.SimpleRNN(16)(x)
    model = keras.Model(inputs, outputs)
    assert model.count_params() == (16 * 14 + 16 * 16 + 16) + 2 * (16 * 16 * 2 + 16)
    out = model.predict(np.random.random((3, steps, num_features)), verbose=0)
    assert out.shape == (3, 16) and out.dtype == np.float32


def test_listing_10_22_lstm_recurrent_dropout(jena):
    raw_data = jena["raw_data"]
    inputs = keras.Input(shape=(sequence_length, raw_data.shape[-1]))
    x = layers.LSTM(32, recurrent_dropout=0.25)(inputs)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)

    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    history = model.fit(jena["train_dataset"], epochs=2, steps_per_epoch=2,
                        validation_data=jena["val_dataset"], validation_steps=1, verbose=0)
    assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    loss, mae = model.evaluate(jena["test_dataset"], verbose=0)
    assert np.isfinite(loss) and np.isfinite(mae)

    # The unrolled variant the book mentions for CPU speed.
    inputs = keras.Input(shape=(sequence_length, 14))
    x = layers.LSTM(32, recurrent_dropout=0.2, unroll=True)(inputs)
    assert tuple(x.shape) == (None, 32)


def test_listing_10_23_stacked_gru(jena):
    raw_data = jena["raw_data"]
    inputs = keras.Input(shape=(sequence_length, raw_data.shape[-1]))
    x = layers.GRU(32, recurrent_dropout=0.5, return_sequences=True)(inputs)
    x = layers.GRU(32, recurrent_dropout=0.5)(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    assert tuple(model.layers[1].output.shape) == (None, 120, 32)
    assert model.count_params() == 3 * (32 * 14 + 32 * 32 + 64) + 3 * (2 * 32 * 32 + 64) + 33

    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    history = model.fit(jena["train_dataset"], epochs=1, steps_per_epoch=2,
                        validation_data=jena["val_dataset"], validation_steps=1, verbose=0)
    assert len(history.history["val_mae"]) == 1
    test_loss, test_mae = model.evaluate(jena["test_dataset"], verbose=0)
    assert test_loss >= 0 and test_mae >= 0


def test_listing_10_24_bidirectional_lstm(jena):
    raw_data = jena["raw_data"]
    inputs = keras.Input(shape=(sequence_length, raw_data.shape[-1]))
    x = layers.Bidirectional(layers.LSTM(16))(inputs)
    outputs = layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    assert tuple(x.shape) == (None, 32)
    assert model.count_params() == 2 * (4 * (16 * 30 + 16)) + 33

    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    history = model.fit(jena["train_dataset"], epochs=2, steps_per_epoch=2,
                        validation_data=jena["val_dataset"], validation_steps=1, verbose=0)
    assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    preds = model.predict(jena["test_dataset"], verbose=0)
    assert preds.shape == (28, 1)
