"""Keras 3.15 utilities without TensorFlow: bounding boxes, tree additions, Config,
get_source_inputs, config switches, activations, dtype_policies, and dir() of keras.layers."""
import numpy as np
import pytest

from tapeflow import keras

BB = keras.utils.bounding_boxes


def test_convert_format_round_trips_every_format():
    boxes = np.array([[10, 20, 50, 80], [0, 0, 5, 5]], "float32")
    for fmt in BB.FORMATS:
        there = BB.convert_format(boxes, "xyxy", fmt, height=100, width=200)
        back = BB.convert_format(there, fmt, "xyxy", height=100, width=200)
        np.testing.assert_allclose(back.numpy(), boxes, rtol=1e-6, atol=1e-5)
    np.testing.assert_array_equal(BB.convert_format(boxes, "xyxy", "xywh").numpy(),
                                  [[10, 20, 40, 60], [0, 0, 5, 5]])
    with pytest.raises(ValueError, match="height"):
        BB.convert_format(boxes, "xyxy", "rel_xyxy")


def test_iou_of_known_boxes():
    iou = BB.compute_iou(np.array([[0, 0, 2, 2]], "float32"),
                         np.array([[1, 1, 3, 3], [0, 0, 2, 2], [5, 5, 6, 6]], "float32"),
                         "xyxy").numpy()
    np.testing.assert_allclose(iou, [[1 / 7, 1.0, 0.0]], rtol=1e-6)
    same = BB.compute_ciou(np.array([[0, 0, 2, 2]], "float32"),
                           np.array([[0, 0, 2, 2]], "float32"), "xyxy").numpy()
    np.testing.assert_allclose(same, [1.0], atol=1e-5)


def test_clip_crop_pad():
    out = BB.clip_to_image_size({"boxes": np.array([[[-5, 10, 250, 50], [300, 0, 400, 9]]],
                                                   "float32"),
                                 "labels": np.array([[1, 2]])}, height=100, width=200)
    np.testing.assert_array_equal(out["boxes"].numpy()[0, 0], [0, 10, 200, 50])
    assert out["labels"].numpy().tolist() == [[1, -1]]
    np.testing.assert_array_equal(BB.crop(np.array([[10, 20, 50, 80]], "float32"), 5, 10,
                                          40, 30).numpy(), [[0, 15, 30, 40]])
    np.testing.assert_array_equal(BB.pad(np.array([[0, 0, 5, 5]], "float32"), 5, 10).numpy(),
                                  [[10, 5, 15, 10]])


def test_tree_traverse_and_paths():
    t = keras.tree
    assert t.traverse(lambda x: t.MAP_TO_NONE if x == 2 else None, [1, 2, 3]) == [1, None, 3]
    assert t.traverse(lambda x: x * 10 if isinstance(x, int) else None, [1, (2, 3)],
                      top_down=False) == [10, (20, 30)]
    assert t.map_shape_structure(len, [(1, 2), {"a": (None, 3)}]) == [2, {"a": 2}]
    t.assert_same_paths({"a": [1, 2]}, {"a": (3, 4)})
    with pytest.raises(ValueError, match="same paths"):
        t.assert_same_paths([1], [1, 2])


def test_config_and_source_inputs():
    c = keras.utils.Config(lr=0.1)
    c.epochs = 3
    assert c.as_dict() == {"lr": 0.1, "epochs": 3} and "lr" in c and len(c) == 2
    c.freeze()
    assert c.frozen
    with pytest.raises(ValueError, match="frozen"):
        c["lr"] = 1
    with pytest.raises(AttributeError):
        c.missing
    a, b = keras.Input((2,)), keras.Input((2,))
    y = keras.layers.Dense(1)(keras.layers.Concatenate()([b, a]))
    assert keras.utils.get_source_inputs(y) == [b, a]


def test_config_switches():
    from tapeflow.keras import config
    assert keras.config.is_flash_attention_enabled() is None
    try:
        keras.config.enable_flash_attention()
        assert keras.config.is_flash_attention_enabled() is True
        keras.config.disable_flash_attention()
        assert keras.config.is_flash_attention_enabled() is False
    finally:
        config._FLASH_ATTENTION[0] = None
    keras.config.set_backend("tensorflow")
    with pytest.raises(ValueError, match="TensorFlow backend only"):
        keras.config.set_backend("jax")
    assert keras.config.is_nnx_enabled() is False
    assert keras.utils.is_interactive_logging_enabled() is True


def test_new_activations_values():
    x = np.array([[-2.0, -0.25, 0.5, 3.0]], "float32")
    a = keras.activations
    np.testing.assert_allclose(a.hard_tanh(x).numpy(), [[-1, -0.25, 0.5, 1]])
    np.testing.assert_allclose(a.hard_shrink(x).numpy(), [[-2, 0, 0, 3]])
    np.testing.assert_allclose(a.soft_shrink(x).numpy(), [[-1.5, 0, 0, 2.5]])
    np.testing.assert_allclose(a.threshold(x, 0.0, 9.0).numpy(), [[9, 9, 0.5, 3]])
    np.testing.assert_allclose(a.squareplus(x, b=0).numpy(), np.maximum(x, 0), atol=1e-6)
    s = a.sparsemax(np.array([[0.1, 0.4, 0.2], [3.0, 0.0, -1.0]], "float32")).numpy()
    np.testing.assert_allclose(s.sum(-1), [1, 1], rtol=1e-6)
    np.testing.assert_allclose(s[1], [1, 0, 0])
    np.testing.assert_allclose(a.glu(np.array([[1.0, 0.0]], "float32")).numpy(), [[0.5]])
    assert a.get("celu") is a.celu and a.serialize(a.log_sigmoid) == "log_sigmoid"
    layer = keras.layers.Dense(2, activation="squareplus")
    assert keras.layers.Dense.from_config(layer.get_config()).activation is a.squareplus


def test_dtype_policies_and_dir():
    p = keras.dtype_policies.FloatDTypePolicy("mixed_float16")
    assert (p.compute_dtype, p.variable_dtype) == ("float16", "float32")
    config = keras.dtype_policies.serialize(p)
    assert config["class_name"] == "FloatDTypePolicy"
    assert keras.dtype_policies.deserialize(config) == p
    assert keras.FloatDTypePolicy is keras.dtype_policies.FloatDTypePolicy
    assert keras.version() == keras.__version__
    names = dir(keras.layers)
    assert {"StackedRNNCells", "GroupQueryAttention", "MelSpectrogram", "RandAugment",
            "Dense"} <= set(names)


def test_every_new_layer_resolves_in_a_fresh_interpreter():
    """keras.layers loads modules lazily, in name order: no import cycle may hide a layer."""
    import subprocess
    import sys
    names = ["RandomZoom", "RandomRotation", "RandomTranslation", "RandomFlip", "RandomShear",
             "RandAugment", "AugMix", "STFTSpectrogram", "MelSpectrogram", "StackedRNNCells",
             "GroupQueryAttention", "ContrastLimitedAdaptiveHistogramEqualization",
             "MaxNumBoundingBoxes", "RandomErasing", "CenterCrop", "Resizing"]
    code = ("from tapeflow import keras\n"
            f"print([getattr(keras.layers, n).__name__ for n in {names!r}])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "GroupedQueryAttention" in out.stdout and "RandomZoom" in out.stdout


def test_box_deltas_round_trip_and_affine_identity():
    anchors = np.array([[10, 10, 50, 40], [0, 0, 20, 20]], "float32")
    boxes = np.array([[12, 8, 48, 44], [1, 2, 18, 25]], "float32")
    deltas = BB.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy", variance=[1, 1, 2, 2])
    back = BB.decode_deltas_to_boxes(anchors, deltas, "xyxy", "xyxy", variance=[1, 1, 2, 2])
    np.testing.assert_allclose(back.numpy(), boxes, rtol=1e-5, atol=1e-4)
    with pytest.raises(ValueError, match="length 4"):
        BB.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy", variance=[1, 2])
    one = np.ones(1, "float32")
    same = BB.affine_transform(boxes[None], 0 * one, 0 * one, 0 * one, one, 0 * one, 0 * one,
                               50, 60)
    np.testing.assert_allclose(same.numpy()[0], boxes, atol=1e-4)
    shifted = BB.affine_transform(boxes[None], 0 * one, 0.5 * one, 0 * one, one, 0 * one,
                                  0 * one, 50, 61)
    np.testing.assert_allclose(shifted.numpy()[0, :, 0], boxes[:, 0] + 30, atol=1e-4)
