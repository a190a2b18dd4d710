"""RandomErasing, RandomShear, RandomPerspective, RandomElasticTransform, RandAugment, AugMix,
MaxNumBoundingBoxes without TensorFlow: what each does to images, seeding, layouts, configs,
inference pass-through and saving in a model."""
import numpy as np
import pytest

from tapeflow import keras

X = (np.random.default_rng(0).random((3, 8, 10, 3)) * 255).astype("float32")


def test_erasing_fills_one_rectangle_per_erased_image():
    layer = keras.layers.RandomErasing(factor=(1.0, 1.0), scale=(0.2, 0.2), fill_value=-5.0,
                                       value_range=(-10, 255), seed=1)
    y = layer(X).numpy()
    for img, orig in zip(y, X):
        changed = np.any(img != orig, axis=-1)
        rows, cols = np.nonzero(changed)
        assert changed.sum() == (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)
        assert np.all(img[changed] == -5.0)
    np.testing.assert_array_equal(layer(X, training=False).numpy(), X)


def test_erasing_never_applies_with_zero_factor_and_clips_fill():
    np.testing.assert_array_equal(keras.layers.RandomErasing(factor=0.0, seed=2)(X).numpy(), X)
    t = keras.layers.RandomErasing(fill_value=999.0, seed=2).get_random_transformation(X)
    assert np.all(t["fill_value"] == 255.0)


def test_shear_with_zero_factor_is_identity_and_seeds_repeat():
    np.testing.assert_allclose(keras.layers.RandomShear(0.0, 0.0)(X).numpy(), X, atol=1e-4)
    a = keras.layers.RandomShear(0.4, 0.3, seed=5)(X).numpy()
    b = keras.layers.RandomShear(0.4, 0.3, seed=5)(X).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, X)


def test_shear_channels_first_matches_channels_last():
    t = {"shear_factor": np.array([[0.2, -0.1]] * 3, "float32"), "input_shape": X.shape}
    last = keras.layers.RandomShear(0.3).transform_images(X, t).numpy()
    first = keras.layers.RandomShear(0.3, data_format="channels_first").transform_images(
        np.moveaxis(X, -1, 1), t).numpy()
    np.testing.assert_allclose(np.moveaxis(first, 1, -1), last, atol=1e-4)


def test_perspective_identity_when_points_stay():
    layer = keras.layers.RandomPerspective(scale=0.0)
    np.testing.assert_allclose(layer(X).numpy(), X, atol=1e-3)
    t = keras.layers.RandomPerspective(seed=1).get_random_transformation(X)
    assert t["start_points"].shape == (3, 4, 2) and t["end_points"].shape == (3, 4, 2)
    moved = np.abs(t["end_points"] - t["start_points"]) / np.maximum(t["start_points"], 1)
    assert np.all(moved <= 0.5 + 1e-6)


def test_elastic_transform_changes_and_clips():
    layer = keras.layers.RandomElasticTransform(factor=(1.0, 1.0), scale=(0.5, 0.5), seed=3,
                                                value_range=(0, 200))
    y = layer(X).numpy()
    assert y.shape == X.shape and y.max() <= 200 and not np.allclose(y, np.clip(X, 0, 200))
    assert keras.layers.RandomElasticTransform(scale=0.0).get_random_transformation(X) is None


@pytest.mark.parametrize("make", [
    lambda: keras.layers.RandAugment(num_ops=3, seed=1),
    lambda: keras.layers.AugMix(seed=2),
    lambda: keras.layers.AugMix(all_ops=False, value_range=(0, 1), seed=3)])
def test_policies_keep_range_and_shape(make):
    layer = make()
    lo, hi = layer.value_range
    x = X if hi == 255 else X / 255.0
    y = layer(x).numpy()
    assert y.shape == x.shape and y.dtype == np.float32
    assert y.min() >= lo - 1e-4 and y.max() <= hi + 1e-4
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    again = type(layer).from_config(layer.get_config())
    assert again.get_config() == layer.get_config()


def test_augmentation_layers_in_a_saved_model(tmp_path):
    inp = keras.Input((8, 10, 3))
    x = keras.layers.RandomShear(0.2)(inp)
    x = keras.layers.RandomErasing()(x)
    x = keras.layers.RandAugment()(x)
    model = keras.Model(inp, keras.layers.GlobalAveragePooling2D()(x))
    path = str(tmp_path / "aug.keras")
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again.predict(X, verbose=0), model.predict(X, verbose=0),
                               rtol=1e-6)


def test_max_num_bounding_boxes_pads_and_cuts():
    data = {"images": X, "bounding_boxes": {"boxes": np.ones((3, 2, 4), "float32"),
                                            "labels": np.ones((3, 2), "int32")}}
    out = keras.layers.MaxNumBoundingBoxes(4, bounding_box_format="xyxy")(data)
    assert out["bounding_boxes"]["boxes"].shape == (3, 4, 4)
    assert out["bounding_boxes"]["labels"].numpy().tolist()[0] == [1, 1, -1, -1]
    cut = keras.layers.MaxNumBoundingBoxes(1, bounding_box_format="xyxy")(data)
    assert cut["bounding_boxes"]["labels"].shape == (3, 1)
    with pytest.raises(ValueError, match="bounding box format"):
        keras.layers.MaxNumBoundingBoxes(1)(data)


def _box_data():
    return {"images": np.zeros((2, 10, 20, 3), "float32"),
            "bounding_boxes": {"boxes": np.array([[[2, 1, 6, 4]], [[0, 0, 20, 10]]], "float32"),
                               "labels": np.array([[1], [2]], "int32")},
            "labels": np.array([0, 1])}


def test_flip_moves_boxes_with_images():
    layer = keras.layers.RandomFlip("horizontal", bounding_box_format="xyxy")
    t = {"flips": np.array([True, False]).reshape(2, 1, 1, 1), "input_shape": (2, 10, 20, 3)}
    out = layer.transform_bounding_boxes(_box_data()["bounding_boxes"], t)
    np.testing.assert_allclose(out["boxes"].numpy(), [[[14, 1, 18, 4]], [[0, 0, 20, 10]]],
                               atol=1e-5)
    x = np.zeros((1, 10, 20, 1), "float32")
    x[0, 1:4, 2:6] = 1
    flipped = layer.transform_images(x, {"flips": np.ones((1, 1, 1, 1), bool)}).numpy()
    assert flipped[0, 1:4, 14:18].min() == 1 and flipped.sum() == x.sum()


def test_dict_calls_transform_everything_once():
    for layer in (keras.layers.RandomFlip(bounding_box_format="xyxy", seed=3),
                  keras.layers.RandomShear(0.3, bounding_box_format="xywh", seed=3),
                  keras.layers.Resizing(5, 5, pad_to_aspect_ratio=True,
                                        bounding_box_format="xyxy")):
        out = layer(_box_data())
        assert sorted(out) == ["bounding_boxes", "images", "labels"]
        assert out["bounding_boxes"]["boxes"].shape[-1] == 4
    resized = keras.layers.Resizing(5, 5, pad_to_aspect_ratio=True,
                                    bounding_box_format="xyxy")(_box_data())
    # 10x20 padded to 20x20, scaled by 1/4; as Keras, the offset is floored in output
    # pixels: (5 - 10 / 4) // 2 = 1 (the image itself lands 1.25 rows down).
    np.testing.assert_allclose(resized["bounding_boxes"]["boxes"].numpy()[1, 0],
                               [0, 1.0, 5, 3.5], atol=1e-5)
    single = {"images": np.zeros((10, 20, 3), "float32"),
              "bounding_boxes": {"boxes": np.array([[2, 1, 6, 4]], "float32"),
                                 "labels": np.array([1])}}
    out = keras.layers.RandomFlip(bounding_box_format="xyxy")(single)
    assert out["images"].shape == (10, 20, 3) and out["bounding_boxes"]["boxes"].shape == (1, 4)


def test_clahe_equalizes_a_low_contrast_image():
    rng = np.random.default_rng(4)
    x = (100 + rng.random((1, 16, 16, 1)) * 20).astype("float32")   # values in [100, 120]
    layer = keras.layers.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2))
    y = layer(x).numpy()
    assert y.shape == x.shape and y.min() >= 0 and y.max() <= 255
    assert np.ptp(y) > 3 * np.ptp(x)                 # contrast stretched
    order = np.argsort(x.ravel())
    assert np.corrcoef(x.ravel()[order], y.ravel()[order])[0, 1] > 0.8   # order kept
    flat = np.full((1, 8, 8, 3), 50.0, "float32")
    out = layer(flat).numpy()
    assert np.ptp(out) < 1e-4                          # a flat image stays flat


def test_perspective_moves_boxes_only_where_applied():
    layer = keras.layers.RandomPerspective(bounding_box_format="xyxy", seed=2)
    data = _box_data()
    t = layer.get_random_transformation(data["images"])
    t["apply_perspective"] = np.array([False, True])
    out = layer.transform_bounding_boxes(
        {k: np.asarray(v) for k, v in data["bounding_boxes"].items()}, t)
    np.testing.assert_allclose(out["boxes"].numpy()[0], [[2, 1, 6, 4]], atol=1e-5)
    assert np.all(out["boxes"].numpy()[1] >= 0) and np.all(out["boxes"].numpy()[1, :, 2] <= 20)
    full = layer(_box_data())
    assert sorted(full) == ["bounding_boxes", "images", "labels"]


def test_color_layers_take_dicts_and_keep_boxes():
    data = _box_data()
    data["images"] = np.full((2, 10, 20, 3), 100.0, "float32")
    out = keras.layers.RandomBrightness((0.1, 0.1), bounding_box_format="xyxy")(data)
    np.testing.assert_allclose(out["images"].numpy(), 125.5, rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(out["bounding_boxes"]["boxes"]),
                                  data["bounding_boxes"]["boxes"])
    assert keras.layers.RandomBrightness(0.1, bounding_box_format="xyxy").get_config()[
        "bounding_box_format"] == "xyxy"
    with pytest.raises(ValueError, match="bounding box format"):
        keras.layers.RandomInvert()(_box_data())


def test_rand_augment_moves_boxes_with_its_geometric_operations():
    layer = keras.layers.RandAugment(num_ops=3, factor=0.5, bounding_box_format="xyxy", seed=4)
    assert layer.random_shear.bounding_box_format == "xyxy"
    moved = 0
    for _ in range(6):
        data = _box_data()
        data["images"] = np.random.default_rng(0).random((2, 10, 20, 3)).astype("float32") * 255
        out = layer(data)
        assert out["images"].shape == (2, 10, 20, 3)
        boxes = np.asarray(out["bounding_boxes"]["boxes"])
        assert boxes.shape == (2, 1, 4) and np.all(boxes >= -1e-4)
        moved += not np.allclose(boxes, data["bounding_boxes"]["boxes"])
    assert moved > 0
    with pytest.raises(ValueError, match="bounding box format"):
        keras.layers.RandAugment()(_box_data())
