"""keras/tree.py: nested structures."""
import pytest

from tapeflow import keras

tree = keras.tree


def test_flatten_sorts_dict_keys_and_pack_inverts_it():
    s = {"b": [1, 2], "a": (3,)}
    assert tree.flatten(s) == [3, 1, 2]
    assert tree.pack_sequence_as(s, tree.flatten(s)) == s
    assert tree.map_structure(lambda x: x * 2, {"a": [1, (2,)]}) == {"a": [2, (4,)]}
    assert tree.flatten_with_path({"a": [1, 2]}) == [(("a", 0), 1), (("a", 1), 2)]


def test_assert_same_structure_raises():
    with pytest.raises(ValueError, match="same nested structure"):
        tree.assert_same_structure([1, [2]], [1, 2])
