"""The Keras 3 ImageNet architectures (ResNet, MobileNet V1-V3, EfficientNet, DenseNet,
ConvNeXt): parameter counts, layer names, output shapes and model names as Keras 3.15 gives
them (expected values taken from Keras 3.15), a forward pass, preprocessing and the
``weights="imagenet"`` refusal. Small inputs or widths keep the builds fast."""
import numpy as np
import pytest

from tapeflow import keras

A = keras.applications

CASES = {
    "MobileNet_a025": (lambda: A.MobileNet(alpha=0.25, input_shape=(128, 128, 3),
                                           weights=None),
                       475544, 91, "mobilenet_0.25_128",
                       ["conv1", "conv1_bn", "conv1_relu", "conv_dw_1", "conv_dw_1_bn"],
                       ["dropout", "conv_preds", "reshape_2", "predictions"], (None, 1000)),
    "MobileNetV2_a035": (lambda: A.MobileNetV2(alpha=0.35, input_shape=(96, 96, 3),
                                               weights=None),
                         1691208, 156, "mobilenetv2_0.35_96",
                         ["Conv1", "bn_Conv1", "Conv1_relu", "expanded_conv_depthwise",
                          "expanded_conv_depthwise_BN"],
                         ["Conv_1_bn", "out_relu", None, "predictions"], (None, 1000)),
    "MobileNetV3Small": (lambda: A.MobileNetV3Small(input_shape=(64, 64, 3), weights=None),
                         2554968, 164, "MobileNetV3Small",
                         [None, "conv", "conv_bn", None, "expanded_conv_depthwise_pad"],
                         ["dropout", "logits", "flatten", "predictions"], (None, 1000)),
    "MobileNetV3Large_min_notop": (
        lambda: A.MobileNetV3Large(minimalistic=True, include_top=False, pooling="avg",
                                   weights=None),
        1437608, 140, "MobileNetV3Large", [None, "conv", "conv_bn", None,
                                           "expanded_conv_depthwise"],
        ["conv_1", "conv_1_bn", None, "avg_pool"], (None, 960)),
    "EfficientNetB0": (lambda: A.EfficientNetB0(weights=None), 5330571, 240, "efficientnetb0",
                       [None, None, "stem_conv_pad", "stem_conv", "stem_bn"],
                       ["top_activation", "avg_pool", "top_dropout", "predictions"],
                       (None, 1000)),
    "EfficientNetV2B0": (lambda: A.EfficientNetV2B0(weights=None), 7200312, 273,
                         "efficientnetv2-b0", [None, None, "stem_conv", "stem_bn",
                                               "stem_activation"],
                         ["top_activation", "avg_pool", "top_dropout", "predictions"],
                         (None, 1000)),
    "DenseNet121_notop": (lambda: A.DenseNet121(include_top=False, input_shape=(64, 64, 3),
                                                weights=None),
                          7037504, 427, "densenet121",
                          [None, "conv1_conv", "conv1_bn", "conv1_relu", None],
                          ["conv5_block16_2_conv", "conv5_block16_concat", "bn", "relu"],
                          (None, 2, 2, 1024)),
    "ResNet50": (lambda: A.ResNet50(weights=None), 25636712, 177, "resnet50",
                 ["conv1_pad", "conv1_conv", "conv1_bn", "conv1_relu", "pool1_pad"],
                 ["conv5_block3_add", "conv5_block3_out", "avg_pool", "predictions"],
                 (None, 1000)),
    "ResNet50V2_notop": (lambda: A.ResNet50V2(include_top=False, pooling="avg",
                                              input_shape=(64, 64, 3), weights=None),
                         23564800, 191, "resnet50v2",
                         ["conv1_pad", "conv1_conv", "pool1_pad", "pool1_pool",
                          "conv2_block1_preact_bn"],
                         ["conv5_block3_out", "post_bn", "post_relu", "avg_pool"],
                         (None, 2048)),
    "NASNetMobile": (lambda: A.NASNetMobile(weights=None), 5326716, 771, "nasnet_mobile",
                     ["stem_conv1", "stem_bn1", None, "reduction_conv_1_stem_1",
                      "reduction_bn_1_stem_1"],
                     [None, None, None, "predictions"], (None, 1000)),
    "ConvNeXtTiny_notop": (lambda: A.ConvNeXtTiny(include_top=False, input_shape=(64, 64, 3),
                                                  weights=None),
                           27820128, 133, "convnext_tiny",
                           ["convnext_tiny_prestem_normalization", "convnext_tiny_stem",
                            "convnext_tiny_stage_0_block_0_depthwise_conv",
                            "convnext_tiny_stage_0_block_0_layernorm",
                            "convnext_tiny_stage_0_block_0_pointwise_conv_1"],
                           ["convnext_tiny_stage_3_block_2_pointwise_conv_2",
                            "convnext_tiny_stage_3_block_2_layer_scale",
                            "convnext_tiny_stage_3_block_2_identity", None],
                           (None, 2, 2, 768)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_architecture_matches_keras(case):
    make, params, n_layers, name, first, last, out_shape = CASES[case]
    keras.backend.clear_session()
    model = make()
    assert model.count_params() == params
    assert len(model.layers) == n_layers
    assert model.name == name
    names = [layer.name for layer in model.layers]
    # None marks an automatically numbered name (it depends on the session's counters)
    assert [n if f is not None else None for n, f in zip(names[1:6], first)] == first
    assert [n if f is not None else None for n, f in zip(names[-4:], last)] == last
    assert tuple(model.output.shape) == out_shape


def test_nasnet_weight_paths_carry_the_cell_scopes():
    keras.backend.clear_session()
    model = A.NASNetMobile(weights=None)
    paths = [w.path for w in model.weights]
    assert paths[5] == "reduction_A_block_stem_1/reduction_conv_1_stem_1/kernel"
    assert paths[10] == ("reduction_A_block_stem_1/block_1/separable_conv_block_reduction_"
                         "left1_stem_1/separable_conv_1_reduction_left1_stem_1/"
                         "depthwise_kernel")


def test_small_models_run_forward():
    x = np.random.RandomState(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    m = A.MobileNetV3Small(input_shape=(32, 32, 3), weights=None, classes=5)
    probs = m(x).numpy()
    assert probs.shape == (2, 5)
    np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-5)
    v2 = A.MobileNetV2(alpha=0.35, include_top=False, input_shape=(32, 32, 3), weights=None)
    assert v2(A.mobilenet_v2.preprocess_input(x.copy())).shape == (2, 1, 1, 1280)


def test_top_level_and_module_names():
    assert A.ResNet50 is A.resnet.ResNet50 is A.resnet50.ResNet50
    assert A.ResNet101V2 is A.resnet_v2.ResNet101V2
    assert A.EfficientNetB7 is A.efficientnet.EfficientNetB7
    assert A.EfficientNetV2L is A.efficientnet_v2.EfficientNetV2L
    assert A.DenseNet169 is A.densenet.DenseNet169
    assert A.ConvNeXtXLarge is A.convnext.ConvNeXtXLarge
    assert A.MobileNetV3Large is A.mobilenet_v3.MobileNetV3Large
    assert A.InceptionResNetV2 is A.inception_resnet_v2.InceptionResNetV2
    assert A.NASNetLarge is A.nasnet.NASNetLarge


def test_preprocess_input_per_family():
    x = np.array([[[[0.0, 127.5, 255.0]]]], "float32")
    np.testing.assert_allclose(A.resnet_v2.preprocess_input(x.copy()), [[[[-1, 0, 1]]]])
    np.testing.assert_allclose(A.mobilenet.preprocess_input(x.copy()), [[[[-1, 0, 1]]]])
    np.testing.assert_allclose(A.resnet.preprocess_input(x.copy()),
                               [[[[255 - 103.939, 127.5 - 116.779, 0 - 123.68]]]], rtol=1e-6)
    torch = (x / 255 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(A.densenet.preprocess_input(x.copy()), torch, rtol=1e-5)
    for module in (A.efficientnet, A.mobilenet_v3, A.convnext):
        assert module.preprocess_input(x) is x


@pytest.mark.parametrize("make,fname", [
    (lambda: A.ResNet50(), "resnet50_weights_tf_dim_ordering_tf_kernels.h5"),
    (lambda: A.ResNet50V2(include_top=False),
     "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    (lambda: A.EfficientNetB0(), "efficientnetb0.h5"),
    (lambda: A.MobileNetV3Small(input_shape=(224, 224, 3)),
     "weights_mobilenet_v3_small_224_1.0_float.h5"),
    (lambda: A.DenseNet121(include_top=False),
     "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    (lambda: A.ConvNeXtTiny(), "convnext_tiny.h5"),
    (lambda: A.MobileNet(), "mobilenet_1_0_224_tf.h5"),
    (lambda: A.MobileNetV2(alpha=0.35, include_top=False),
     "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5"),
    (lambda: A.NASNetMobile(), "nasnet_mobile.h5"),
    (lambda: A.InceptionResNetV2(include_top=False),
     "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5")])
def test_imagenet_weights_offline_name_keras_file(make, fname, tmp_path, monkeypatch):
    pytest.importorskip("h5py", reason="pretrained weights files are HDF5 (needs h5py)")
    import urllib.error
    import urllib.request

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(Exception, match="To work offline") as info:
        make()
    assert fname in str(info.value)


def test_argument_checks():
    with pytest.raises(ValueError, match="weights"):
        A.ResNet50(weights="nowhere.h5")
    with pytest.raises(ValueError, match="classes"):
        A.EfficientNetB0(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="at least 32"):
        A.MobileNetV3Small(input_shape=(16, 16, 3), weights=None)


def test_convnext_layers_config_round_trip():
    scale = A.convnext.LayerScale(1e-6, 4)
    y = scale(np.ones((2, 4), "float32"))
    np.testing.assert_allclose(y.numpy(), 1e-6, rtol=1e-6)
    assert A.convnext.LayerScale.from_config(scale.get_config()).projection_dim == 4
    drop = A.convnext.StochasticDepth(0.5)
    x = np.ones((64, 3), "float32")
    np.testing.assert_array_equal(drop(x).numpy(), x)
    out = drop(x, training=True).numpy()
    assert set(np.unique(out)) <= {0.0, 2.0} and 0 < out.mean() < 2
