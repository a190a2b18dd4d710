"""Lookup, encoding, hashing and discretization layers against Keras 3.15: outputs (values,
dtypes, shapes), vocabularies, learned state, configs and symbolic outputs."""
import numpy as np
import pytest

from tapeflow import keras

RNG = np.random.default_rng(0)
STR2 = np.array([["a", "z", ""], ["c", "b", "q"]])

CASES = {
    "string_lookup_mask_oov2": (lambda k: k.layers.StringLookup(
        vocabulary=["a", "b", "c"], mask_token="", num_oov_indices=2), STR2),
    "string_lookup_oov5_hashed": (lambda k: k.layers.StringLookup(
        vocabulary=["a", "b", "c"], num_oov_indices=5),
        np.array(["x", "y", "zz", "hello world", "a", "a" * 70])),
    "string_lookup_one_hot": (lambda k: k.layers.StringLookup(
        vocabulary=["a", "b", "c"], output_mode="one_hot", mask_token=""), STR2),
    "string_lookup_multi_hot": (lambda k: k.layers.StringLookup(
        vocabulary=["a", "b", "c"], output_mode="multi_hot", mask_token=""), STR2),
    "string_lookup_count_vector": (lambda k: k.layers.StringLookup(
        vocabulary=["a", "b", "c"], output_mode="count"), np.array(["a", "a", "q"])),
    "string_lookup_scalar": (lambda k: k.layers.StringLookup(vocabulary=["a"]), "a"),
    "string_lookup_tf_idf_padded": (lambda k: k.layers.StringLookup(
        output_mode="tf_idf", vocabulary=["a", "b"], idf_weights=[0.5, 2.0],
        pad_to_max_tokens=True, max_tokens=5), np.array([["a", "b", "b", "q"]])),
    "string_lookup_invert": (lambda k: k.layers.StringLookup(
        vocabulary=["a", "b", "c"], invert=True), np.array([0, 1, 2, 3, 9])),
    "integer_lookup_mask_oov2": (lambda k: k.layers.IntegerLookup(
        vocabulary=[10, 20, 30], mask_token=0, num_oov_indices=2),
        np.array([10, 5, 0, 30, 7])),
    "integer_lookup_farmhash": (lambda k: k.layers.IntegerLookup(
        vocabulary=[10, 20, 30], num_oov_indices=3, oov_method="farmhash"),
        np.array([10, 5, 0, 30, 7, 123456])),
    "integer_lookup_invert": (lambda k: k.layers.IntegerLookup(
        vocabulary=[10, 20], invert=True, mask_token=0), np.array([0, 1, 2, 3, 9])),
    "category_encoding": (lambda k: k.layers.CategoryEncoding(4), np.array([[0, 1], [3, 3]])),
    "category_encoding_one_hot": (lambda k: k.layers.CategoryEncoding(
        4, output_mode="one_hot"), np.array([[1], [2]])),
    "category_encoding_count": (lambda k: k.layers.CategoryEncoding(
        4, output_mode="count"), np.array([[0, 1, 1], [3, 3, 2]])),
    "hashing_strings": (lambda k: k.layers.Hashing(10),
                        np.array([["a", "b"], ["c", "hello world"]])),
    "hashing_ints": (lambda k: k.layers.Hashing(10), np.array([1, 2, 300, -4])),
    "hashing_floats": (lambda k: k.layers.Hashing(10), np.array([1.5, 2.7, -3.2])),
    "hashing_mask": (lambda k: k.layers.Hashing(10, mask_value=""), np.array(["a", "", "c"])),
    "hashing_multi_hot": (lambda k: k.layers.Hashing(5, output_mode="multi_hot"),
                          np.array([["a", "b"], ["c", "d"]])),
    "hashing_one_hot": (lambda k: k.layers.Hashing(5, output_mode="one_hot"),
                        np.array([["a"], ["c"]])),
    "hashed_crossing": (lambda k: k.layers.HashedCrossing(100),
                        (np.array(["a", "b", "c"]), np.array([1, 2, -3]))),
    "hashed_crossing_one_hot": (lambda k: k.layers.HashedCrossing(7, output_mode="one_hot"),
                                (np.array([["a"], ["b"]]), np.array([["x"], ["y"]]))),
    "discretization": (lambda k: k.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0]),
                       np.array([[-1.5, 0.0, 0.5, 1.0, 5.0]])),
    "discretization_multi_hot": (lambda k: k.layers.Discretization(
        bin_boundaries=[0.0, 1.0], output_mode="multi_hot"), np.array([[-1.0, 0.5], [3, 3]])),
    "discretization_one_hot": (lambda k: k.layers.Discretization(
        bin_boundaries=[0.0, 1.0], output_mode="one_hot"), np.array([-1.0, 0.5, 3.0])),
}


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert b.shape == a.shape and b.dtype == a.dtype
    if a.dtype == object:
        assert a.tolist() == b.tolist()
    else:
        np.testing.assert_allclose(b, a, rtol=1e-6)


def _config(layer):
    config = dict(layer.get_config())
    config.pop("name")
    return config


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_keras(rkeras, case):
    make, x = CASES[case]
    real, mine = make(rkeras), make(keras)
    _same(real(x), mine(x))
    assert _config(mine) == _config(real)
    if hasattr(real, "get_vocabulary"):
        got, want = mine.get_vocabulary(), real.get_vocabulary()
        assert got == want and [type(t) for t in got] == [type(t) for t in want]
    clone = type(mine).from_config(mine.get_config())
    _same(real(x), clone(x))


ADAPT = {
    "string_lookup_max_tokens": (lambda k: k.layers.StringLookup(max_tokens=4),
                                 np.array(["b", "a", "b", "c", "d", "c", "c", "e"]),
                                 np.array(["a", "c", "e", "q"])),
    "string_lookup_tf_idf": (lambda k: k.layers.StringLookup(output_mode="tf_idf"),
                             np.array([["a", "b"], ["a", "c"], ["b", "b"]]),
                             np.array([["a", "b", "b"]])),
    "integer_lookup": (lambda k: k.layers.IntegerLookup(mask_token=0),
                       np.array([3, 3, 1, 2, 2, 2, 7, 0]), np.array([[1, 2], [9, 0]])),
    "discretization_normal": (lambda k: k.layers.Discretization(num_bins=4),
                              RNG.standard_normal(1000), np.array([[-1.0, 0.0, 1.0]])),
    "discretization_batches": (lambda k: k.layers.Discretization(num_bins=5, epsilon=0.05),
                               [RNG.standard_normal(300), RNG.uniform(size=200)],
                               np.array([[-1.0, 0.0, 0.5, 1.0]])),
}


@pytest.mark.parametrize("case", sorted(ADAPT))
def test_adapt_matches_keras(rkeras, case):
    make, data, x = ADAPT[case]
    real, mine = make(rkeras), make(keras)
    real.adapt(data)
    mine.adapt(data)
    _same(real(x), mine(x))
    real_config, mine_config = _config(real), _config(mine)
    if "bin_boundaries" in real_config:
        np.testing.assert_allclose(mine_config.pop("bin_boundaries"),
                                   real_config.pop("bin_boundaries"), rtol=1e-6)
    assert mine_config == real_config
    if hasattr(real, "idf_weights") and real.idf_weights is not None:
        _same(np.asarray(real.idf_weights), mine.idf_weights.numpy())


SYMBOLIC = {
    "string_lookup_int": (lambda k: k.layers.StringLookup(vocabulary=["a"]), (3,), "string"),
    "string_lookup_multi_hot": (lambda k: k.layers.StringLookup(
        vocabulary=["a"], output_mode="multi_hot"), (3,), "string"),
    "hashing": (lambda k: k.layers.Hashing(3), (2,), "string"),
    "hashing_count": (lambda k: k.layers.Hashing(3, output_mode="count"), (2,), "string"),
    "discretization": (lambda k: k.layers.Discretization([0.0]), (2,), "float32"),
    "category_encoding": (lambda k: k.layers.CategoryEncoding(3), (2,), "int32"),
}


@pytest.mark.parametrize("case", sorted(SYMBOLIC))
def test_symbolic_outputs_match_keras(rkeras, case):
    make, shape, dtype = SYMBOLIC[case]
    outs = [make(k)(k.Input(shape, dtype=dtype)) for k in (rkeras, keras)]
    assert tuple(outs[1].shape) == tuple(outs[0].shape)
    assert outs[1].dtype == outs[0].dtype


def test_num_oov_zero_raises_the_same_class(rkeras, rtf):
    for k, cls in ((rkeras, rtf.errors.InvalidArgumentError),
                   (keras, __import__("tapeflow").errors.InvalidArgumentError)):
        with pytest.raises(cls):
            k.layers.StringLookup(vocabulary=["a"], num_oov_indices=0)(np.array(["b"]))
