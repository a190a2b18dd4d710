"""image_dataset_from_directory on a folder of generated images."""
import os

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras

Image = pytest.importorskip("PIL.Image")


@pytest.fixture
def image_dir(tmp_path):
    rng = np.random.RandomState(0)
    formats = {"cats": "png", "dogs": "jpg", "fish": "bmp", "owls": "gif"}
    for c, fmt in formats.items():
        os.makedirs(tmp_path / c)
        for i in range(4):
            arr = rng.randint(0, 256, (10 + 3 * i, 14 - i, 3)).astype(np.uint8)
            img = Image.fromarray(arr)
            img.save(tmp_path / c / f"img{i}.{fmt}")
    (tmp_path / "cats" / "notes.txt").write_text("not an image")
    return tmp_path


def test_class_names_shapes_and_dtypes(image_dir, capsys):
    ds = keras.utils.image_dataset_from_directory(image_dir, image_size=(8, 9), batch_size=5,
                                                  seed=1)
    assert capsys.readouterr().out == "Found 16 files belonging to 4 classes.\n"
    assert ds.class_names == ["cats", "dogs", "fish", "owls"]
    assert ds.element_spec == (tf.TensorSpec((None, 8, 9, 3), tf.float32),
                               tf.TensorSpec((None,), tf.int32))
    batches = list(ds)
    assert [b[0].shape[0] for b in batches] == [5, 5, 5, 1]
    x, y = batches[0]
    assert x.dtype == tf.float32 and x.shape == (5, 8, 9, 3) and y.dtype == tf.int32
    labels = np.concatenate([b[1].numpy() for b in batches])
    assert sorted(labels.tolist()) == [0] * 4 + [1] * 4 + [2] * 4 + [3] * 4
    assert len(ds) == 4


def test_images_match_files_when_not_shuffled(image_dir):
    ds = keras.utils.image_dataset_from_directory(image_dir, image_size=(10, 14),
                                                  batch_size=16, shuffle=False, verbose=False,
                                                  interpolation="nearest")
    x, y = next(iter(ds))
    assert y.numpy().tolist() == [0] * 4 + [1] * 4 + [2] * 4 + [3] * 4
    assert ds.file_paths[0].endswith(os.path.join("cats", "img0.png"))
    original = np.asarray(Image.open(ds.file_paths[0]).convert("RGB"), np.float32)
    np.testing.assert_array_equal(x.numpy()[0], original)  # same size: exact pixels
    assert x.dtype == tf.uint8  # as Keras: "nearest" resizing keeps the pixels' dtype


def test_label_modes_and_color_modes(image_dir):
    kw = dict(image_size=(6, 6), batch_size=16, shuffle=False, verbose=False)
    x, y = next(iter(keras.utils.image_dataset_from_directory(image_dir, label_mode="categorical",
                                                              **kw)))
    assert y.dtype == tf.float32 and y.shape == (16, 4)
    np.testing.assert_array_equal(y.numpy()[5], [0, 1, 0, 0])
    only = keras.utils.image_dataset_from_directory(image_dir, label_mode=None,
                                                    color_mode="grayscale", **kw)
    assert only.element_spec == tf.TensorSpec((None, 6, 6, 1), tf.float32)
    assert next(iter(only)).shape == (16, 6, 6, 1)
    rgba = keras.utils.image_dataset_from_directory(image_dir, color_mode="rgba", **kw)
    assert next(iter(rgba))[0].shape == (16, 6, 6, 4)
    two = keras.utils.image_dataset_from_directory(image_dir, class_names=["dogs", "cats"],
                                                   label_mode="binary", **kw)
    x, y = next(iter(two))
    assert two.class_names == ["dogs", "cats"]
    assert y.dtype == tf.float32 and y.shape == (8, 1)
    assert y.numpy()[:, 0].tolist() == [0] * 4 + [1] * 4
    with pytest.raises(ValueError, match="exactly 2"):
        keras.utils.image_dataset_from_directory(image_dir, label_mode="binary", **kw)


def test_validation_split_gives_disjoint_subsets(image_dir, capsys):
    kw = dict(image_size=(5, 5), batch_size=4, validation_split=0.25, seed=7)
    train = keras.utils.image_dataset_from_directory(image_dir, subset="training", **kw)
    val = keras.utils.image_dataset_from_directory(image_dir, subset="validation", **kw)
    out = capsys.readouterr().out
    assert "Using 12 files for training." in out and "Using 4 files for validation." in out
    assert len(train.file_paths) == 12 and len(val.file_paths) == 4
    assert set(train.file_paths).isdisjoint(val.file_paths)
    assert len(set(train.file_paths) | set(val.file_paths)) == 16
    t2, v2 = keras.utils.image_dataset_from_directory(image_dir, subset="both", **kw)
    assert sorted(t2.file_paths) == sorted(train.file_paths)
    assert v2.file_paths == val.file_paths
    assert sum(b[0].shape[0] for b in t2) == 12
    with pytest.raises(ValueError, match="must provide a `seed`"):
        keras.utils.image_dataset_from_directory(image_dir, validation_split=0.2,
                                                 subset="training")


def test_shuffle_with_seed_is_repeatable(image_dir):
    kw = dict(image_size=(4, 4), batch_size=16, seed=3, verbose=False)
    a = keras.utils.image_dataset_from_directory(image_dir, **kw)
    b = keras.utils.image_dataset_from_directory(image_dir, **kw)
    assert a.file_paths == b.file_paths
    ya, yb = next(iter(a))[1].numpy(), next(iter(b))[1].numpy()
    np.testing.assert_array_equal(ya, yb)
    assert ya.tolist() != sorted(ya.tolist())


def test_crop_and_pad_to_aspect_ratio(image_dir):
    for kw in ({"crop_to_aspect_ratio": True}, {"pad_to_aspect_ratio": True}):
        ds = keras.utils.image_dataset_from_directory(image_dir, image_size=(7, 3),
                                                      batch_size=2, verbose=False, seed=0, **kw)
        assert next(iter(ds))[0].shape == (2, 7, 3, 3)


def test_decoding_is_lazy_and_bad_file_error_names_it(image_dir):
    bad = image_dir / "dogs" / "broken.jpg"
    bad.write_bytes(b"this is not a jpeg")
    ds = keras.utils.image_dataset_from_directory(image_dir, image_size=(4, 4), batch_size=1,
                                                  shuffle=False, verbose=False)
    # Building the dataset decoded nothing; the first batch (a cat) is fine.
    assert next(iter(ds))[1].numpy().tolist() == [0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="broken.jpg"):
        for _ in ds:
            pass


def test_argument_errors(image_dir):
    with pytest.raises(ValueError, match="label_mode"):
        keras.utils.image_dataset_from_directory(image_dir, label_mode="sparse")
    with pytest.raises(ValueError, match="color_mode"):
        keras.utils.image_dataset_from_directory(image_dir, color_mode="cmyk")
    with pytest.raises(ValueError, match="interpolation"):
        keras.utils.image_dataset_from_directory(image_dir, interpolation="spline")
    with pytest.raises(ValueError, match="No images found"):
        os.makedirs(image_dir / "empty" / "x")
        keras.utils.image_dataset_from_directory(image_dir / "empty", verbose=False)


def test_explicit_labels_in_sorted_file_order(image_dir):
    labels = list(range(16))
    ds = keras.utils.image_dataset_from_directory(image_dir, labels=labels, image_size=(4, 4),
                                                  batch_size=16, shuffle=False, verbose=False)
    assert ds.class_names == [str(i) for i in range(16)]
    assert next(iter(ds))[1].numpy().tolist() == labels
    with pytest.raises(ValueError, match="class_names"):
        keras.utils.image_dataset_from_directory(image_dir, labels=None, class_names=["a"])
