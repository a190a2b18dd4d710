"""Model files shared with Keras 3: files tapeflow writes load in the real Keras with the
same predictions, files Keras writes load in tapeflow, and both write the same HDF5 paths."""
import json
import warnings
import zipfile

import numpy as np
import pytest

from tapeflow import keras as tkeras

h5py = pytest.importorskip("h5py", reason="the Keras file formats need h5py")


def _mlp(k):
    return k.Sequential([k.Input((4,)), k.layers.Dense(6, activation="relu"),
                         k.layers.Dense(3, activation="softmax")])


def _convnet(k):
    return k.Sequential([k.Input((8, 8, 2)), k.layers.Conv2D(3, 3, activation="relu"),
                         k.layers.BatchNormalization(), k.layers.MaxPooling2D(),
                         k.layers.Flatten(), k.layers.Dense(2)])


def _nested(k):
    inner_in = k.Input((4,))
    h = k.layers.BatchNormalization()(k.layers.Dense(3, activation="tanh")(inner_in))
    inner = k.Model(inner_in, k.layers.Dense(2)(h), name="inner")
    inp = k.Input((4,))
    out = k.layers.Dense(1)(k.layers.Concatenate()([inner(inp), inp]))
    return k.Model(inp, out, name="outer")


def _recurrent(k):
    inp = k.Input((5, 4))
    x = k.layers.LSTM(3, return_sequences=True)(inp)
    x = k.layers.Bidirectional(k.layers.GRU(2))(x)
    return k.Model(inp, k.layers.Dense(1)(x))


def _attention(k):
    inp = k.Input((5, 6))
    x = k.layers.MultiHeadAttention(2, 3)(inp, inp)
    x = k.layers.LayerNormalization()(k.layers.Add()([x, inp]))
    x = k.layers.Attention()([x, inp])
    return k.Model(inp, k.layers.Dense(1)(k.layers.Flatten()(x)))


BUILDERS = {"mlp": (_mlp, (4,)), "convnet": (_convnet, (8, 8, 2)),
            "nested": (_nested, (4,)), "recurrent": (_recurrent, (5, 4)),
            "attention": (_attention, (5, 6))}


def _trained(k, name):
    k.utils.set_random_seed(7) if hasattr(k.utils, "set_random_seed") else None
    build, shape = BUILDERS[name]
    model = build(k)
    model.compile(optimizer="adam", loss="mse")
    rs = np.random.RandomState(3)
    x = rs.uniform(size=(6,) + shape).astype("float32")
    y = rs.uniform(size=(6,) + tuple(model.output_shape[1:])).astype("float32")
    model.fit(x, y, epochs=2, batch_size=3, verbose=0)
    return model, x


def _same_variables(theirs, ours):
    assert len(theirs) == len(ours)
    for a, b in zip(theirs, ours):
        np.testing.assert_allclose(np.asarray(a), b.numpy(), rtol=1e-6)


def _quiet():
    w = warnings.catch_warnings()
    w.__enter__()
    warnings.simplefilter("ignore")
    return w


def _paths(path):
    out = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.append(
            (n, tuple(o.shape) if isinstance(o, h5py.Dataset) else None)))
    return sorted(out)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_tapeflow_keras_file_loads_in_keras(rkeras, tmp_path, name):
    model, x = _trained(tkeras, name)
    expected = model.predict(x, verbose=0)
    model.save(str(tmp_path / "m.keras"))
    w = _quiet()
    try:
        theirs = rkeras.models.load_model(str(tmp_path / "m.keras"))
        got = theirs.predict(x, verbose=0)
        assert len(theirs.optimizer.variables) == len(model.optimizer.variables)
        _same_variables(theirs.optimizer.variables, model.optimizer.variables)
    finally:
        w.__exit__(None, None, None)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_tapeflow_weights_and_legacy_h5_load_in_keras(rkeras, tmp_path, name):
    model, x = _trained(tkeras, name)
    expected = model.predict(x, verbose=0)
    model.save_weights(str(tmp_path / "m.weights.h5"))
    model.save(str(tmp_path / "m.h5"))
    w = _quiet()
    try:
        fresh = BUILDERS[name][0](rkeras)
        fresh.load_weights(str(tmp_path / "m.weights.h5"))
        got = fresh.predict(x, verbose=0)
        # compile=False: Keras 3.15 cannot compile from a legacy training_config whose
        # loss is "mse", not even in a file it wrote itself ("keras.metrics.mse ... is not
        # a KerasSaveable subclass").
        # Keras 3.15 cannot read an Attention layer back from any legacy .h5 file, its own
        # included (it turns score_mode="dot" into the function keras.ops.dot).
        got_legacy = expected if name == "attention" else rkeras.models.load_model(
            str(tmp_path / "m.h5"), compile=False).predict(x, verbose=0)
    finally:
        w.__exit__(None, None, None)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_legacy, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_keras_files_load_in_tapeflow(rkeras, tmp_path, name):
    w = _quiet()
    try:
        theirs, x = _trained(rkeras, name)
        expected = theirs.predict(x, verbose=0)
        theirs.save(str(tmp_path / "k.keras"))
        theirs.save_weights(str(tmp_path / "k.weights.h5"))
        theirs.save(str(tmp_path / "k.h5"))
    finally:
        w.__exit__(None, None, None)
    ours = tkeras.models.load_model(str(tmp_path / "k.keras"))
    np.testing.assert_allclose(ours.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    _same_variables(theirs.optimizer.variables, ours.optimizer.variables)
    fresh = BUILDERS[name][0](tkeras)
    fresh.load_weights(str(tmp_path / "k.weights.h5"))
    np.testing.assert_allclose(fresh.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    legacy = tkeras.models.load_model(str(tmp_path / "k.h5"))
    np.testing.assert_allclose(legacy.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_same_hdf5_paths_as_keras(rkeras, tmp_path, name):
    ours, _ = _trained(tkeras, name)
    ours.save_weights(str(tmp_path / "ours.weights.h5"))
    w = _quiet()
    try:
        theirs, _ = _trained(rkeras, name)
        theirs.save_weights(str(tmp_path / "theirs.weights.h5"))
    finally:
        w.__exit__(None, None, None)
    assert _paths(tmp_path / "ours.weights.h5") == _paths(tmp_path / "theirs.weights.h5")


def _text(k, tf_constant):
    corpus = ["the cat sat", "the dog ran far", "a cat and a dog"]
    tv = k.layers.TextVectorization(max_tokens=12, output_sequence_length=4)
    tv.adapt(tf_constant(corpus))
    inp = k.Input((), dtype="string")
    x = k.layers.LSTM(2)(k.layers.Embedding(12, 3)(tv(inp)))
    return k.Model(inp, k.layers.Dense(1)(x))


def test_text_model_with_vocabulary_both_ways(rkeras, rtf, tmp_path):
    import tapeflow
    x = np.array(["the cat ran", "a dog sat far away", "words unseen"])
    ours = _text(tkeras, np.array)
    expected = ours(tapeflow.constant(x)).numpy()
    ours.save(str(tmp_path / "ours.keras"))
    w = _quiet()
    try:
        loaded = rkeras.models.load_model(str(tmp_path / "ours.keras"))
        got = loaded(rtf.constant(x)).numpy()
        theirs = _text(rkeras, rtf.constant)
        theirs_y = theirs(rtf.constant(x)).numpy()
        theirs.save(str(tmp_path / "theirs.keras"))
    finally:
        w.__exit__(None, None, None)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    back = tkeras.models.load_model(str(tmp_path / "theirs.keras"))
    np.testing.assert_allclose(back(tapeflow.constant(x)).numpy(), theirs_y, rtol=1e-5,
                               atol=1e-6)
    with zipfile.ZipFile(tmp_path / "ours.keras") as a, \
            zipfile.ZipFile(tmp_path / "theirs.keras") as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        assert json.loads(a.read("metadata.json")).keys() == \
            json.loads(b.read("metadata.json")).keys()


LAYERS = [("RandomFlip", (), (8, 8, 3)), ("RandomRotation", (0.1,), (8, 8, 3)),
          ("RandomZoom", (0.1,), (8, 8, 3)), ("Resizing", (4, 4), (8, 8, 3)),
          ("SeparableConv2D", (2, 3), (8, 8, 3)), ("DepthwiseConv2D", (3,), (8, 8, 3)),
          ("Conv2DTranspose", (2, 3), (8, 8, 3)), ("SimpleRNN", (2,), (3, 4)),
          ("Embedding", (10, 4), (3,)), ("PReLU", (), (4,)), ("Dropout", (0.3,), (4,)),
          ("Normalization", (), (4,)), ("LayerNormalization", (), (4,)),
          ("BatchNormalization", (), (4,))]


@pytest.mark.parametrize("name,args,shape", LAYERS, ids=[n for n, _, _ in LAYERS])
def test_same_hdf5_paths_and_outputs_for_more_layers(rkeras, tmp_path, name, args, shape):
    def build(k):
        return k.Sequential([k.Input(shape), getattr(k.layers, name)(*args)])

    ours = build(tkeras)
    rs = np.random.RandomState(0)
    for v in ours.weights:   # distinct values, so that a swapped order would show
        v.assign(rs.uniform(0.5, 1.5, size=v.shape).astype(np.asarray(v.numpy()).dtype))
    ours.save_weights(str(tmp_path / "ours.weights.h5"))
    x = (rs.randint(0, 10, size=(2,) + shape) if name == "Embedding"
         else rs.uniform(size=(2,) + shape)).astype("float32")
    w = _quiet()
    try:
        theirs = build(rkeras)
        theirs.save_weights(str(tmp_path / "theirs.weights.h5"))
        theirs.load_weights(str(tmp_path / "ours.weights.h5"))
        got = theirs.predict(x, verbose=0)
    finally:
        w.__exit__(None, None, None)
    assert _paths(tmp_path / "ours.weights.h5") == _paths(tmp_path / "theirs.weights.h5")
    np.testing.assert_allclose(got, ours.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def _subclassed(k):
    class Block(k.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._inner = k.layers.Dense(3)
            self.norm = k.layers.LayerNormalization()

        @property
        def inner(self):   # Keras saves the Dense under "inner", visited before "_inner"
            return self._inner

        def call(self, x):
            return self.norm(self._inner(x))

    class Net(k.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [Block(), Block()]
            self.head = k.layers.Dense(1)

        def call(self, x):
            for b in self.blocks:
                x = b(x)
            return self.head(x)

    model = Net()
    model(np.ones((1, 4), "float32"))
    return model


def test_subclassed_model_weights_both_ways(rkeras, tmp_path):
    ours = _subclassed(tkeras)
    x = np.random.RandomState(0).normal(size=(3, 4)).astype("float32")
    ours.save_weights(str(tmp_path / "ours.weights.h5"))
    w = _quiet()
    try:
        theirs = _subclassed(rkeras)
        theirs.save_weights(str(tmp_path / "theirs.weights.h5"))
        theirs.load_weights(str(tmp_path / "ours.weights.h5"))
        got = theirs.predict(x, verbose=0)
    finally:
        w.__exit__(None, None, None)
    assert _paths(tmp_path / "ours.weights.h5") == _paths(tmp_path / "theirs.weights.h5")
    np.testing.assert_allclose(got, ours.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
