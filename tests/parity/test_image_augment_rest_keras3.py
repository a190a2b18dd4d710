"""RandomErasing, RandomShear, RandomPerspective, RandomElasticTransform, RandAugment, AugMix
and MaxNumBoundingBoxes against Keras 3.15: configs (defaults and normalized factors), errors,
and, for a given transformation, Keras's transform_images numbers (the random draws come from
different generators, so only their ranges and shapes are compared)."""
import numpy as np
import pytest

from parity.layer_parity import plain
from tapeflow import keras

X = (np.random.default_rng(0).random((2, 7, 9, 3)) * 255).astype("float32")

CONFIGS = {
    "erasing": lambda k: k.layers.RandomErasing(),
    "erasing_args": lambda k: k.layers.RandomErasing(0.5, scale=0.2, fill_value=[1, 2, 3],
                                                     value_range=(0, 1), seed=3),
    "shear": lambda k: k.layers.RandomShear(0.3, (0.1, 0.2), fill_mode="constant"),
    "perspective": lambda k: k.layers.RandomPerspective(0.4, 0.5, interpolation="nearest"),
    "elastic": lambda k: k.layers.RandomElasticTransform(0.5, (0.2, 0.8), seed=1),
    "rand_augment": lambda k: k.layers.RandAugment(num_ops=3, factor=(0.2, 0.4)),
    "aug_mix": lambda k: k.layers.AugMix(value_range=(0, 1), all_ops=False, alpha=0.5),
    "max_boxes": lambda k: k.layers.MaxNumBoundingBoxes(4, bounding_box_format="xyxy"),
    "erasing_cf": lambda k: k.layers.RandomErasing(data_format="channels_first"),
}


def _config(layer):
    config = plain(layer.get_config())
    config.pop("name")
    return config


@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_config_matches_keras(rkeras, case):
    from tapeflow import keras
    real, mine = CONFIGS[case](rkeras), CONFIGS[case](keras)
    assert _config(mine) == _config(real)
    assert list(mine.get_config()) == list(real.get_config())
    assert repr(mine).replace(mine.name, "L") == repr(real).replace(real.name, "L")
    try:
        type(real).from_config(real.get_config())
    except TypeError as e:   # Keras's RandomShear refuses its own symmetric config; tapeflow
        # accepts (-f, f) so that models with RandomShear reload (a deliberate difference)
        assert "input_number" in str(e) and case == "shear"
        again = type(mine).from_config(mine.get_config())
        assert _config(again) == _config(mine)
    else:
        again = type(mine).from_config(mine.get_config())
        assert _config(again) == _config(mine)
    if case != "max_boxes":
        y = mine(X if "cf" not in case else np.moveaxis(X, -1, 1))
        r = real(X if "cf" not in case else np.moveaxis(X, -1, 1))
        assert y.shape == tuple(r.shape) and y.dtype.name == r.dtype.name


def _same(real, mine, atol=1e-3):
    np.testing.assert_allclose(np.asarray(mine), np.asarray(real), rtol=1e-4, atol=atol)


@pytest.mark.parametrize("kwargs", [dict(), dict(fill_mode="constant", fill_value=7.0),
                                    dict(interpolation="nearest", fill_mode="wrap")])
def test_shear_transform_matches_keras(rkeras, kwargs):
    from tapeflow import keras
    t = {"shear_factor": np.array([[0.2, -0.1], [-0.3, 0.25]], "float32"),
         "input_shape": X.shape}
    _same(rkeras.layers.RandomShear(0.3, 0.3, **kwargs).transform_images(X, t),
          keras.layers.RandomShear(0.3, 0.3, **kwargs).transform_images(X, t))


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_perspective_transform_matches_keras(rkeras, interpolation):
    from tapeflow import keras
    start = np.repeat(np.array([[[0., 0.], [8, 0], [0, 6], [8, 6]]], "float32"), 2, 0)
    shift = np.array([[0.1, -0.1], [0.05, 0.2], [-0.1, 0.0], [0.1, 0.1]], "float32")
    t = {"apply_perspective": np.array([True, False]), "start_points": start,
         "end_points": start + start * shift, "input_shape": X.shape}
    _same(rkeras.layers.RandomPerspective(interpolation=interpolation).transform_images(X, t),
          keras.layers.RandomPerspective(interpolation=interpolation).transform_images(X, t))


@pytest.mark.parametrize("fill", [[10, 20, 30], 300.0])
def test_erasing_transform_matches_keras(rkeras, fill):
    from tapeflow import keras
    masks = np.zeros(X.shape, bool)
    masks[0, 2:4, 3:6] = True
    masks[1, 0:2, 0:2] = True
    value = np.broadcast_to(np.asarray(fill, "float32"), X.shape)
    t = {"apply_erasing": np.array([True, False]), "batch_masks": masks, "fill_value": value}
    _same(rkeras.layers.RandomErasing(fill_value=fill).transform_images(X, t),
          keras.layers.RandomErasing(fill_value=fill).transform_images(X, t))


def test_random_draws_have_keras_structure(rkeras):
    from tapeflow import keras
    for make in (lambda k: k.layers.RandomErasing(fill_value=3.0),
                 lambda k: k.layers.RandomShear(0.2, 0.1),
                 lambda k: k.layers.RandomPerspective(),
                 lambda k: k.layers.RandomElasticTransform()):
        real = make(rkeras).get_random_transformation(X)
        mine = make(keras).get_random_transformation(X)
        assert sorted(mine) == sorted(real)
        for key in real:
            if hasattr(real[key], "shape") and key != "input_shape":
                assert np.shape(mine[key]) == tuple(real[key].shape), key
    t = keras.layers.RandomShear(0.2, 0.1).get_random_transformation(X)["shear_factor"]
    assert np.all(np.abs(t[:, 0]) <= 0.2) and np.all(np.abs(t[:, 1]) <= 0.1)


def test_errors_match_keras(rkeras):
    from tapeflow import keras
    cases = [(ValueError, lambda k: k.layers.RandomShear(1.5)),
             (ValueError, lambda k: k.layers.RandomShear((0.1, 0.2, 0.3))),
             (NotImplementedError, lambda k: k.layers.RandomShear(0.1, fill_mode="edge")),
             (ValueError, lambda k: k.layers.RandomPerspective(scale=2.0)),
             (ValueError, lambda k: k.layers.RandomErasing(factor=2.0)),
             (ValueError, lambda k: k.layers.RandomErasing(scale=(0.1, 0.2, 0.3))),
             (NotImplementedError, lambda k: k.layers.RandomElasticTransform(
                 interpolation="cubic")),
             (ValueError, lambda k: k.layers.RandAugment(factor=1.5))]
    for cls, make in cases:
        with pytest.raises(cls) as real:
            make(rkeras)
        with pytest.raises(cls) as mine:
            make(keras)
        assert str(mine.value) == str(real.value)


@pytest.mark.parametrize("max_number,fill", [(5, -1), (2, 0)])
def test_max_num_bounding_boxes_matches_keras(rkeras, max_number, fill):
    from tapeflow import keras
    boxes = {"boxes": np.arange(24, dtype="float32").reshape(2, 3, 4),
             "labels": np.array([[1, 2, 3], [4, 5, 6]], "int32")}
    images = np.zeros((2, 8, 8, 3), "float32")
    real = rkeras.layers.MaxNumBoundingBoxes(max_number, fill, bounding_box_format="xyxy")(
        {"images": images, "bounding_boxes": dict(boxes)})
    mine = keras.layers.MaxNumBoundingBoxes(max_number, fill, bounding_box_format="xyxy")(
        {"images": images, "bounding_boxes": dict(boxes)})
    for key in ("boxes", "labels"):
        r, m = np.asarray(real["bounding_boxes"][key]), np.asarray(mine["bounding_boxes"][key])
        assert m.dtype == r.dtype
        np.testing.assert_array_equal(m, r)
    with pytest.raises(ValueError) as r_err:
        rkeras.layers.MaxNumBoundingBoxes(3)({"images": images, "bounding_boxes": boxes})
    with pytest.raises(ValueError) as m_err:
        keras.layers.MaxNumBoundingBoxes(3)({"images": images, "bounding_boxes": boxes})
    assert str(r_err.value).split("\n")[2].strip("\x1b[1m").startswith(
        str(m_err.value)[:40])


@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "nearest", "constant"])
@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_ops_affine_transform_boundary_modes_match_keras(rkeras, fill_mode, interpolation):
    """TensorFlow's kernel: the boundary mode maps the continuous coordinate, nearest rounds
    half away from zero, in float32 (shear, rotation-like and projective transforms)."""
    from tapeflow import keras
    transforms = np.array([[1, 0.2, 0, -0.1, 1, 0, 0, 0],
                           [0.9, -0.4, 3.5, 0.4, 0.9, -2.0, 0.01, -0.02]], "float32")
    real = rkeras.ops.image.affine_transform(X, transforms, interpolation=interpolation,
                                             fill_mode=fill_mode, fill_value=5.0)
    mine = keras.ops.image.affine_transform(X, transforms, interpolation=interpolation,
                                            fill_mode=fill_mode, fill_value=5.0)
    _same(real, mine, atol=2e-3)


def _boxes():
    """Fresh arrays each time: Keras converts box dicts in place."""
    return {"boxes": np.array([[[1, 0, 3, 2], [0, 1, 8, 5]], [[2, 2, 5, 3], [0, 0, 0, 0]]],
                              "float32"),
            "labels": np.array([[1, 2], [3, -1]], "int32")}


def _box_case(k, fmt):
    if fmt == "xyxy":
        return _boxes()
    return {key: np.asarray(v) for key, v in k.utils.bounding_boxes.convert_format(
        _boxes(), "xyxy", fmt, height=5, width=8).items()}


IMG58 = np.arange(2 * 5 * 8, dtype="float32").reshape(2, 5, 8, 1)


@pytest.mark.parametrize("mode", ["horizontal", "vertical", "horizontal_and_vertical"])
@pytest.mark.parametrize("fmt", ["xyxy", "xywh", "rel_yxyx"])
def test_random_flip_boxes_match_keras(rkeras, mode, fmt):
    t = {"flips": np.array([True, False]).reshape(2, 1, 1, 1), "input_shape": IMG58.shape}
    outs = []
    for k in (rkeras, keras):
        layer = k.layers.RandomFlip(mode, bounding_box_format=fmt)
        boxes = layer.transform_bounding_boxes(_box_case(k, fmt), t)
        outs.append(({key: np.asarray(v) for key, v in boxes.items()},
                     np.asarray(layer.transform_images(IMG58, t))))
    (rb, ri), (mb, mi) = outs
    np.testing.assert_allclose(mb["boxes"], rb["boxes"], rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(mb["labels"], rb["labels"])
    np.testing.assert_array_equal(mi, ri)


@pytest.mark.parametrize("fmt", ["xyxy", "center_xywh"])
def test_random_shear_boxes_match_keras(rkeras, fmt):
    t = {"shear_factor": np.array([[0.3, -0.2], [-0.4, 0.1]], "float32"),
         "input_shape": IMG58.shape}
    real = rkeras.layers.RandomShear(0.5, 0.5, bounding_box_format=fmt).transform_bounding_boxes(
        _box_case(rkeras, fmt), t)
    mine = keras.layers.RandomShear(0.5, 0.5, bounding_box_format=fmt).transform_bounding_boxes(
        _box_case(keras, fmt), t)
    np.testing.assert_allclose(np.asarray(mine["boxes"]), np.asarray(real["boxes"]),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(np.asarray(mine["labels"]), np.asarray(real["labels"]))


@pytest.mark.parametrize("kwargs", [{}, {"pad_to_aspect_ratio": True},
                                    {"pad_to_aspect_ratio": True, "fill_value": 3.0},
                                    {"crop_to_aspect_ratio": True}, {"antialias": True}])
@pytest.mark.parametrize("size", [(6, 6), (10, 4)])
def test_resizing_images_and_boxes_match_keras(rkeras, kwargs, size):
    outs = []
    for k in (rkeras, keras):
        layer = k.layers.Resizing(*size, bounding_box_format="xyxy", **kwargs)
        out = layer({"images": IMG58.copy(), "bounding_boxes": _boxes()})
        outs.append((np.asarray(out["images"]), np.asarray(out["bounding_boxes"]["boxes"]),
                     np.asarray(out["bounding_boxes"]["labels"]), plain(layer.get_config())))
    (ri, rb, rl, rc), (mi, mb, ml, mc) = outs
    np.testing.assert_allclose(mi, ri, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(mb, rb, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(ml, rl)
    rc.pop("name"), mc.pop("name")
    assert mc == rc


def test_dict_inputs_keep_keys_like_keras(rkeras):
    for make in (lambda k: k.layers.RandomFlip(bounding_box_format="xyxy", seed=1),
                 lambda k: k.layers.RandomShear(0.2, bounding_box_format="xyxy", seed=1)):
        real = make(rkeras)({"images": IMG58.copy(), "bounding_boxes": _boxes(),
                             "labels": np.array([0.0, 1.0], "float32")})
        mine = make(keras)({"images": IMG58.copy(), "bounding_boxes": _boxes(),
                            "labels": np.array([0.0, 1.0], "float32")})
        assert sorted(mine) == sorted(real)
        assert np.shape(mine["bounding_boxes"]["boxes"]) == tuple(
            real["bounding_boxes"]["boxes"].shape)
    for k in (rkeras, keras):   # boxes without a bounding_box_format are refused
        with pytest.raises(ValueError, match="bounding box format"):
            k.layers.RandomFlip()({"images": IMG58.copy(), "bounding_boxes": _boxes()})


@pytest.mark.parametrize("kwargs", [{}, {"clip_limit": 2.0, "tile_grid_size": (3, 4)},
                                    {"clip_limit": 0, "tile_grid_size": (2, 2)},
                                    {"value_range": (0, 1), "tile_grid_size": (4, 4)},
                                    {"data_format": "channels_first"}])
def test_clahe_matches_keras(rkeras, kwargs):
    x = (np.random.default_rng(0).random((2, 13, 17, 3)) ** 2 * 255).astype("float32")
    if kwargs.get("value_range") == (0, 1):
        x = x / 255
    if kwargs.get("data_format") == "channels_first":
        x = np.moveaxis(x, -1, 1)
    real = rkeras.layers.ContrastLimitedAdaptiveHistogramEqualization(**kwargs)
    mine = keras.layers.ContrastLimitedAdaptiveHistogramEqualization(**kwargs)
    r, m = np.asarray(real(x)), mine(x).numpy()
    assert m.dtype == r.dtype and m.shape == r.shape
    np.testing.assert_allclose(m, r, rtol=1e-5, atol=1e-3)
    assert _config(mine) == _config(real)


@pytest.mark.parametrize("kwargs", [{}, {"fill_mode": "constant", "fill_value": 3.0,
                                         "interpolation": "nearest"}, {"fill_mode": "wrap"}])
@pytest.mark.parametrize("fmt", ["xyxy", "rel_xywh"])
def test_random_translation_images_and_boxes_match_keras(rkeras, kwargs, fmt):
    x = (np.random.default_rng(0).random((2, 5, 8, 2)) * 255).astype("float32")
    t = {"translations": np.array([[1.5, -0.7], [-2.2, 1.0]], "float32"),
         "input_shape": x.shape}
    outs = []
    for k in (rkeras, keras):
        layer = k.layers.RandomTranslation(0.3, 0.4, bounding_box_format=fmt, **kwargs)
        boxes = layer.transform_bounding_boxes(_box_case(k, fmt), t)
        outs.append((np.asarray(layer.transform_images(x, t)), np.asarray(boxes["boxes"]),
                     np.asarray(boxes["labels"]), _config(layer)))
    (ri, rb, rl, rc), (mi, mb, ml, mc) = outs
    np.testing.assert_allclose(mi, ri, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(mb, rb, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(ml, rl)
    assert mc == rc


def _rotation(angles, h=5, w=8):
    """Keras's rotation transformation for given angles (degrees)."""
    rad = np.asarray(angles, "float32") * np.float32(np.pi / 180)
    c, s = np.cos(rad), np.sin(rad)
    cx, cy = 0.5 * (w - 1), 0.5 * (h - 1)
    zero = np.zeros(len(angles), "float32")
    matrix = np.stack([c, -s, cx - cx * c + cy * s, s, c, cy - cx * s - cy * c, zero, zero],
                      1).astype("float32")
    return {"angle": np.asarray(angles, "float32"), "rotation_matrix": matrix,
            "image_height": h, "image_width": w, "batch_size": len(angles)}


@pytest.mark.parametrize("kwargs", [{}, {"fill_mode": "constant", "fill_value": 3.0,
                                         "interpolation": "nearest"}, {"fill_mode": "wrap"}])
@pytest.mark.parametrize("fmt", ["xyxy", "center_xywh"])
def test_random_rotation_images_and_boxes_match_keras(rkeras, kwargs, fmt):
    x = (np.random.default_rng(0).random((2, 5, 8, 2)) * 255).astype("float32")
    t = _rotation([30.0, -75.0])
    outs = []
    for k in (rkeras, keras):
        layer = k.layers.RandomRotation(0.2, bounding_box_format=fmt, **kwargs)
        boxes = layer.transform_bounding_boxes(_boxes(), dict(t))
        draw = layer.get_random_transformation(x)
        outs.append((np.asarray(layer.transform_images(x, dict(t))),
                     np.asarray(boxes["boxes"]), np.asarray(boxes["labels"]), _config(layer),
                     sorted(draw), np.shape(draw["rotation_matrix"])))
    (ri, rb, rl, rc, rk, rs), (mi, mb, ml, mc, mk, ms) = outs
    np.testing.assert_allclose(mi, ri, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(mb, rb, rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(ml, rl)
    assert (mc, mk, ms) == (rc, rk, tuple(rs))


@pytest.mark.parametrize("kwargs", [{}, {"fill_mode": "constant", "fill_value": 3.0,
                                         "interpolation": "nearest"}, {"fill_mode": "wrap"}])
@pytest.mark.parametrize("fmt", ["xyxy", "xywh"])
def test_random_zoom_images_and_boxes_match_keras(rkeras, kwargs, fmt):
    x = (np.random.default_rng(0).random((2, 5, 8, 2)) * 255).astype("float32")
    t = {"height_zoom": np.array([[0.7], [1.3]], "float32"),
         "width_zoom": np.array([[0.8], [1.1]], "float32"), "input_shape": x.shape}
    outs = []
    for k in (rkeras, keras):
        layer = k.layers.RandomZoom(0.3, (0.1, 0.2), bounding_box_format=fmt, **kwargs)
        boxes = layer.transform_bounding_boxes(_box_case(k, fmt), dict(t))
        outs.append((np.asarray(layer.transform_images(x, dict(t))),
                     np.asarray(boxes["boxes"]), np.asarray(boxes["labels"]), _config(layer),
                     sorted(layer.get_random_transformation(x))))
    (ri, rb, rl, rc, rk), (mi, mb, ml, mc, mk) = outs
    np.testing.assert_allclose(mi, ri, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(mb, rb, rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(ml, rl)
    assert (mc, mk) == (rc, rk)


def test_affine_layer_errors_match_keras(rkeras):
    cases = [(ValueError, lambda k: k.layers.RandomZoom(-1.0)),
             (ValueError, lambda k: k.layers.RandomTranslation(1.2, 0.1)),
             (ValueError, lambda k: k.layers.RandomRotation((0.1, 0.2, 0.3))),
             (NotImplementedError, lambda k: k.layers.RandomRotation(0.1, fill_mode="edge")),
             (NotImplementedError, lambda k: k.layers.RandomZoom(0.1, interpolation="area"))]
    for cls, make in cases:
        with pytest.raises(cls) as real:
            make(rkeras)
        with pytest.raises(cls) as mine:
            make(keras)
        assert str(mine.value) == str(real.value)


@pytest.mark.parametrize("size", [(3, 4), (4, 8), (6, 6), (10, 4)])
@pytest.mark.parametrize("fmt", ["xyxy", "rel_xyxy"])
def test_center_crop_images_and_boxes_match_keras(rkeras, size, fmt):
    x = (np.random.default_rng(0).random((2, 5, 8, 2)) * 255).astype("float32")
    outs = []
    for k in (rkeras, keras):
        layer = k.layers.CenterCrop(*size, bounding_box_format=fmt)
        out = layer({"images": x.copy(), "bounding_boxes": _box_case(k, fmt)})
        outs.append((np.asarray(out["images"]), np.asarray(out["bounding_boxes"]["boxes"]),
                     np.asarray(out["bounding_boxes"]["labels"]), _config(layer)))
    (ri, rb, rl, rc), (mi, mb, ml, mc) = outs
    np.testing.assert_allclose(mi, ri, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(mb, rb, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(ml, rl)
    assert mc == rc


@pytest.mark.parametrize("fmt", ["xyxy", "xywh"])
def test_random_perspective_boxes_match_keras(rkeras, fmt):
    start = np.repeat(np.array([[[0., 0.], [7, 0], [0, 4], [7, 4]]], "float32"), 2, 0)
    shift = np.array([[0.1, -0.1], [0.05, 0.2], [-0.1, 0.0], [0.1, 0.1]], "float32")
    t = {"apply_perspective": np.array([True, False]), "start_points": start,
         "end_points": start + start * shift, "input_shape": (2, 5, 8, 1)}
    outs = []
    for k in (rkeras, keras):
        layer = k.layers.RandomPerspective(bounding_box_format=fmt)
        boxes = layer.transform_bounding_boxes(_box_case(k, fmt), dict(t))
        outs.append((np.asarray(boxes["boxes"]), np.asarray(boxes["labels"])))
    np.testing.assert_allclose(outs[1][0], outs[0][0], rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(outs[1][1], outs[0][1])


@pytest.mark.parametrize("make", [
    lambda k: k.layers.RandomBrightness((0.2, 0.2), bounding_box_format="xyxy"),
    lambda k: k.layers.Solarization(bounding_box_format="xyxy"),
    lambda k: k.layers.RandomErasing(factor=(0.0, 0.0), bounding_box_format="xyxy")])
def test_color_layers_pass_boxes_through_like_keras(rkeras, make):
    x = (np.random.default_rng(0).random((2, 5, 8, 3)) * 255).astype("float32")
    outs = []
    for k in (rkeras, keras):
        layer = make(k)
        out = layer({"images": x.copy(), "bounding_boxes": _boxes(),
                     "labels": np.array([0, 1])})
        outs.append((sorted(out), np.asarray(out["images"]),
                     np.asarray(out["bounding_boxes"]["boxes"]), list(_config(layer))))
    assert outs[1][0] == outs[0][0] and outs[1][3] == outs[0][3]
    np.testing.assert_allclose(outs[1][1], outs[0][1], rtol=1e-5, atol=1e-3)
    np.testing.assert_array_equal(outs[1][2], outs[0][2])
