"""keras.random, keras.config and the Keras 3 utilities against Keras 3: shapes, dtypes,
ranges, seeding behaviour, padding results, PyDataset training."""
import numpy as np
import pytest

from tapeflow import keras

CALLS = {
    "normal": lambda r, s: r.normal((50, 4), seed=s),
    "normal-f16": lambda r, s: r.normal((3,), dtype="float16", seed=s),
    "uniform": lambda r, s: r.uniform((50, 4), minval=-1, maxval=2, seed=s),
    "randint": lambda r, s: r.randint((50,), 3, 9, seed=s),
    "randint-int64": lambda r, s: r.randint((5,), 0, 4, dtype="int64", seed=s),
    "truncated_normal": lambda r, s: r.truncated_normal((200,), stddev=0.5, seed=s),
    "dropout": lambda r, s: r.dropout(np.ones((20, 20), "float32"), 0.3, seed=s),
    "shuffle": lambda r, s: r.shuffle(np.arange(12), seed=s),
    "categorical": lambda r, s: r.categorical(np.zeros((2, 4)), 6, seed=s),
    "gamma": lambda r, s: r.gamma((100,), 2.0, seed=s),
    "beta": lambda r, s: r.beta((100,), 2.0, 3.0, seed=s),
    "binomial": lambda r, s: r.binomial((100,), 5, 0.4, seed=s),
}
RANGES = {"uniform": (-1, 2), "randint": (3, 8), "truncated_normal": (-1.0, 1.0),
          "beta": (0, 1), "binomial": (0, 5), "categorical": (0, 3), "randint-int64": (0, 3)}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_random_shapes_dtypes_ranges(rkeras, name):
    ours = CALLS[name](keras.random, 3)
    theirs = CALLS[name](rkeras.random, 3)
    a, b = ours.numpy(), np.asarray(theirs)
    assert a.shape == b.shape
    assert ours.dtype.name == rkeras.backend.standardize_dtype(theirs.dtype)
    if name in RANGES:
        lo, hi = RANGES[name]
        assert lo <= a.min() and a.max() <= hi and lo <= b.min() and b.max() <= hi
    if name == "shuffle":
        assert sorted(a.tolist()) == sorted(b.tolist())
    if name == "dropout":
        assert set(np.unique(a)) == set(np.unique(b))


@pytest.mark.parametrize("name", ["normal", "uniform", "randint", "dropout"])
def test_seeding_behaviour_matches(rkeras, name):
    for k in (keras, rkeras):
        same = np.array_equal(np.asarray(CALLS[name](k.random, 7)),
                              np.asarray(CALLS[name](k.random, 7)))
        assert same, f"{k.__name__}: an int seed repeats"
        gen = k.random.SeedGenerator(4)
        a, b = np.asarray(CALLS[name](k.random, gen)), np.asarray(CALLS[name](k.random, gen))
        assert not np.array_equal(a, b), f"{k.__name__}: a SeedGenerator advances"
        again = np.asarray(CALLS[name](k.random, k.random.SeedGenerator(4)))
        np.testing.assert_array_equal(again, a)


def test_seed_generator_is_a_layer_variable(rkeras):
    names = []
    for k in (keras, rkeras):
        class Noisy(k.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.gen = k.random.SeedGenerator(1)

            def call(self, x):
                return k.random.dropout(x, 0.5, seed=self.gen)
        layer = Noisy()
        layer(np.ones((2, 3), "float32"))
        names.append((sorted(v.name for v in layer.variables),
                      [np.asarray(v).tolist() for v in layer.variables
                       if v.name == "seed_generator_state"]))
    assert names[0] == names[1]


@pytest.mark.parametrize("kwargs", [{}, {"maxlen": 2}, {"padding": "post"},
                                    {"truncating": "post", "maxlen": 2, "value": -1},
                                    {"dtype": "float32", "maxlen": 4}])
def test_pad_sequences(rkeras, kwargs):
    seqs = [[1, 2, 3], [4], [], [5, 6]]
    ours = keras.utils.pad_sequences(seqs, **kwargs)
    theirs = rkeras.utils.pad_sequences(seqs, **kwargs)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_py_dataset_training_matches(rkeras):
    losses = []
    for k in (keras, rkeras):
        class Batches(k.utils.PyDataset):
            def __len__(self):
                return 2

            def __getitem__(self, i):
                x = np.linspace(0, 1, 8, dtype="float32").reshape(4, 2) + i
                return x, x.sum(axis=1, keepdims=True)
        model = k.Sequential([k.Input((2,)), k.layers.Dense(1, kernel_initializer="ones",
                                                            bias_initializer="zeros")])
        model.compile(k.optimizers.SGD(0.01), "mse")
        h = model.fit(Batches(workers=2, use_multiprocessing=False), epochs=2, verbose=0)
        losses.append(h.history["loss"])
        losses.append([model.evaluate(Batches(), verbose=0)])
        losses.append(list(np.asarray(model.predict(Batches(), verbose=0)).ravel()))
    for a, b in zip(losses[:3], losses[3:]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_config_and_top_level(rkeras):
    for name in ("floatx", "image_data_format", "backend", "epsilon"):
        assert getattr(keras.config, name)() == getattr(rkeras.config, name)()
    for name in ("Variable", "KerasTensor", "name_scope", "device", "tree", "random", "ops",
                 "config", "preprocessing"):
        assert hasattr(keras, name) and hasattr(rkeras, name)
    s = {"b": [1, (2, 3)], "a": 4}
    assert keras.tree.flatten(s) == rkeras.tree.flatten(s)
    assert keras.tree.map_structure(lambda v: v * 2, s) == rkeras.tree.map_structure(
        lambda v: v * 2, s)
    for name in ("array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"):
        assert hasattr(keras.preprocessing.image, name)
    img = np.random.RandomState(0).uniform(0, 255, (10, 6, 3)).astype("float32")
    np.testing.assert_allclose(keras.preprocessing.image.smart_resize(img, (4, 4)),
                               np.asarray(rkeras.preprocessing.image.smart_resize(img, (4, 4))),
                               rtol=1e-4, atol=1e-3)
