"""keras.utils.PyDataset / Sequence fed to fit/evaluate/predict; pad_sequences; config."""
import numpy as np
import pytest

from tapeflow import keras


class _Batches(keras.utils.PyDataset):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.epochs_ended = 0

    def __len__(self):
        return 3

    def __getitem__(self, i):
        return np.full((4, 2), i, "float32"), np.full((4, 1), i, "float32")

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_py_dataset_feeds_fit_evaluate_predict():
    ds = _Batches(workers=4, use_multiprocessing=True, max_queue_size=3)
    assert (ds.workers, ds.use_multiprocessing, ds.max_queue_size) == (4, True, 3)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(ds, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3 and ds.epochs_ended == 3
    assert np.isfinite(model.evaluate(ds, verbose=0))
    assert model.predict(ds, verbose=0).shape == (12, 1)
    assert keras.utils.Sequence is keras.utils.PyDataset


def test_pad_sequences():
    out = keras.utils.pad_sequences([[1, 2, 3], [4]], maxlen=2)
    assert out.tolist() == [[2, 3], [0, 4]] and out.dtype == np.int32
    post = keras.utils.pad_sequences([[1, 2, 3], [4]], padding="post", truncating="post",
                                     value=-1)
    assert post.tolist() == [[1, 2, 3], [4, -1, -1]]
    with pytest.raises(ValueError, match="Padding type"):
        keras.utils.pad_sequences([[1]], padding="middle")


def test_config_and_top_level_names():
    assert keras.config.backend() == "tensorflow"
    assert keras.config.floatx() == "float32"
    assert keras.config.image_data_format() == "channels_last"
    keras.config.enable_unsafe_deserialization()
    assert keras.config.is_unsafe_deserialization_enabled()
    keras.config.UNSAFE_DESERIALIZATION[0] = False
    assert keras.tree.flatten({"b": 1, "a": [2, 3]}) == [2, 3, 1]
    with keras.name_scope("block"):
        pass
    assert keras.KerasTensor is type(keras.Input((2,)))
