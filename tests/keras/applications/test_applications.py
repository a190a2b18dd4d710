"""keras.applications: VGG16/VGG19/Xception/InceptionV3 architectures (Keras 3 layer names and
parameter counts), preprocess_input, decode_predictions, and weights="imagenet" from the
Keras cache, or failing clearly (naming the file and where to put it) without the network."""
import hashlib
import json
import urllib.request

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import applications
from tapeflow.keras.applications import imagenet_utils

CAFFE_MEAN = np.array([103.939, 116.779, 123.68], np.float32)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to reach the network")
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def _names(model):
    return [layer.name for layer in model.layers]


# -- architectures ------------------------------------------------------------------------

def test_top_level_names_are_the_submodules_functions():
    assert applications.VGG16 is applications.vgg16.VGG16
    assert applications.VGG19 is applications.vgg19.VGG19
    assert applications.Xception is applications.xception.Xception
    assert applications.InceptionV3 is applications.inception_v3.InceptionV3
    assert keras.applications.xception.decode_predictions is not None
    with pytest.raises(AttributeError):
        applications.ResNet1000  # noqa: B018


def test_vgg16_without_top_layers_shapes_params_and_forward():
    model = applications.vgg16.VGG16(include_top=False, weights=None, input_shape=(32, 32, 3))
    assert model.name == "vgg16"
    expected = []
    for block, n in enumerate((2, 2, 3, 3, 3), start=1):
        expected += [f"block{block}_conv{i}" for i in range(1, n + 1)] + [f"block{block}_pool"]
    assert _names(model)[1:] == expected
    assert model.count_params() == 14_714_688          # Keras's VGG16(include_top=False)
    assert tuple(model.output.shape) == (None, 1, 1, 512)
    conv = model.get_layer("block1_conv1")
    assert conv.kernel_size == (3, 3) and conv.padding == "same" and conv.filters == 64
    x = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    y = model(applications.vgg16.preprocess_input(x))
    assert y.shape == (2, 1, 1, 512) and y.dtype == tf.float32
    assert np.all(y.numpy() >= 0)                       # ReLU then max pooling


def test_vgg19_without_top_and_pooling_modes():
    model = applications.VGG19(include_top=False, weights=None, input_shape=(32, 32, 3),
                               pooling="avg")
    assert model.name == "vgg19"
    names = _names(model)
    assert "block5_conv4" in names and "block3_conv4" in names and "block2_conv3" not in names
    assert model.count_params() == 20_024_384          # Keras's VGG19(include_top=False)
    assert tuple(model.output.shape) == (None, 512)
    assert type(model.layers[-1]).__name__ == "GlobalAveragePooling2D"
    maxed = applications.vgg19.VGG19(include_top=False, weights=None, pooling="max")
    assert tuple(maxed.input.shape) == (None, None, None, 3)
    assert type(maxed.layers[-1]).__name__ == "GlobalMaxPooling2D"
    assert tuple(maxed.output.shape) == (None, 512)


def test_vgg16_with_top_on_small_images():
    model = applications.VGG16(weights=None, input_shape=(32, 32, 3), classes=10)
    assert _names(model)[-4:] == ["flatten", "fc1", "fc2", "predictions"]
    # 14,714,688 + (512*4096 + 4096) + (4096*4096 + 4096) + (4096*10 + 10)
    assert model.count_params() == 33_638_218
    probs = model(np.zeros((2, 32, 32, 3), np.float32)).numpy()
    assert probs.shape == (2, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    logits = applications.VGG16(weights=None, input_shape=(32, 32, 3), classes=3,
                                classifier_activation=None)
    assert logits.get_layer("predictions").units == 3


def test_xception_without_top_layers_params_and_forward():
    model = applications.xception.Xception(include_top=False, weights=None,
                                           input_shape=(71, 71, 3))
    assert model.name == "xception"
    names = _names(model)
    assert names[1:4] == ["block1_conv1", "block1_conv1_bn", "block1_conv1_act"]
    for name in ("block2_sepconv1", "block2_sepconv1_bn", "block2_sepconv2_act", "block2_pool",
                 "block12_sepconv3_bn", "block13_pool", "block14_sepconv2_act"):
        assert name in names
    assert "block2_sepconv1_act" not in names          # block 2 follows an activation already
    assert names[-1] == "block14_sepconv2_act"
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("Add") == 12                     # 3 entry + 8 middle + 1 exit
    assert kinds.count("SeparableConv2D") == 34
    assert model.count_params() == 20_861_480          # Keras's Xception(include_top=False)
    assert tuple(model.output.shape) == (None, 3, 3, 2048)
    y = model(np.random.uniform(-1, 1, (1, 71, 71, 3)).astype("float32"))
    assert y.shape == (1, 3, 3, 2048)
    assert np.all(y.numpy() >= 0) and np.isfinite(y.numpy()).all()


def test_xception_with_top_small_classifier():
    model = applications.Xception(weights=None, input_shape=(71, 71, 3), classes=5)
    assert _names(model)[-2:] == ["avg_pool", "predictions"]
    assert model.count_params() == 20_861_480 + 2048 * 5 + 5
    assert tuple(model.output.shape) == (None, 5)


def test_inception_v3_without_top():
    model = applications.InceptionV3(include_top=False, weights=None, input_shape=(75, 75, 3))
    assert model.name == "inception_v3"
    names = _names(model)
    for i in range(11):
        assert f"mixed{i}" in names
    assert "mixed9_0" in names and "mixed9_1" in names
    assert model.count_params() == 21_802_784          # Keras's InceptionV3(include_top=False)
    assert tuple(model.output.shape) == (None, 1, 1, 2048)


def test_input_tensor_and_its_source_inputs():
    inp = keras.Input(shape=(32, 32, 3))
    model = applications.VGG16(include_top=False, weights=None, input_tensor=inp)
    assert model.inputs[0] is inp
    raw = keras.Input(shape=(32, 32, 3))
    scaled = keras.layers.Rescaling(1.0 / 255)(raw)
    model = applications.VGG16(include_top=False, weights=None, input_tensor=scaled)
    assert model.inputs[0] is raw
    assert "rescaling" in _names(model)[1]


def test_argument_errors():
    with pytest.raises(ValueError, match=r"Input size must be at least 32x32; Received: "
                                         r"input_shape=\(16, 16, 3\)"):
        applications.VGG16(include_top=False, weights=None, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match=r"Input size must be at least 71x71"):
        applications.Xception(include_top=False, weights=None, input_shape=(64, 64, 3))
    with pytest.raises(ValueError, match=r"`classes` should be 1000.  Received classes=10"):
        applications.VGG16(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match=r"Received: weights=no/such/file.weights.h5"):
        applications.VGG16(weights="no/such/file.weights.h5")
    with pytest.raises(ValueError, match=r"Only `None` and `softmax` activations are allowed"):
        applications.VGG16(weights="imagenet", classifier_activation="relu")
    with pytest.raises(ValueError, match=r"`input_shape` should be \(299, 299, 3\).  "
                                         r"Received: input_shape=\(150, 150, 3\)"):
        applications.Xception(weights="imagenet", input_shape=(150, 150, 3))
    with pytest.raises(ValueError, match=r"The input must have 3 channels"):
        applications.VGG16(weights="imagenet", include_top=False, input_shape=(64, 64, 1))
    with pytest.raises(ValueError, match=r"`input_shape` must be a tuple of three integers"):
        applications.VGG16(include_top=False, weights=None, input_shape=(32, 32))
    with pytest.raises(ValueError, match=r"If `include_top` is True, you should specify a "
                                         r"static `input_shape`"):
        applications.VGG16(weights=None, input_shape=(None, None, 3))


@pytest.mark.parametrize("build,fname", [
    (lambda: applications.VGG16(), "vgg16_weights_tf_dim_ordering_tf_kernels.h5"),
    (lambda: applications.VGG16(include_top=False),
     "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    (lambda: applications.VGG19(include_top=False, input_shape=(32, 32, 3)),
     "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    (lambda: applications.Xception(), "xception_weights_tf_dim_ordering_tf_kernels.h5"),
    (lambda: applications.InceptionV3(include_top=False),
     "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"),
])
def test_imagenet_weights_offline_name_the_file_and_where_to_put_it(build, fname, tmp_path,
                                                                     monkeypatch):
    pytest.importorskip("h5py", reason="pretrained weights files are HDF5 (needs h5py)")
    import urllib.error
    import urllib.request

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(Exception, match="To work offline") as e:
        build()
    assert fname in str(e.value)
    assert str(tmp_path / "models" / fname) in str(e.value)


def test_imagenet_weights_need_h5py_before_any_download(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "h5py", None)     # `import h5py` now fails
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(ImportError, match=r"vgg16_weights_tf_dim_ordering_tf_kernels_notop\.h5"
                                          r".*pip install tapeflow\[h5\]"):
        applications.VGG16(include_top=False)
    assert not (tmp_path / "models").exists()           # nothing fetched, nothing cached


def test_imagenet_weights_from_the_keras_cache(tmp_path, monkeypatch):
    # A file in the layout of Keras's vgg16 ..._notop.h5 (layer_names at the root, one group
    # per layer, pooling layers without weights). Its datasets are unallocated, chunked and
    # read as per-weight fill values, so the test file is a few KB instead of 58 MB.
    h5py = pytest.importorskip("h5py", reason="pretrained weights files are HDF5")
    from tapeflow.keras.applications import vgg16
    fname = "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    monkeypatch.setitem(vgg16._FILES, False, (fname, None))   # no md5 for the stand-in
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "models").mkdir()
    reference = applications.VGG16(include_top=False, weights=None)
    fills = {}
    with h5py.File(tmp_path / "models" / fname, "w") as f:
        f.attrs["layer_names"] = np.array([l.name.encode() for l in reference.layers])
        for i, layer in enumerate(reference.layers):
            g = f.create_group(layer.name)
            names = [f"{layer.name}_W_{j}:0" for j in range(len(layer.weights))]
            g.attrs["weight_names"] = np.array([n.encode() for n in names]) if names \
                else np.zeros((0,))
            for j, (n, w) in enumerate(zip(names, layer.weights)):
                fills[w.path] = i + j / 10
                g.create_dataset(n, shape=w.shape, dtype="f4", chunks=True,
                                 fillvalue=fills[w.path])
    assert (tmp_path / "models" / fname).stat().st_size < 200_000
    model = applications.VGG16(include_top=False, input_shape=(32, 32, 3))
    for w in model.weights:
        assert np.all(w.numpy() == np.float32(fills[w.path])), w.path


def test_weights_path_loads_saved_weights(tmp_path):
    first = applications.VGG16(include_top=False, weights=None, input_shape=(32, 32, 3))
    path = str(tmp_path / "vgg.weights.h5")
    first.save_weights(path)
    second = applications.VGG16(include_top=False, weights=path, input_shape=(32, 32, 3))
    for a, b in zip(first.weights, second.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


# -- preprocess_input ---------------------------------------------------------------------

def test_caffe_preprocessing_of_uint8_numpy():
    x = np.random.randint(0, 256, (2, 4, 5, 3)).astype(np.uint8)
    y = applications.vgg16.preprocess_input(x)
    assert isinstance(y, np.ndarray) and y.dtype == np.float32 and y.shape == x.shape
    expected = x[..., ::-1].astype(np.float32) - CAFFE_MEAN
    np.testing.assert_array_equal(y, expected)
    np.testing.assert_array_equal(applications.vgg19.preprocess_input(x), expected)
    assert x.dtype == np.uint8                          # integer input is not written over


def test_caffe_preprocessing_writes_over_float_input_like_keras():
    x = np.full((1, 1, 1, 3), [10.0, 20.0, 30.0], np.float32)
    y = applications.vgg16.preprocess_input(x)
    np.testing.assert_array_equal(y[0, 0, 0], np.float32([30, 20, 10]) - CAFFE_MEAN)
    assert np.shares_memory(x, y)                       # a view of the input, as in Keras
    x64 = np.zeros((2, 2, 3), np.float64)
    assert applications.vgg16.preprocess_input(x64).dtype == np.float64


def test_caffe_preprocessing_channels_first():
    x = np.arange(2 * 3 * 2 * 2, dtype=np.float32).reshape(2, 3, 2, 2)
    expected = x[:, ::-1] - CAFFE_MEAN.reshape(1, 3, 1, 1)
    np.testing.assert_array_equal(
        applications.vgg16.preprocess_input(x.copy(), data_format="channels_first"), expected)
    one = x[0].copy()
    np.testing.assert_array_equal(
        applications.vgg16.preprocess_input(one, data_format="channels_first"), expected[0])


def test_tf_preprocessing_numpy():
    x = np.array([[[[0, 127.5, 255]]]], np.float32)
    np.testing.assert_array_equal(applications.xception.preprocess_input(x),
                                  np.float32([[[[-1, 0, 1]]]]))
    u8 = np.array([[0, 51, 255]], np.uint8).reshape(1, 1, 3)
    y = applications.inception_v3.preprocess_input(u8)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.ravel(), [-1.0, 51 / 127.5 - 1, 1.0], rtol=1e-6)


def test_preprocessing_tensors_returns_tensors():
    x = np.random.uniform(0, 255, (2, 3, 3, 3)).astype(np.float32)
    y = applications.vgg16.preprocess_input(tf.constant(x))
    assert type(y).__name__ == "Tensor" and y.dtype == tf.float32
    np.testing.assert_allclose(y.numpy(), x[..., ::-1] - CAFFE_MEAN, rtol=1e-6)
    z = applications.xception.preprocess_input(tf.constant(x))
    assert z.dtype == tf.float32
    np.testing.assert_allclose(z.numpy(), x / 127.5 - 1, rtol=1e-6, atol=1e-6)
    w = applications.inception_v3.preprocess_input(tf.constant([[[0, 255, 51]]], tf.int32))
    assert w.dtype == tf.float32
    np.testing.assert_allclose(w.numpy().ravel(), [-1, 1, 51 / 127.5 - 1], rtol=1e-6)


def test_preprocessing_symbolic_input_inside_a_model():
    inputs = keras.Input(shape=(2, 2, 3))
    model = keras.Model(inputs, applications.vgg16.preprocess_input(inputs))
    # Keras 3 records the channel swap as three GetItem ops and a Stack, then an Add.
    assert [type(op).__name__ for op in model.operations] == [
        "InputLayer", "GetItem", "GetItem", "GetItem", "Stack", "Add"]
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer"]
    x = np.random.uniform(0, 255, (1, 2, 2, 3)).astype(np.float32)
    np.testing.assert_allclose(model(x).numpy(), x[..., ::-1] - CAFFE_MEAN, rtol=1e-6)
    first = keras.Input(shape=(3, 2, 2))
    model = keras.Model(first, applications.vgg16.preprocess_input(
        first, data_format="channels_first"))
    xf = np.random.uniform(0, 255, (2, 3, 2, 2)).astype(np.float32)
    np.testing.assert_allclose(model(xf).numpy(),
                               xf[:, ::-1] - CAFFE_MEAN.reshape(1, 3, 1, 1), rtol=1e-6)
    model = keras.Model(inputs, applications.xception.preprocess_input(inputs))
    assert [type(op).__name__ for op in model.operations][1:] == ["TrueDivide", "Subtract"]
    np.testing.assert_allclose(model(x).numpy(), x / 127.5 - 1, rtol=1e-6, atol=1e-6)


def test_preprocessing_torch_mode_and_errors():
    x = np.full((1, 1, 3), 255.0, np.float32)
    y = imagenet_utils.preprocess_input(x, mode="torch")
    np.testing.assert_allclose(
        y.ravel(), (1 - np.float32([0.485, 0.456, 0.406])) / np.float32([0.229, 0.224, 0.225]),
        rtol=1e-6)
    with pytest.raises(ValueError, match=r"Expected mode to be one of `caffe`, `tf` or "
                                         r"`torch`. Received: mode=bgr"):
        imagenet_utils.preprocess_input(x, mode="bgr")
    with pytest.raises(ValueError, match=r"Received: data_format=channels_middle"):
        applications.vgg16.preprocess_input(x, data_format="channels_middle")


# -- decode_predictions -------------------------------------------------------------------

@pytest.fixture
def fake_class_index(tmp_path, monkeypatch):
    """A 1000-class index in a temporary Keras cache, where get_file looks for it."""
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    models = tmp_path / "models"
    models.mkdir()
    path = models / "imagenet_class_index.json"
    path.write_text(json.dumps(index))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_FILE_HASH",
                        hashlib.md5(path.read_bytes()).hexdigest())
    return path


def test_decode_predictions_with_cached_index(fake_class_index):
    preds = np.zeros((2, 1000), np.float32)
    preds[0, [7, 3, 999]] = [0.5, 0.3, 0.2]
    preds[1, [1, 2]] = [0.1, 0.9]
    decoded = applications.xception.decode_predictions(preds, top=3)
    assert len(decoded) == 2
    assert [r[:2] for r in decoded[0]] == [("n00000007", "class_7"), ("n00000003", "class_3"),
                                         ("n00000999", "class_999")]
    assert [r[2] for r in decoded[0]] == [np.float32(0.5), np.float32(0.3), np.float32(0.2)]
    assert type(decoded[0][0][2]) is np.float32
    assert [r[1] for r in decoded[1][:2]] == ["class_2", "class_1"]
    assert len(applications.vgg16.decode_predictions(tf.constant(preds))[0]) == 5


def test_decode_predictions_shape_error(fake_class_index):
    with pytest.raises(ValueError, match=r"expects a batch of predictions \(i.e. a 2D array of "
                                         r"shape \(samples, 1000\)\). Received array with "
                                         r"shape: \(2, 10\)"):
        applications.xception.decode_predictions(np.zeros((2, 10)))


def test_decode_predictions_offline_says_where_to_put_the_index(tmp_path, monkeypatch):
    import urllib.error

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    with pytest.raises(Exception, match=r"URL fetch failure on https://storage.googleapis.com/"
                                        r"download.tensorflow.org/data/imagenet_class_index"
                                        r".json") as e:
        applications.xception.decode_predictions(np.zeros((1, 1000), np.float32))
    assert str(tmp_path / "models" / "imagenet_class_index.json") in str(e.value)
