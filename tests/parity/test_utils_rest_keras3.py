"""keras.utils.bounding_boxes, keras.tree additions, keras.utils.Config/get_source_inputs,
the Keras 3.15 activations and keras.dtype_policies against the real Keras."""
import numpy as np
import pytest

from tapeflow import keras

B = np.array([[[10, 20, 50, 80], [0, 0, 5, 5], [30, 10, 90, 40]]], "float32")
FORMATS = ["xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx",
           "rel_xywh", "rel_center_xywh"]


@pytest.mark.parametrize("target", FORMATS)
def test_convert_format_matches_keras(rkeras, target):
    real = np.asarray(rkeras.utils.bounding_boxes.convert_format(B, "xyxy", target, 100, 200))
    mine = keras.utils.bounding_boxes.convert_format(B, "xyxy", target, 100, 200)
    np.testing.assert_allclose(mine.numpy(), real, rtol=1e-6)
    back_r = np.asarray(rkeras.utils.bounding_boxes.convert_format(real, target, "center_yxhw",
                                                                   100, 200))
    back_m = keras.utils.bounding_boxes.convert_format(real, target, "center_yxhw", 100, 200)
    np.testing.assert_allclose(back_m.numpy(), back_r, rtol=1e-5, atol=1e-5)


def test_box_functions_match_keras(rkeras):
    rb, mb = rkeras.utils.bounding_boxes, keras.utils.bounding_boxes
    other = np.array([[10, 20, 50, 60], [100, 100, 110, 110], [-1, -1, -1, -1]], "float32")
    for kwargs in ({}, {"use_masking": True}):
        np.testing.assert_allclose(mb.compute_iou(B[0], other, "xyxy", **kwargs).numpy(),
                                   np.asarray(rb.compute_iou(B[0], other, "xyxy", **kwargs)),
                                   rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mb.compute_ciou(B[0], other + 1, "xyxy").numpy(),
                               np.asarray(rb.compute_ciou(B[0], other + 1, "xyxy")),
                               rtol=1e-4, atol=1e-5)
    data = {"boxes": np.array([[[-5, 10, 250, 50], [300, 10, 400, 20]]], "float32"),
            "labels": np.array([[1, 2]], "int32")}
    real, mine = rb.clip_to_image_size(dict(data), 100, 200), mb.clip_to_image_size(
        dict(data), 100, 200)
    for key in ("boxes", "labels"):
        np.testing.assert_array_equal(np.asarray(mine[key]), np.asarray(real[key]))
    np.testing.assert_array_equal(mb.crop(B, 5, 10, 40, 30).numpy(),
                                  np.asarray(rb.crop(B, 5, 10, 40, 30)))
    np.testing.assert_array_equal(mb.pad(B, 5, 10).numpy(), np.asarray(rb.pad(B, 5, 10)))
    for args in ((B, "xyxy", "xyz"), (B, "xyxy", "rel_xyxy")):
        with pytest.raises(ValueError) as r:
            rb.convert_format(*args)
        with pytest.raises(ValueError) as m:
            mb.convert_format(*args)
        assert str(m.value) == str(r.value)


def test_tree_additions_match_keras(rkeras):
    for k in (rkeras, keras):
        t = k.tree
        assert t.traverse(lambda x: t.MAP_TO_NONE if x == 2 else None, [1, 2, 3]) == [1, None, 3]
    cases = [lambda t: t.traverse(lambda x: "L" if isinstance(x, list) and len(x) == 1
                                  else None, {"a": [1], "b": (2, [3, 4])}),
             lambda t: t.traverse(lambda x: x * 10 if isinstance(x, int) else None,
                                  [1, (2, 3)], top_down=False),
             lambda t: t.map_shape_structure(len, [(1, 2), {"a": (None, 3)}, ((2,),)])]
    for case in cases:
        assert case(keras.tree) == case(rkeras.tree)
    rkeras.tree.assert_same_paths([1, 2], [3, 4])
    keras.tree.assert_same_paths([1, 2], [3, 4])
    with pytest.raises(ValueError):
        rkeras.tree.assert_same_paths([1, 2], {"a": 1})
    with pytest.raises(ValueError, match="same paths"):
        keras.tree.assert_same_paths([1, 2], {"a": 1})


def test_config_and_source_inputs_match_keras(rkeras):
    for k in (rkeras, keras):
        c = k.utils.Config(a=1, b=[2])
        assert (c.a, c["b"], list(c.keys()), c.to_json()) == (1, [2], ["a", "b"],
                                                              '{"a": 1, "b": [2]}')
        assert repr(c) == "<Config {'a': 1, 'b': [2]}>"
        c.freeze()
        with pytest.raises(ValueError, match="frozen"):
            c.a = 3
        c.unfreeze()
        c.a = 3
        assert c.as_dict() == {"a": 3, "b": [2]}
        a, b = k.Input((3,)), k.Input((3,))
        out = k.layers.Dense(2)(k.layers.Add()([a, b]))
        src = k.utils.get_source_inputs(out)
        assert len(src) == 2 and src[0] is a and src[1] is b
        assert k.utils.get_source_inputs(a)[0] is a


NEW_ACTIVATIONS = ["celu", "glu", "hard_shrink", "hard_tanh", "log_sigmoid", "soft_shrink",
                   "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "tanh_shrink"]


@pytest.mark.parametrize("name", NEW_ACTIVATIONS)
def test_new_activations_match_keras(rkeras, name):
    x = np.linspace(-3, 3, 24, dtype="float32").reshape(4, 6)
    if name == "sparsemax":
        # Keras 3.15's TensorFlow backend computes tau from the sum of the *cumulative* sums
        # over the support, so its rows do not sum to 1 once the support has 2+ entries;
        # tapeflow computes the true projection (tests/keras/test_utils_rest.py). They agree
        # where the support is one entry per row:
        x = np.array([[3.0, 0.0, -1.0], [0.5, 2.0, -4.0]], "float32")
    real = np.asarray(getattr(rkeras.activations, name)(x))
    mine = getattr(keras.activations, name)(x)
    np.testing.assert_allclose(mine.numpy(), real, rtol=1e-5, atol=1e-6)
    assert keras.activations.get(name) is getattr(keras.activations, name)
    assert keras.activations.serialize(getattr(keras.activations, name)) == \
        rkeras.activations.serialize(getattr(rkeras.activations, name))


def test_threshold_activation_and_dtype_policies_match_keras(rkeras):
    x = np.linspace(-2, 2, 9, dtype="float32")
    np.testing.assert_allclose(keras.activations.threshold(x, 0.5, -1.0).numpy(),
                               np.asarray(rkeras.activations.threshold(x, 0.5, -1.0)))
    policy = keras.dtype_policies.FloatDTypePolicy("mixed_float16")
    real = rkeras.dtype_policies.FloatDTypePolicy("mixed_float16")
    assert repr(policy) == repr(real)
    assert keras.dtype_policies.serialize(policy) == rkeras.dtype_policies.serialize(real)
    assert keras.dtype_policies.deserialize(keras.dtype_policies.serialize(policy)) == policy
    assert keras.mixed_precision.LossScaleOptimizer is keras.optimizers.LossScaleOptimizer
    assert keras.config.is_flash_attention_enabled() == \
        rkeras.config.is_flash_attention_enabled()


ANCHORS = np.array([[10, 10, 50, 40], [0, 0, 20, 20], [30, 5, 60, 70]], "float32")
TARGETS = np.array([[[12, 8, 48, 44], [1, 2, 18, 25], [28, 0, 70, 60]]], "float32")


@pytest.mark.parametrize("encoding", ["center_yxhw", "center_xywh"])
@pytest.mark.parametrize("variance", [None, [0.1, 0.1, 0.2, 0.2]])
def test_box_deltas_match_keras(rkeras, encoding, variance):
    rb, mb = rkeras.utils.bounding_boxes, keras.utils.bounding_boxes
    real = np.asarray(rb.encode_box_to_deltas(ANCHORS, TARGETS, "xyxy", "xyxy",
                                              encoding_format=encoding, variance=variance))
    mine = mb.encode_box_to_deltas(ANCHORS, TARGETS, "xyxy", "xyxy", encoding_format=encoding,
                                   variance=variance).numpy()
    np.testing.assert_allclose(mine, real, rtol=1e-5, atol=1e-6)
    back_r = np.asarray(rb.decode_deltas_to_boxes(ANCHORS, real, "xyxy", "xywh",
                                                  encoded_format=encoding, variance=variance))
    back_m = mb.decode_deltas_to_boxes(ANCHORS, real, "xyxy", "xywh", encoded_format=encoding,
                                       variance=variance).numpy()
    np.testing.assert_allclose(back_m, back_r, rtol=1e-5, atol=1e-4)
    levels = mb.decode_deltas_to_boxes({"p3": ANCHORS}, {"p3": real}, "xyxy", "xywh",
                                       encoded_format=encoding, variance=variance)
    np.testing.assert_allclose(levels["p3"].numpy(), back_r, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("params", [(30.0, 0.1, -0.05, 1.2, 10.0, -5.0, None, None),
                                    (0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.2, 0.7),
                                    (-45.0, -0.2, 0.1, 0.8, 0.0, 15.0, None, None)])
def test_box_affine_transform_matches_keras(rkeras, params):
    angle, tx, ty, scale, shx, shy, cx, cy = params
    args = [np.array([v], "float32") for v in (angle, tx, ty, scale, shx, shy)]
    real = rkeras.utils.bounding_boxes.affine_transform(TARGETS, *args, 80, 100,
                                                        center_x=cx, center_y=cy)
    mine = keras.utils.bounding_boxes.affine_transform(TARGETS, *args, 80, 100,
                                                       center_x=cx, center_y=cy)
    np.testing.assert_allclose(mine.numpy(), np.asarray(real), rtol=1e-4, atol=1e-3)
