"""StringLookup, IntegerLookup, CategoryEncoding, Hashing, HashedCrossing, Discretization:
Keras's documented index layout, modes, adapt ordering, inversion and configs."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras

L = keras.layers


def test_string_lookup_layout_with_mask_and_oov_buckets():
    layer = L.StringLookup(vocabulary=["a", "b", "c"], mask_token="", num_oov_indices=2)
    assert layer.get_vocabulary() == ["", "[UNK]", "[UNK]", "a", "b", "c"]
    assert layer.vocabulary_size() == 6
    out = layer(np.array([["a", "z", ""], ["c", "b", "q"]]))
    assert out.dtype == tf.int64
    # OOV strings go to bucket fingerprint64 % 2, after the mask index
    np.testing.assert_array_equal(out.numpy(), [[3, 2, 0], [5, 4, 2]])


def test_string_lookup_vector_modes():
    x = np.array([["a", "z", ""], ["c", "a", "a"]])
    kw = {"vocabulary": ["a", "b", "c"], "mask_token": ""}
    np.testing.assert_array_equal(L.StringLookup(output_mode="multi_hot", **kw)(x).numpy(),
                                  [[1, 1, 0, 0], [0, 1, 0, 1]])
    np.testing.assert_array_equal(L.StringLookup(output_mode="count", **kw)(x).numpy(),
                                  [[1, 1, 0, 0], [0, 2, 0, 1]])
    one = L.StringLookup(output_mode="one_hot", **kw)(np.array(["a", "z", ""])).numpy()
    np.testing.assert_array_equal(one, [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]])
    padded = L.StringLookup(vocabulary=["a", "b"], pad_to_max_tokens=True, max_tokens=5,
                            output_mode="multi_hot")(np.array(["a"]))
    np.testing.assert_array_equal(padded.numpy(), [0, 1, 0, 0, 0])


def test_adapt_orders_by_count_then_token_descending():
    layer = L.StringLookup(max_tokens=4)
    layer.adapt(np.array(["b", "a", "b", "c", "d", "c", "c", "e"]))
    assert layer.get_vocabulary() == ["[UNK]", "c", "b", "e"]
    assert layer.get_config()["vocabulary_size"] == 4
    ints = L.IntegerLookup()
    ints.adapt(np.array([3, 3, 1, 2, 2, 2, 7]))
    assert ints.get_vocabulary() == [-1, 2, 3, 7, 1]
    np.testing.assert_array_equal(ints(np.array([[1, 2], [9, 7]])).numpy(), [[4, 1], [0, 3]])


def test_tf_idf_adapt():
    layer = L.StringLookup(output_mode="tf_idf")
    layer.adapt(np.array([["a", "b"], ["a", "c"], ["b", "b"]]))
    idf = np.log(1 + 3 / np.array([3.0, 3.0, 2.0]))   # b and a in 2 docs, c in 1
    np.testing.assert_allclose(layer.idf_weights.numpy(), [idf.mean(), *idf], rtol=1e-6)
    out = layer(np.array([["a", "b", "b"]])).numpy()
    np.testing.assert_allclose(out, [[0, 2 * idf[0], idf[1], 0]], rtol=1e-6)
    assert out.dtype == np.float32


def test_invert():
    inv = L.StringLookup(vocabulary=["a", "b", "c"], invert=True)
    assert inv(np.array([0, 1, 2, 3, 9])).numpy().tolist() == [b"[UNK]", b"a", b"b", b"c",
                                                                  b"[UNK]"]
    inv = L.IntegerLookup(vocabulary=[10, 20], invert=True, mask_token=0)
    np.testing.assert_array_equal(inv(np.array([0, 1, 2, 3, 9])).numpy(), [0, -1, 10, 20, -1])


def test_integer_lookup_oov_floormod_buckets():
    layer = L.IntegerLookup(vocabulary=[10, 20, 30], mask_token=0, num_oov_indices=2)
    np.testing.assert_array_equal(layer(np.array([10, 5, 0, 30, 7])).numpy(), [3, 2, 0, 5, 2])


def test_lookup_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_oov_indices=0"):
        L.StringLookup(vocabulary=["a"], num_oov_indices=0)(np.array(["b"]))
    with pytest.raises(ValueError, match="repeated"):
        L.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="larger than the maximum"):
        L.StringLookup(vocabulary=["a", "b", "c"], max_tokens=3)
    with pytest.raises(RuntimeError, match="set the layer's vocabulary"):
        L.StringLookup(output_mode="multi_hot")(np.array(["a"]))
    with pytest.raises(ValueError, match="static"):
        L.StringLookup(vocabulary=["a"]).adapt(np.array(["a"]))


def test_lookup_config_round_trip_and_symbolic_dtypes():
    layer = L.StringLookup(vocabulary=["a", "b"], mask_token="[M]", num_oov_indices=2)
    clone = L.StringLookup.from_config(layer.get_config())
    assert clone.get_vocabulary() == layer.get_vocabulary()
    x = keras.Input((3,), dtype="string")
    assert L.StringLookup(vocabulary=["a"])(x).dtype == "int64"
    y = L.StringLookup(vocabulary=["a"], output_mode="multi_hot")(x)
    assert y.shape == (None, 2) and y.dtype == "float32"


def test_lookup_saves_learned_vocabulary(tmp_path):
    layer = L.StringLookup()
    layer.adapt(np.array(["x", "y", "y"]))
    layer.save_assets(str(tmp_path))
    fresh = L.StringLookup()
    fresh.load_assets(str(tmp_path))
    assert fresh.get_vocabulary() == ["[UNK]", "y", "x"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_category_encoding():
    c = L.CategoryEncoding(4)
    np.testing.assert_array_equal(c(np.array([[0, 1], [3, 3]])).numpy(),
                                  [[1, 1, 0, 0], [0, 0, 0, 1]])
    counts = L.CategoryEncoding(4, output_mode="count")(
        np.array([[0, 1, 1]]), count_weights=np.array([[0.5, 1, 2]]))
    np.testing.assert_allclose(counts.numpy(), [[0.5, 3, 0, 0]])
    assert counts.dtype == tf.float32
    with pytest.raises(tf.errors.InvalidArgumentError):
        c(np.array([4]))
    with pytest.raises(ValueError, match="num_tokens"):
        L.CategoryEncoding()


def test_hashing_docstring_examples():
    # keras.layers.Hashing's documented examples
    out = L.Hashing(3)([["A"], ["B"], ["C"], ["D"], ["E"]])
    np.testing.assert_array_equal(out.numpy().ravel(), [1, 0, 1, 1, 2])
    assert out.dtype == tf.int64
    masked = L.Hashing(3, mask_value="")([["A"], ["B"], [""], ["C"], ["D"]])
    np.testing.assert_array_equal(masked.numpy().ravel(), [1, 1, 0, 2, 2])
    multi = L.Hashing(5, output_mode="multi_hot")(np.array([["a", "b"]]))
    assert multi.shape == (1, 5) and multi.dtype == tf.float32


def test_hashed_crossing_docstring_example():
    out = L.HashedCrossing(5)((np.array(["A", "B", "A", "B", "A"]),
                               np.array([101, 101, 101, 102, 102])))
    np.testing.assert_array_equal(out.numpy(), [1, 4, 1, 1, 3])
    with pytest.raises(ValueError, match="at least two"):
        L.HashedCrossing(5)([np.array(["a"])])


def test_discretization():
    d = L.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    out = d(np.array([[-1.5, 0.0, 0.5, 1.0, 5.0]]))
    np.testing.assert_array_equal(out.numpy(), [[0, 1, 1, 2, 3]])
    assert out.dtype == tf.int32
    learned = L.Discretization(num_bins=3)
    learned.adapt(np.arange(10.0))
    # Keras's summary: quantile boundaries interpolated over the sorted data
    np.testing.assert_allclose(learned.bin_boundaries, [2.3333333, 5.6666665], rtol=1e-6)
    with pytest.raises(ValueError, match="either"):
        L.Discretization()
