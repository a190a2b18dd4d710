"""fit/evaluate/predict and the *_on_batch methods: what they return and print, as Keras 3."""
import re

import numpy as np
import pytest

from tapeflow import keras as tkeras

RNG = np.random.RandomState(0)
X = RNG.rand(10, 4).astype("float32")
Y_INT = RNG.randint(0, 3, 10)
Y_REG = RNG.rand(10, 3).astype("float32")


def _fixed(model):
    """The same deterministic weights in both libraries."""
    model.set_weights([np.linspace(-1, 1, int(np.prod(v.shape))).reshape(v.shape)
                       .astype("float32") for v in model.get_weights()])
    return model


def _classifier(k):
    L = k.layers
    return _fixed(k.Sequential([k.Input((4,)), L.Dense(5, activation="relu"),
                                L.Dense(3, activation="softmax")]))


def _two_outputs(k, as_dict=False):
    L = k.layers
    a = k.Input((4,), name="a")
    h = L.Dense(3, name="h")(a)
    o1 = L.Dense(1, name="out1")(h)
    o2 = L.Dense(2, name="out2", activation="softmax")(h)
    return _fixed(k.Model(a, {"out1": o1, "out2": o2} if as_dict else [o1, o2]))


def _same(a, b, rtol=1e-5):
    """Same structure (types, keys, lengths) and values within float32 tolerance."""
    if isinstance(b, dict):
        assert isinstance(a, dict) and list(a) == list(b)
        for k in b:
            _same(a[k], b[k], rtol)
    elif isinstance(b, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for u, v in zip(a, b):
            _same(u, v, rtol)
    elif isinstance(b, (str, int, type, np.dtype)) and not isinstance(b, bool):
        assert a == b
    else:
        assert type(a) is type(b), (type(a), type(b))
        if isinstance(b, np.ndarray):
            assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-6)


def _both(rkeras, program):
    return program(tkeras), program(rkeras)


METRICS = [
    (["accuracy"], "sparse_categorical_crossentropy", Y_INT),
    ([], "sparse_categorical_crossentropy", Y_INT),
    (["mae", "mse"], "mse", Y_REG),
    (["mae", "root_mean_squared_error"], "mean_absolute_error", Y_REG),
    ("objects", "categorical_crossentropy", np.eye(3, dtype="float32")[Y_INT]),
]


def _metric_list(k, spec):
    if spec == "objects":
        return [k.metrics.CategoricalAccuracy(), k.metrics.AUC(name="auc"),
                k.metrics.MeanSquaredError(name="my_mse")]
    return list(spec)


CASES = [(m, v) for m in METRICS[:1] for v in ("split", "data")] + \
    [(m, v) for m, v in zip(METRICS, ["split", None, "data", None, "split"])]


@pytest.mark.parametrize("spec,validation", CASES)
def test_history_evaluate_predict(rkeras, spec, validation):
    metrics, loss, y = spec
    def program(k):
        model = _classifier(k)
        model.compile(optimizer=k.optimizers.SGD(0.1), loss=loss,
                      metrics=_metric_list(k, metrics), run_eagerly=True)
        kw = {"validation_split": 0.2} if validation == "split" else \
            {"validation_data": (X[:4], y[:4])} if validation == "data" else {}
        h = model.fit(X, y, epochs=2, batch_size=4, shuffle=False, verbose=0, **kw)
        return (h.history, h.params, h.epoch, model.metrics_names,
                model.evaluate(X, y, verbose=0, batch_size=3),
                model.evaluate(X, y, verbose=0, return_dict=True),
                model.predict(X, verbose=0), model.predict(X, verbose=0, batch_size=3))
    ours, theirs = _both(rkeras, program)
    _same(ours, theirs, rtol=2e-5)


@pytest.mark.parametrize("as_dict", [False, True])
def test_multi_output_names_and_order(rkeras, as_dict):
    def program(k):
        model = _two_outputs(k, as_dict)
        if as_dict:
            model.compile(k.optimizers.SGD(0.05),
                          loss={"out1": "mse", "out2": "sparse_categorical_crossentropy"},
                          metrics={"out1": "mae", "out2": ["accuracy"]},
                          loss_weights={"out1": 1.0, "out2": 0.5}, run_eagerly=True)
            ys = {"out1": Y_REG[:, :1], "out2": Y_INT % 2}
        else:
            model.compile(k.optimizers.SGD(0.05), loss=["mse", "sparse_categorical_crossentropy"],
                          metrics=[["mae", k.metrics.MeanSquaredError(name="zz")], ["accuracy"]],
                          run_eagerly=True)
            ys = [Y_REG[:, :1], Y_INT % 2]
        h = model.fit(X, ys, epochs=2, batch_size=5, shuffle=False, verbose=0,
                      validation_data=(X, ys))
        return (h.history, model.metrics_names,
                [m.name for m in model.metrics],
                [m.name for m in model.metrics[1].metrics],
                model.evaluate(X, ys, verbose=0),
                model.evaluate(X, ys, verbose=0, return_dict=True),
                model.train_on_batch(X, ys), model.test_on_batch(X, ys, return_dict=True),
                model.predict(X, verbose=0, batch_size=4), model.predict_on_batch(X[:3]))
    ours, theirs = _both(rkeras, program)
    _same(ours, theirs, rtol=2e-5)


def test_on_batch_methods_report_their_own_batch(rkeras):
    def program(k):
        model = _classifier(k)
        model.compile(k.optimizers.SGD(0.0), "sparse_categorical_crossentropy",
                      metrics=["accuracy"], run_eagerly=True)
        return (model.train_on_batch(X[:5], Y_INT[:5]), model.train_on_batch(X[5:], Y_INT[5:]),
                model.test_on_batch(X[:5], Y_INT[:5]),
                model.test_on_batch(X[5:], Y_INT[5:], return_dict=True),
                model.evaluate(X[:5], Y_INT[:5], verbose=0),
                model.train_on_batch(X[5:], Y_INT[5:], return_dict=True),
                model.predict_on_batch(X[:2]))
    ours, theirs = _both(rkeras, program)
    _same(ours, theirs)


def test_single_loss_without_metrics_is_a_float(rkeras):
    def program(k):
        model = _classifier(k)
        model.compile("sgd", "sparse_categorical_crossentropy", run_eagerly=True)
        return (model.evaluate(X, Y_INT, verbose=0), model.train_on_batch(X, Y_INT),
                model.test_on_batch(X, Y_INT), model.evaluate(X, Y_INT, verbose=0,
                                                              return_dict=True))
    ours, theirs = _both(rkeras, program)
    _same(ours, theirs)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_predict_dtype(rkeras, dtype):
    def program(k):
        out = _classifier(k).predict(X.astype(dtype), verbose=0)
        return type(out), out.dtype, out.shape
    ours, theirs = _both(rkeras, program)
    assert ours == theirs


_TIMES = re.compile(r"\d+(?:ms|us|s)(?=/step)|(?<= - )\d+s(?= - )|(?<=\x1b\[1m)\d+s(?=\x1b)")


def _lines(text):
    """The printed lines, each one's last in-place rewrite, with the timings blanked (and
    the spaces an in-place rewrite pads with, whose count follows the previous timing)."""
    out = []
    for line in text.split("\n"):
        line = line.split("\r")[-1]
        if line:
            out.append(_TIMES.sub("T", line).rstrip(" "))
    return out


@pytest.mark.parametrize("verbose", [1, 2])
@pytest.mark.parametrize("validation", [False, True])
def test_fit_progress_text(rkeras, capsys, verbose, validation):
    def program(k):
        model = _classifier(k)
        model.compile(k.optimizers.SGD(0.1), "sparse_categorical_crossentropy",
                      metrics=["accuracy"], run_eagerly=True)
        kw = {"validation_data": (X[:4], Y_INT[:4])} if validation else {}
        capsys.readouterr()
        model.fit(X, Y_INT, epochs=2, batch_size=4, shuffle=False, verbose=verbose, **kw)
        model.evaluate(X, Y_INT, verbose=verbose)
        return _lines(capsys.readouterr().out)
    ours, theirs = _both(rkeras, program)
    if verbose == 1:   # Keras rewrites the line in place; compare each line's final state
        ours = [line for line in ours if line.split("/")[0] in ("Epoch 1", "Epoch 2")
                or "/3" in line.split(" ")[0] and line.startswith("\x1b[1m3/3")]
        theirs = [line for line in theirs if line.split("/")[0] in ("Epoch 1", "Epoch 2")
                  or "/3" in line.split(" ")[0] and line.startswith("\x1b[1m3/3")]
    assert ours == theirs


def test_weighted_metrics_and_merged_log_order(rkeras):
    # a weighted metric whose name is taken logs as "weighted_<name>"; train and val keys
    # are sorted together in History and in the verbose=2 line
    def program(k):
        model = _classifier(k)
        model.compile(k.optimizers.SGD(0.1), "sparse_categorical_crossentropy",
                      metrics=["accuracy", "accuracy"], weighted_metrics=["accuracy"],
                      run_eagerly=True)
        h = model.fit(X, Y_INT, sample_weight=np.linspace(0.5, 1.5, 10), epochs=2,
                      batch_size=4, shuffle=False, verbose=0, validation_data=(X, Y_INT))
        return h.history, model.evaluate(X, Y_INT, verbose=0, return_dict=True)
    ours, theirs = _both(rkeras, program)
    _same(ours, theirs, rtol=2e-5)
