"""keras/saving/assets_io.py: layer assets in a .keras zip, under assets/<object path>/."""
import zipfile

import numpy as np

from tapeflow import keras


def test_vocabulary_is_stored_at_the_layer_path_and_restored(tmp_path):
    tv = keras.layers.TextVectorization(output_mode="int")
    tv.adapt(["dog dog cat"])        # an adapted vocabulary is an asset, not config
    model = keras.Sequential([keras.Input((1,), dtype="string"), tv])
    path = str(tmp_path / "m.keras")
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        assets = [n for n in zf.namelist() if n.startswith("assets/")]
    assert any(n.startswith("assets/layers/text_vectorization/") for n in assets), assets
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(
        np.asarray(loaded(np.array([["dog cat bird"]]))), [[2, 3, 1]])
