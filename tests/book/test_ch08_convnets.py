"""Deep Learning with Python (2nd ed.), chapter 8: introduction to deep learning for computer vision.

The listings run as the book writes them, on small synthetic data: MNIST-shaped uint8 arrays, and a
generated "train" folder of cat/dog JPEG files that the book's ``make_subset`` copies into
``cats_vs_dogs_small`` (in a temporary working directory). Image sizes are small (the from-scratch
convnet needs at least 80x80 for its five valid 3x3 convolutions and four poolings; VGG16 runs at
32x32, its smallest input), with few images and epochs.
"""
import os
import pathlib
import shutil

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers

PIL_Image = pytest.importorskip("PIL.Image")


# ---------------------------------------------------------------------------------------------
# 8.1: the MNIST convnet
# ---------------------------------------------------------------------------------------------

def _summary_text(model):
    lines = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line))
    return "\n".join(lines)


def test_mnist_convnet(capsys):
    rng = np.random.default_rng(8)
    train_labels = rng.integers(0, 10, size=192).astype("uint8")
    train_images = rng.integers(0, 30, size=(192, 28, 28)).astype("uint8")
    for digit in range(10):
        train_images[train_labels == digit, 2 * digit:2 * digit + 4, 6:22] = 255
    test_images, test_labels = train_images[-64:], train_labels[-64:]

    # Listing 8.1
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(filters=32, kernel_size=3, activation="relu")(inputs)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=64, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=128, kernel_size=3, activation="relu")(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)

    # Listing 8.2
    model.summary()
    printed = capsys.readouterr().out
    for row in ["(None, 26, 26, 32)", "(None, 13, 13, 32)", "(None, 11, 11, 64)",
                "(None, 5, 5, 64)", "(None, 3, 3, 128)", "(None, 1152)", "(None, 10)",
                "320", "18,496", "73,856", "11,530",
                "Total params: 104,202", "Trainable params: 104,202",
                "Non-trainable params: 0"]:
        assert row in printed, row
    assert model.count_params() == 104202

    # Listing 8.3
    train_images = train_images.reshape((192, 28, 28, 1))
    train_images = train_images.astype("float32") / 255
    test_images = test_images.reshape((64, 28, 28, 1))
    test_images = test_images.astype("float32") / 255
    model.compile(optimizer="rmsprop",
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(train_images, train_labels, epochs=3, batch_size=64, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]

    # Listing 8.4
    test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=0)
    print(f"Test accuracy: {test_acc:.3f}")
    assert capsys.readouterr().out.startswith("Test accuracy: 0.")
    assert test_loss > 0

    # Listing 8.5: the convnet without max-pooling layers
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(filters=32, kernel_size=3, activation="relu")(inputs)
    x = layers.Conv2D(filters=64, kernel_size=3, activation="relu")(x)
    x = layers.Conv2D(filters=128, kernel_size=3, activation="relu")(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    model_no_max_pool = keras.Model(inputs=inputs, outputs=outputs)
    text = _summary_text(model_no_max_pool)
    assert "(None, 22, 22, 128)" in text and "(None, 61952)" in text
    assert "Total params: 712,202" in text


# ---------------------------------------------------------------------------------------------
# 8.2: cats vs dogs from a folder of images
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def kaggle_workdir(tmp_path, monkeypatch):
    """A working directory holding train/cat.{i}.jpg and train/dog.{i}.jpg of varied sizes.

    Cats are reddish, dogs bluish, with noise, so the two classes are learnable.
    """
    rng = np.random.default_rng(80)
    original = tmp_path / "train"
    original.mkdir()
    for category, channel in (("cat", 0), ("dog", 2)):
        for i in range(12):
            h, w = rng.integers(90, 130, size=2)
            img = rng.integers(0, 120, size=(h, w, 3)).astype("uint8")
            img[..., channel] = rng.integers(150, 256, size=(h, w))
            image = PIL_Image.fromarray(img)
            if i == 3:  # the Kaggle set holds a few grayscale JPEGs; decoded as RGB
                image = image.convert("L")
            # and one file of PNG content behind a .jpg name (decoded by content, as TF does)
            image.save(original / f"{category}.{i}.jpg", format="PNG" if i == 5 else "JPEG")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _make_small_dataset():
    # Listing 8.6 (indices scaled down: 8 training, 2 validation, 2 test images per class)
    original_dir = pathlib.Path("train")
    new_base_dir = pathlib.Path("cats_vs_dogs_small")

    def make_subset(subset_name, start_index, end_index):
        for category in ("cat", "dog"):
            dir = new_base_dir / subset_name / category
            os.makedirs(dir)
            fnames = [f"{category}.{i}.jpg" for i in range(start_index, end_index)]
            for fname in fnames:
                shutil.copyfile(src=original_dir / fname,
                                dst=dir / fname)

    make_subset("train", start_index=0, end_index=8)
    make_subset("validation", start_index=8, end_index=10)
    make_subset("test", start_index=10, end_index=12)
    return new_base_dir


def _datasets(new_base_dir, image_size, batch_size=8):
    from tapeflow.keras.utils import image_dataset_from_directory
    # Listing 8.9
    train_dataset = image_dataset_from_directory(
        new_base_dir / "train",
        image_size=image_size,
        batch_size=batch_size)
    validation_dataset = image_dataset_from_directory(
        new_base_dir / "validation",
        image_size=image_size,
        batch_size=batch_size)
    test_dataset = image_dataset_from_directory(
        new_base_dir / "test",
        image_size=image_size,
        batch_size=batch_size)
    return train_dataset, validation_dataset, test_dataset


def _scratch_convnet(inputs, x):
    x = layers.Conv2D(filters=32, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=64, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=128, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=256, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=256, kernel_size=3, activation="relu")(x)
    return x


def test_book_model_summary_at_180():
    # Listing 8.7 at the book's 180x180 (built only, not trained); a fresh session, as in
    # the book's notebook, so layer names start from their defaults.
    keras.backend.clear_session()
    inputs = keras.Input(shape=(180, 180, 3))
    x = layers.Rescaling(1./255)(inputs)
    x = _scratch_convnet(inputs, x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    text = _summary_text(model)
    for row in ["rescaling (Rescaling)", "(None, 180, 180, 3)", "(None, 178, 178, 32)",
                "(None, 7, 7, 256)", "(None, 12544)", "Total params: 991,041"]:
        assert row in text, row


def test_dataset_basics(capsys):
    # Listings 8.10 to 8.13
    random_numbers = np.random.normal(size=(1000, 16))
    dataset = tf.data.Dataset.from_tensor_slices(random_numbers)
    shapes = []
    for i, element in enumerate(dataset):
        print(element.shape)
        shapes.append(element.shape)
        if i >= 2:
            break
    assert capsys.readouterr().out == "(16,)\n(16,)\n(16,)\n"
    assert shapes == [(16,)] * 3 and element.dtype == tf.float64
    batched_dataset = dataset.batch(32)
    for i, element in enumerate(batched_dataset):
        assert element.shape == (32, 16)
        if i >= 2:
            break
    reshaped_dataset = dataset.map(lambda x: tf.reshape(x, (4, 4)))
    for i, element in enumerate(reshaped_dataset):
        assert element.shape == (4, 4)
        if i >= 2:
            break


def test_cats_vs_dogs_from_scratch(kaggle_workdir, capsys):
    new_base_dir = _make_small_dataset()
    assert sorted(os.listdir(new_base_dir / "train" / "cat"))[:2] == ["cat.0.jpg", "cat.1.jpg"]
    train_dataset, validation_dataset, test_dataset = _datasets(new_base_dir, (80, 80))
    assert capsys.readouterr().out.splitlines() == [
        "Found 16 files belonging to 2 classes.",
        "Found 4 files belonging to 2 classes.",
        "Found 4 files belonging to 2 classes."]
    assert train_dataset.class_names == ["cat", "dog"]

    # Listing 8.14
    for data_batch, labels_batch in train_dataset:
        print("data batch shape:", data_batch.shape)
        print("labels batch shape:", labels_batch.shape)
        break
    assert capsys.readouterr().out.splitlines() == [
        "data batch shape: (8, 80, 80, 3)", "labels batch shape: (8,)"]
    assert data_batch.dtype == tf.float32 and labels_batch.dtype == tf.int32

    # Listings 8.7 and 8.8 (at 80x80)
    inputs = keras.Input(shape=(80, 80, 3))
    x = layers.Rescaling(1./255)(inputs)
    x = _scratch_convnet(inputs, x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(loss="binary_crossentropy",
                  optimizer="rmsprop",
                  metrics=["accuracy"])

    # Listing 8.15
    callbacks = [
        keras.callbacks.ModelCheckpoint(
            filepath="convnet_from_scratch.keras",
            save_best_only=True,
            monitor="val_loss")
    ]
    history = model.fit(
        train_dataset,
        epochs=3,
        validation_data=validation_dataset,
        callbacks=callbacks)
    printed = capsys.readouterr().out
    assert [line for line in printed.splitlines() if line.startswith("Epoch")] == [
        "Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    assert "2/2" in printed and "val_loss: " in printed  # 16 images in batches of 8
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert os.path.exists("convnet_from_scratch.keras")

    # Listing 8.17: the best epoch's model is the one saved
    test_model = keras.models.load_model("convnet_from_scratch.keras")
    test_loss, test_acc = test_model.evaluate(test_dataset, verbose=0)
    print(f"Test accuracy: {test_acc:.3f}")
    assert capsys.readouterr().out.startswith("Test accuracy: ")
    best = int(np.argmin(history.history["val_loss"]))
    val_loss, _ = test_model.evaluate(validation_dataset, verbose=0)
    np.testing.assert_allclose(val_loss, history.history["val_loss"][best], rtol=1e-4)
    assert [w.shape for w in test_model.weights] == [w.shape for w in model.weights]


def _data_augmentation():
    # Listing 8.14 (augmentation stage)
    return keras.Sequential(
        [
            layers.RandomFlip("horizontal"),
            layers.RandomRotation(0.1),
            layers.RandomZoom(0.2),
        ]
    )


def test_data_augmentation_convnet(kaggle_workdir):
    new_base_dir = _make_small_dataset()
    train_dataset, validation_dataset, _ = _datasets(new_base_dir, (80, 80))
    data_augmentation = _data_augmentation()

    # Listing 8.15: displaying augmented images (the arrays the book plots)
    for images, _ in train_dataset.take(1):
        for i in range(9):
            augmented_images = data_augmentation(images)
            first = augmented_images[0].numpy().astype("uint8")
            assert first.shape == (80, 80, 3) and first.dtype == np.uint8
    assert augmented_images.shape == images.shape
    assert not np.allclose(augmented_images.numpy(), images.numpy())
    # outside training the augmentation layers pass images through
    np.testing.assert_array_equal(data_augmentation(images, training=False).numpy(),
                                  images.numpy())

    # Listing 8.16
    inputs = keras.Input(shape=(80, 80, 3))
    x = data_augmentation(inputs)
    x = layers.Rescaling(1./255)(x)
    x = _scratch_convnet(inputs, x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(loss="binary_crossentropy",
                  optimizer="rmsprop",
                  metrics=["accuracy"])

    # Listing 8.17
    callbacks = [
        keras.callbacks.ModelCheckpoint(
            filepath="convnet_from_scratch_with_augmentation.keras",
            save_best_only=True,
            monitor="val_loss")
    ]
    history = model.fit(
        train_dataset,
        epochs=2,
        validation_data=validation_dataset,
        callbacks=callbacks,
        verbose=0)
    assert len(history.history["val_loss"]) == 2

    # Listing 8.18
    test_model = keras.models.load_model(
        "convnet_from_scratch_with_augmentation.keras")
    # the best epoch's model was saved; augmentation and dropout are inactive in evaluate
    best = int(np.argmin(history.history["val_loss"]))
    val_loss, val_acc = test_model.evaluate(validation_dataset, verbose=0)
    np.testing.assert_allclose(val_loss, history.history["val_loss"][best], rtol=1e-4)
    np.testing.assert_allclose(val_acc, history.history["val_accuracy"][best], rtol=1e-6)
    predictions = test_model.predict(images[:4], verbose=0)
    np.testing.assert_array_equal(test_model.predict(images[:4], verbose=0), predictions)


# ---------------------------------------------------------------------------------------------
# 8.3: leveraging a pretrained model (VGG16 architecture, weights=None: no downloads here)
# ---------------------------------------------------------------------------------------------

def test_vgg16_feature_extraction(kaggle_workdir):
    new_base_dir = _make_small_dataset()
    train_dataset, validation_dataset, test_dataset = _datasets(new_base_dir, (32, 32))

    # Listing 8.19
    conv_base = keras.applications.vgg16.VGG16(
        weights=None,
        include_top=False,
        input_shape=(32, 32, 3))
    text = _summary_text(conv_base)
    assert 'Model: "vgg16"' in text
    assert "block5_pool (MaxPooling2D)" in text and "(None, 1, 1, 512)" in text
    assert "Total params: 14,714,688" in text

    # the book's 180x180 base ends in (None, 5, 5, 512)
    text = _summary_text(keras.applications.vgg16.VGG16(
        weights=None, include_top=False, input_shape=(180, 180, 3)))
    assert "(None, 5, 5, 512)" in text and "Total params: 14,714,688" in text

    # Listing 8.20
    def get_features_and_labels(dataset):
        all_features = []
        all_labels = []
        for images, labels in dataset:
            preprocessed_images = keras.applications.vgg16.preprocess_input(images)
            features = conv_base.predict(preprocessed_images, verbose=0)
            all_features.append(features)
            all_labels.append(labels)
        return np.concatenate(all_features), np.concatenate(all_labels)

    train_features, train_labels = get_features_and_labels(train_dataset)
    val_features, val_labels = get_features_and_labels(validation_dataset)
    test_features, test_labels = get_features_and_labels(test_dataset)
    assert train_features.shape == (16, 1, 1, 512)
    assert train_labels.shape == (16,) and train_labels.dtype == np.int32

    # Listing 8.21
    inputs = keras.Input(shape=(1, 1, 512))
    x = layers.Flatten()(inputs)
    x = layers.Dense(256)(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(loss="binary_crossentropy",
                  optimizer="rmsprop",
                  metrics=["accuracy"])
    callbacks = [
        keras.callbacks.ModelCheckpoint(
            filepath="feature_extraction.keras",
            save_best_only=True,
            monitor="val_loss")
    ]
    history = model.fit(
        train_features, train_labels,
        epochs=4,
        validation_data=(val_features, val_labels),
        callbacks=callbacks,
        verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    test_model = keras.models.load_model("feature_extraction.keras")
    test_loss, test_acc = test_model.evaluate(test_features, test_labels, verbose=0)
    assert 0.0 <= test_acc <= 1.0


def test_vgg16_frozen_base_and_fine_tuning(kaggle_workdir):
    new_base_dir = _make_small_dataset()
    train_dataset, validation_dataset, test_dataset = _datasets(new_base_dir, (32, 32))

    # Listing 8.23
    conv_base = keras.applications.vgg16.VGG16(
        weights=None,
        include_top=False)
    conv_base.trainable = False

    # Listing 8.24
    conv_base.trainable = True
    assert len(conv_base.trainable_weights) == 26
    conv_base.trainable = False
    assert len(conv_base.trainable_weights) == 0

    # Listing 8.25
    data_augmentation = _data_augmentation()
    inputs = keras.Input(shape=(32, 32, 3))
    x = data_augmentation(inputs)
    x = keras.applications.vgg16.preprocess_input(x)
    x = conv_base(x)
    x = layers.Flatten()(x)
    x = layers.Dense(256)(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(loss="binary_crossentropy",
                  optimizer="rmsprop",
                  metrics=["accuracy"])
    assert len(model.trainable_weights) == 4
    frozen_before = conv_base.layers[1].kernel.numpy().copy()
    history = model.fit(
        train_dataset,
        epochs=2,
        validation_data=validation_dataset,
        verbose=0)
    assert len(history.history["val_accuracy"]) == 2
    np.testing.assert_array_equal(conv_base.layers[1].kernel.numpy(), frozen_before)

    # Listing 8.27: freeze all layers until the fourth from the last
    conv_base.trainable = True
    for layer in conv_base.layers[:-4]:
        layer.trainable = False
    assert [layer.name for layer in conv_base.layers if layer.trainable] == [
        "block5_conv1", "block5_conv2", "block5_conv3", "block5_pool"]
    assert len(conv_base.trainable_weights) == 6

    # Listing 8.28
    model.compile(loss="binary_crossentropy",
                  optimizer=keras.optimizers.RMSprop(learning_rate=1e-5),
                  metrics=["accuracy"])
    assert len(model.trainable_weights) == 10
    block5_before = conv_base.get_layer("block5_conv3").kernel.numpy().copy()
    callbacks = [
        keras.callbacks.ModelCheckpoint(
            filepath="fine_tuning.keras",
            save_best_only=True,
            monitor="val_loss")
    ]
    history = model.fit(
        train_dataset,
        epochs=1,
        validation_data=validation_dataset,
        callbacks=callbacks,
        verbose=0)
    assert not np.array_equal(conv_base.get_layer("block5_conv3").kernel.numpy(), block5_before)
    np.testing.assert_array_equal(conv_base.layers[1].kernel.numpy(), frozen_before)

    model = keras.models.load_model("fine_tuning.keras")
    # the frozen/unfrozen layers of the nested base are restored as saved
    assert len(model.trainable_weights) == 10
    assert [layer.trainable for layer in model.get_layer("vgg16").layers][-5:] == [
        False, True, True, True, True]
    assert type(model.optimizer).__name__ == "RMSprop"
    np.testing.assert_allclose(float(model.optimizer.learning_rate.numpy()), 1e-5, rtol=1e-6)
    test_loss, test_acc = model.evaluate(test_dataset, verbose=0)
    print(f"Test accuracy: {test_acc:.3f}")
    assert 0.0 <= test_acc <= 1.0
