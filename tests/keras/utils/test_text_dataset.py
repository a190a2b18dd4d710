import os

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras


@pytest.fixture
def text_dir(tmp_path):
    for c in ["neg", "pos"]:
        os.makedirs(tmp_path / c)
        for i in range(3):
            (tmp_path / c / f"{i}.txt").write_text(f"{c} review number {i}")
    (tmp_path / "pos" / "skip.md").write_text("ignored")
    return tmp_path


def test_texts_are_bytes_and_labels_int32(text_dir, capsys):
    ds = keras.utils.text_dataset_from_directory(text_dir, batch_size=4, shuffle=False)
    assert capsys.readouterr().out == "Found 6 files belonging to 2 classes.\n"
    assert ds.class_names == ["neg", "pos"]
    assert ds.element_spec == (tf.TensorSpec((None,), tf.string), tf.TensorSpec((None,), tf.int32))
    batches = list(ds.as_numpy_iterator())
    texts = np.concatenate([b[0] for b in batches]).tolist()
    assert texts[0] == b"neg review number 0" and texts[5] == b"pos review number 2"
    assert np.concatenate([b[1] for b in batches]).tolist() == [0, 0, 0, 1, 1, 1]
    x, y = next(iter(ds))
    assert x.dtype == tf.string and y.dtype == tf.int32


def test_max_length_unbatched_and_label_modes(text_dir):
    ds = keras.utils.text_dataset_from_directory(text_dir, batch_size=None, max_length=3,
                                                 shuffle=False, label_mode="binary",
                                                 verbose=False)
    first = next(ds.as_numpy_iterator())
    assert first[0] == b"neg"
    assert first[1].dtype == np.float32 and first[1].tolist() == [0.0]
    only = keras.utils.text_dataset_from_directory(text_dir, label_mode=None, verbose=False,
                                                   seed=1)
    assert only.element_spec == tf.TensorSpec((None,), tf.string)
    assert sorted(next(only.as_numpy_iterator()).tolist())[0] == b"neg review number 0"


def test_validation_split_disjoint(text_dir):
    tr, va = keras.utils.text_dataset_from_directory(text_dir, validation_split=0.34,
                                                     subset="both", seed=5, verbose=False)
    a = set(np.concatenate([b[0] for b in tr.as_numpy_iterator()]).tolist())
    b = set(np.concatenate([b[0] for b in va.as_numpy_iterator()]).tolist())
    assert len(a) == 4 and len(b) == 2 and a.isdisjoint(b)
