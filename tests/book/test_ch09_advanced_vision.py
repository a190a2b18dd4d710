"""Chapter 9 (advanced deep learning for computer vision), run unchanged on small synthetic data.

The listings are the book's, with ``import tapeflow as tf`` / ``from tapeflow import keras`` in place
of the TensorFlow imports. Image sizes, epochs and image counts are reduced so each flow runs in a
few seconds; parameter counts are checked at the book's sizes.
"""
import os
import random

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers

PIL = pytest.importorskip("PIL.Image")


def _count(model):
    return int(sum(np.prod(w.shape) for w in model.weights))


# --- 9.2 image segmentation ----------------------------------------------------------------------

def get_model(img_size, num_classes):
    inputs = keras.Input(shape=img_size + (3,))
    x = layers.Rescaling(1./255)(inputs)

    x = layers.Conv2D(64, 3, strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    x = layers.Conv2D(128, 3, strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(128, 3, activation="relu", padding="same")(x)
    x = layers.Conv2D(256, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2D(256, 3, activation="relu", padding="same")(x)

    x = layers.Conv2DTranspose(256, 3, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(
        256, 3, activation="relu", padding="same", strides=2)(x)
    x = layers.Conv2DTranspose(128, 3, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(
        128, 3, activation="relu", padding="same", strides=2)(x)
    x = layers.Conv2DTranspose(64, 3, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(
        64, 3, activation="relu", padding="same", strides=2)(x)

    outputs = layers.Conv2D(num_classes, 3, activation="softmax",
                            padding="same")(x)

    model = keras.Model(inputs, outputs)
    return model


def test_segmentation_model_summary_at_book_size(capsys):
    model = get_model(img_size=(200, 200), num_classes=3)
    model.summary()
    out = capsys.readouterr().out
    assert "Total params: 2,880,643" in out
    assert model.output.shape == (None, 200, 200, 3)


def _write_pets(root, n, size):
    """Writes n JPEG images and n PNG trimaps (values 1, 2, 3) like the Oxford pets folders."""
    input_dir = root / "images"
    target_dir = root / "annotations" / "trimaps"
    input_dir.mkdir(parents=True)
    target_dir.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(n):
        img = rng.integers(0, 256, size=(size, size + 4, 3), dtype=np.uint8)
        PIL.fromarray(img).save(input_dir / f"pet_{i}.jpg")
        trimap = np.ones((size, size + 4), dtype=np.uint8)
        trimap[size // 4: 3 * size // 4, size // 4: 3 * size // 4] = 2
        trimap[:2] = 3
        PIL.fromarray(trimap).save(target_dir / f"pet_{i}.png")
    return str(input_dir), str(target_dir)


def test_segmentation_flow(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    input_dir, target_dir = _write_pets(tmp_path, 6, 20)

    input_img_paths = sorted(
        [os.path.join(input_dir, fname)
         for fname in os.listdir(input_dir)
         if fname.endswith(".jpg")])
    target_paths = sorted(
        [os.path.join(target_dir, fname)
         for fname in os.listdir(target_dir)
         if fname.endswith(".png") and not fname.startswith(".")])

    img = keras.utils.load_img(input_img_paths[0])
    assert img.size == (24, 20)

    def display_target(target_array):
        normalized_array = (target_array.astype("uint8") - 1) * 127
        return normalized_array[:, :, 0]

    img = keras.utils.img_to_array(keras.utils.load_img(target_paths[0], color_mode="grayscale"))
    assert img.shape == (20, 24, 1) and img.dtype == np.float32
    assert set(np.unique(display_target(img))) == {0, 127, 254}

    img_size = (16, 16)
    num_imgs = len(input_img_paths)

    random.Random(1337).shuffle(input_img_paths)
    random.Random(1337).shuffle(target_paths)

    def path_to_input_image(path):
        return keras.utils.img_to_array(keras.utils.load_img(path, target_size=img_size))

    def path_to_target(path):
        img = keras.utils.img_to_array(
            keras.utils.load_img(path, target_size=img_size, color_mode="grayscale"))
        img = img.astype("uint8") - 1
        return img

    input_imgs = np.zeros((num_imgs,) + img_size + (3,), dtype="float32")
    targets = np.zeros((num_imgs,) + img_size + (1,), dtype="uint8")
    for i in range(num_imgs):
        input_imgs[i] = path_to_input_image(input_img_paths[i])
        targets[i] = path_to_target(target_paths[i])
    assert set(np.unique(targets)) == {0, 1, 2}

    num_val_samples = 2
    train_input_imgs = input_imgs[:-num_val_samples]
    train_targets = targets[:-num_val_samples]
    val_input_imgs = input_imgs[-num_val_samples:]
    val_targets = targets[-num_val_samples:]

    model = get_model(img_size=img_size, num_classes=3)
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")

    callbacks = [
        keras.callbacks.ModelCheckpoint("oxford_segmentation.keras",
                                        save_best_only=True)
    ]

    history = model.fit(train_input_imgs, train_targets,
                        epochs=2,
                        callbacks=callbacks,
                        batch_size=2,
                        validation_data=(val_input_imgs, val_targets),
                        verbose=0)
    assert sorted(history.history) == ["loss", "val_loss"]
    epochs = range(1, len(history.history["loss"]) + 1)
    assert list(epochs) == [1, 2]
    assert os.path.exists("oxford_segmentation.keras")

    model = keras.models.load_model("oxford_segmentation.keras")

    i = 1
    test_image = val_input_imgs[i]
    mask = model.predict(np.expand_dims(test_image, 0), verbose=0)[0]
    assert mask.shape == (16, 16, 3)
    np.testing.assert_allclose(mask.sum(axis=-1), 1.0, rtol=1e-5)
    mask = np.argmax(mask, axis=-1)
    mask *= 127
    assert mask.shape == (16, 16)


# --- 9.3 modern convnet architecture patterns ----------------------------------------------------

def test_residual_projection_and_blocks(capsys):
    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    residual = x
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    residual = layers.Conv2D(64, 1)(residual)
    x = layers.add([x, residual])
    assert x.shape == (None, 30, 30, 64)

    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    residual = x
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    x = layers.MaxPooling2D(2, padding="same")(x)
    residual = layers.Conv2D(64, 1, strides=2)(residual)
    x = layers.add([x, residual])
    assert x.shape == (None, 15, 15, 64)

    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Rescaling(1./255)(inputs)

    def residual_block(x, filters, pooling=False):
        residual = x
        x = layers.Conv2D(filters, 3, activation="relu", padding="same")(x)
        x = layers.Conv2D(filters, 3, activation="relu", padding="same")(x)
        if pooling:
            x = layers.MaxPooling2D(2, padding="same")(x)
            residual = layers.Conv2D(filters, 1, strides=2)(residual)
        elif filters != residual.shape[-1]:
            residual = layers.Conv2D(filters, 1)(residual)
        x = layers.add([x, residual])
        return x

    x = residual_block(x, filters=32, pooling=True)
    x = residual_block(x, filters=64, pooling=True)
    x = residual_block(x, filters=128, pooling=False)

    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.summary()
    out = capsys.readouterr().out
    # 3*3*3*32+32 + 9*32*32+32 + 3*32+32 | 9*32*64+64 + 9*64*64+64 + 32*64+64
    # | 9*64*128+128 + 9*128*128+128 + 64*128+128 | 129
    assert "Total params: 297,697" in out
    assert model(np.zeros((2, 32, 32, 3), "float32")).shape == (2, 1)


def _mini_xception(input_shape):
    data_augmentation = keras.Sequential(
        [
            layers.RandomFlip("horizontal"),
            layers.RandomRotation(0.1),
            layers.RandomZoom(0.2),
        ]
    )

    inputs = keras.Input(shape=input_shape)
    x = data_augmentation(inputs)

    x = layers.Rescaling(1./255)(x)
    x = layers.Conv2D(filters=32, kernel_size=5, use_bias=False)(x)

    for size in [32, 64, 128, 256, 512]:
        residual = x

        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same", use_bias=False)(x)

        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same", use_bias=False)(x)

        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

        residual = layers.Conv2D(
            size, 1, strides=2, padding="same", use_bias=False)(residual)
        x = layers.add([x, residual])

    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    return model


def _expected_mini_xception_params():
    total, c_in = 5 * 5 * 3 * 32, 32
    for size in [32, 64, 128, 256, 512]:
        total += 4 * c_in + 9 * c_in + c_in * size          # BN, separable conv
        total += 4 * size + 9 * size + size * size          # BN, separable conv
        total += c_in * size                                # 1x1 residual projection
        c_in = size
    return total + 512 + 1


def _write_cats_vs_dogs(root, n_per_class, size):
    rng = np.random.default_rng(1)
    for label, value in (("cat", 40), ("dog", 210)):
        folder = root / label
        folder.mkdir(parents=True)
        for i in range(n_per_class):
            img = np.clip(rng.normal(value, 20, size=(size, size, 3)), 0, 255).astype(np.uint8)
            PIL.fromarray(img).save(folder / f"{label}.{i}.jpg")


def test_mini_xception_on_folders(tmp_path, capsys):
    model = _mini_xception((180, 180, 3))
    model.summary()
    out = capsys.readouterr().out
    assert f"Total params: {_expected_mini_xception_params():,}" in out
    # BatchNormalization moving statistics are non-trainable: 2 per channel
    assert f"Non-trainable params: {2 * (32 + 32 + 32 + 64 + 64 + 128 + 128 + 256 + 256 + 512):,}" in out

    new_base_dir = tmp_path / "cats_vs_dogs_small"
    _write_cats_vs_dogs(new_base_dir / "train", 4, 40)
    _write_cats_vs_dogs(new_base_dir / "validation", 2, 40)
    train_dataset = keras.utils.image_dataset_from_directory(
        new_base_dir / "train",
        image_size=(32, 32),
        batch_size=4)
    validation_dataset = keras.utils.image_dataset_from_directory(
        new_base_dir / "validation",
        image_size=(32, 32),
        batch_size=4)

    model = _mini_xception((32, 32, 3))
    model.compile(loss="binary_crossentropy",
                  optimizer="rmsprop",
                  metrics=["accuracy"])
    history = model.fit(
        train_dataset,
        epochs=2,
        validation_data=validation_dataset,
        verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(history.history["loss"]) == 2
    loss, acc = model.evaluate(validation_dataset, verbose=0)
    assert 0.0 <= acc <= 1.0 and np.isfinite(loss)


# --- 9.4 interpreting what convnets learn ---------------------------------------------------------

def _convnet_from_scratch(input_shape=(180, 180, 3)):
    inputs = keras.Input(shape=input_shape)
    x = layers.Rescaling(1./255)(inputs)
    x = layers.Conv2D(filters=32, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=64, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=128, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=256, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=256, kernel_size=3, activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def test_visualizing_intermediate_activations(tmp_path, capsys):
    img_path = str(tmp_path / "cat.jpg")
    keras.utils.save_img(img_path, np.random.randint(0, 256, size=(120, 150, 3)).astype("uint8"))

    model = _convnet_from_scratch()
    probe = np.random.uniform(0, 255, size=(2, 180, 180, 3)).astype("float32")
    expected = model.predict(probe, verbose=0)
    model.save(str(tmp_path / "convnet_from_scratch_with_augmentation.keras"))
    model = keras.models.load_model(str(tmp_path / "convnet_from_scratch_with_augmentation.keras"))
    np.testing.assert_allclose(model.predict(probe, verbose=0), expected, rtol=1e-6)
    model.summary()
    assert "Total params: 991,041" in capsys.readouterr().out

    def get_img_array(img_path, target_size):
        img = keras.utils.load_img(
            img_path, target_size=target_size)
        array = keras.utils.img_to_array(img)
        array = np.expand_dims(array, axis=0)
        return array

    img_tensor = get_img_array(img_path, target_size=(180, 180))
    assert img_tensor.shape == (1, 180, 180, 3) and img_tensor.dtype == np.float32

    layer_outputs = []
    layer_names = []
    for layer in model.layers:
        if isinstance(layer, (layers.Conv2D, layers.MaxPooling2D)):
            layer_outputs.append(layer.output)
            layer_names.append(layer.name)
    activation_model = keras.Model(inputs=model.input, outputs=layer_outputs)
    activations = activation_model.predict(img_tensor, verbose=0)
    assert len(activations) == 9
    first_layer_activation = activations[0]
    print(first_layer_activation.shape)
    assert capsys.readouterr().out == "(1, 178, 178, 32)\n"
    assert [a.shape[1] for a in activations] == [178, 89, 87, 43, 41, 20, 18, 9, 7]

    images_per_row = 16
    for layer_name, layer_activation in zip(layer_names, activations):
        n_features = layer_activation.shape[-1]
        size = layer_activation.shape[1]
        n_cols = n_features // images_per_row
        display_grid = np.zeros(((size + 1) * n_cols - 1,
                                 images_per_row * (size + 1) - 1))
        for col in range(n_cols):
            for row in range(images_per_row):
                channel_index = col * images_per_row + row
                channel_image = layer_activation[0, :, :, channel_index].copy()
                if channel_image.sum() != 0:
                    channel_image -= channel_image.mean()
                    channel_image /= channel_image.std()
                    channel_image *= 64
                    channel_image += 128
                channel_image = np.clip(channel_image, 0, 255).astype("uint8")
                display_grid[
                    col * (size + 1): (col + 1) * size + col,
                    row * (size + 1): (row + 1) * size + row] = channel_image
        break  # one layer is enough to exercise the indexing


def test_filter_visualization_gradient_ascent(tmp_path):
    model = keras.applications.xception.Xception(
        weights=None,
        include_top=False)
    conv_names = [layer.name for layer in model.layers
                  if isinstance(layer, (keras.layers.Conv2D, keras.layers.SeparableConv2D))]
    assert conv_names[:4] == ["block1_conv1", "block1_conv2", "block2_sepconv1", "block2_sepconv2"]
    assert "block3_sepconv1" in conv_names and conv_names[-1] == "block14_sepconv2"

    layer_name = "block3_sepconv1"
    layer = model.get_layer(name=layer_name)
    feature_extractor = keras.Model(inputs=model.input, outputs=layer.output)

    img_tensor = np.random.uniform(0, 255, size=(1, 40, 40, 3)).astype("float32")
    activation = feature_extractor(
        keras.applications.xception.preprocess_input(img_tensor))
    assert tuple(activation.shape) == (1, 9, 9, 256)

    def compute_loss(image, filter_index):
        activation = feature_extractor(image)
        filter_activation = activation[:, 2:-2, 2:-2, filter_index]
        return tf.reduce_mean(filter_activation)

    @tf.function
    def gradient_ascent_step(image, filter_index, learning_rate):
        with tf.GradientTape() as tape:
            tape.watch(image)
            loss = compute_loss(image, filter_index)
        grads = tape.gradient(loss, image)
        grads = tf.math.l2_normalize(grads)
        image += learning_rate * grads
        return image

    img_width = 40
    img_height = 40

    def generate_filter_pattern(filter_index):
        iterations = 2
        learning_rate = 10.
        image = tf.random.uniform(
            minval=0.4,
            maxval=0.6,
            shape=(1, img_width, img_height, 3))
        for i in range(iterations):
            image = gradient_ascent_step(image, filter_index, learning_rate)
        return image[0].numpy()

    def deprocess_image(image):
        image -= image.mean()
        image /= image.std()
        image *= 64
        image += 128
        image = np.clip(image, 0, 255).astype("uint8")
        image = image[5:-5, 5:-5, :]
        return image

    start = 0.5
    pattern = generate_filter_pattern(filter_index=2)
    assert pattern.shape == (40, 40, 3) and pattern.dtype == np.float32
    # two ascent steps of length 10 along unit-norm gradients moved the image
    assert 0 < np.linalg.norm(pattern - start) <= 20.5
    img = deprocess_image(pattern)
    assert img.shape == (30, 30, 3) and img.dtype == np.uint8

    all_images = [img, deprocess_image(generate_filter_pattern(filter_index=3))]
    margin = 5
    n = 2
    cropped_width = img_width - 5 * 2
    cropped_height = img_height - 5 * 2
    width = n * cropped_width + (n - 1) * margin
    height = 1 * cropped_height
    stitched_filters = np.zeros((width, height, 3))
    for i in range(n):
        stitched_filters[
            (cropped_width + margin) * i: (cropped_width + margin) * i + cropped_width, :, :
        ] = all_images[i]
    keras.utils.save_img(str(tmp_path / f"filters_for_layer_{layer_name}.png"), stitched_filters)
    assert keras.utils.load_img(str(tmp_path / f"filters_for_layer_{layer_name}.png")).size == (30, 65)


def test_grad_cam(tmp_path):
    img_path = str(tmp_path / "elephant.jpg")
    keras.utils.save_img(img_path, np.random.randint(0, 256, size=(90, 80, 3)).astype("uint8"))

    model = keras.applications.xception.Xception(weights=None, input_shape=(71, 71, 3))

    def get_img_array(img_path, target_size):
        img = keras.utils.load_img(img_path, target_size=target_size)
        array = keras.utils.img_to_array(img)
        array = np.expand_dims(array, axis=0)
        array = keras.applications.xception.preprocess_input(array)
        return array

    img_array = get_img_array(img_path, target_size=(71, 71))
    assert img_array.min() >= -1.0 and img_array.max() <= 1.0
    preds = model.predict(img_array, verbose=0)
    assert preds.shape == (1, 1000)
    np.testing.assert_allclose(preds.sum(), 1.0, rtol=1e-4)

    last_conv_layer_name = "block14_sepconv2_act"
    classifier_layer_names = [
        "avg_pool",
        "predictions",
    ]
    last_conv_layer = model.get_layer(last_conv_layer_name)
    last_conv_layer_model = keras.Model(model.inputs, last_conv_layer.output)

    classifier_input = keras.Input(shape=last_conv_layer.output.shape[1:])
    x = classifier_input
    for layer_name in classifier_layer_names:
        x = model.get_layer(layer_name)(x)
    classifier_model = keras.Model(classifier_input, x)

    with tf.GradientTape() as tape:
        last_conv_layer_output = last_conv_layer_model(img_array)
        tape.watch(last_conv_layer_output)
        preds = classifier_model(last_conv_layer_output)
        top_pred_index = tf.argmax(preds[0])
        top_class_channel = preds[:, top_pred_index]

    assert top_pred_index.dtype == tf.int64
    assert int(top_pred_index) == int(np.argmax(model.predict(img_array, verbose=0)[0]))
    grads = tape.gradient(top_class_channel, last_conv_layer_output)
    assert tuple(grads.shape) == (1, 3, 3, 2048)

    pooled_grads = tf.reduce_mean(grads, axis=(0, 1, 2)).numpy()
    last_conv_layer_output = last_conv_layer_output.numpy()[0]
    for i in range(pooled_grads.shape[-1]):
        last_conv_layer_output[:, :, i] *= pooled_grads[i]
    heatmap = np.mean(last_conv_layer_output, axis=-1)
    heatmap = np.maximum(heatmap, 0)
    if heatmap.max() > 0:
        heatmap /= np.max(heatmap)
    assert heatmap.shape == (3, 3)

    img = keras.utils.load_img(img_path)
    img = keras.utils.img_to_array(img)

    heatmap = np.uint8(255 * heatmap)

    jet_colors = np.random.uniform(size=(256, 3))  # matplotlib's "jet" colormap in the book
    jet_heatmap = jet_colors[heatmap]

    jet_heatmap = keras.utils.array_to_img(jet_heatmap)
    jet_heatmap = jet_heatmap.resize((img.shape[1], img.shape[0]))
    jet_heatmap = keras.utils.img_to_array(jet_heatmap)

    superimposed_img = jet_heatmap * 0.4 + img
    superimposed_img = keras.utils.array_to_img(superimposed_img)

    save_path = str(tmp_path / "elephant_cam.jpg")
    superimposed_img.save(save_path)
    assert keras.utils.load_img(save_path).size == (80, 90)


def test_image_utils_round_trip(tmp_path):
    # array_to_img rescales to 0..255 by default (scale=True), as the Grad-CAM heatmap relies on
    jet_heatmap = np.linspace(0.2, 0.6, 2 * 3 * 3).reshape(2, 3, 3)
    img = keras.utils.array_to_img(jet_heatmap)
    assert img.mode == "RGB" and img.size == (3, 2)
    back = keras.utils.img_to_array(img)
    assert back.shape == (2, 3, 3) and back.dtype == np.float32
    assert back.min() == 0.0 and back.max() == 255.0

    gray = keras.utils.array_to_img(np.arange(6, dtype="float32").reshape(2, 3, 1), scale=False)
    assert gray.mode == "L"
    path = str(tmp_path / "gray.png")
    keras.utils.save_img(path, np.arange(6, dtype="float32").reshape(2, 3, 1), scale=False)
    loaded = keras.utils.img_to_array(keras.utils.load_img(path, color_mode="grayscale"))
    np.testing.assert_array_equal(loaded[:, :, 0], [[0, 1, 2], [3, 4, 5]])
    rgb = keras.utils.img_to_array(keras.utils.load_img(path))
    assert rgb.shape == (2, 3, 3)
