"""Deep Learning with Python (2nd ed.), chapter 7 flows, written against the TF/Keras API.

MNIST is replaced by small random images (no download); sizes are shrunk to keep the
tests fast. Everything else is the book's code.
"""
import os

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers

VOCABULARY_SIZE, NUM_TAGS, NUM_DEPARTMENTS, NUM_SAMPLES = 200, 20, 4, 128


def _ticket_data():
    rng = np.random.default_rng(0)
    title_data = rng.integers(0, 2, size=(NUM_SAMPLES, VOCABULARY_SIZE)).astype("float32")
    text_body_data = rng.integers(0, 2, size=(NUM_SAMPLES, VOCABULARY_SIZE)).astype("float32")
    tags_data = rng.integers(0, 2, size=(NUM_SAMPLES, NUM_TAGS)).astype("float32")
    priority_data = rng.random(size=(NUM_SAMPLES, 1)).astype("float32")
    department_data = rng.integers(0, 2, size=(NUM_SAMPLES, NUM_DEPARTMENTS)).astype("float32")
    return title_data, text_body_data, tags_data, priority_data, department_data


def _ticket_model():
    title = keras.Input(shape=(VOCABULARY_SIZE,), name="title")
    text_body = keras.Input(shape=(VOCABULARY_SIZE,), name="text_body")
    tags = keras.Input(shape=(NUM_TAGS,), name="tags")
    features = layers.Concatenate()([title, text_body, tags])
    features = layers.Dense(64, activation="relu")(features)
    priority = layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = layers.Dense(NUM_DEPARTMENTS, activation="softmax", name="department")(features)
    return keras.Model(inputs=[title, text_body, tags], outputs=[priority, department])


def test_multi_input_multi_output_functional_model():
    title_data, text_body_data, tags_data, priority_data, department_data = _ticket_data()
    model = _ticket_model()
    model.compile(optimizer="rmsprop",
                  loss=["mean_squared_error", "categorical_crossentropy"],
                  metrics=[["mean_absolute_error"], ["accuracy"]])
    history = model.fit([title_data, text_body_data, tags_data],
                        [priority_data, department_data], epochs=1, verbose=0)
    assert set(history.history) == {"loss", "priority_loss", "department_loss",
                                    "priority_mean_absolute_error", "department_accuracy"}
    model.evaluate([title_data, text_body_data, tags_data],
                   [priority_data, department_data], verbose=0)
    priority_preds, department_preds = model.predict(
        [title_data, text_body_data, tags_data], verbose=0)
    assert priority_preds.shape == (NUM_SAMPLES, 1)
    assert department_preds.shape == (NUM_SAMPLES, NUM_DEPARTMENTS)

    model.compile(optimizer="rmsprop",
                  loss={"priority": "mean_squared_error",
                        "department": "categorical_crossentropy"},
                  metrics={"priority": ["mean_absolute_error"], "department": ["accuracy"]})
    model.fit({"title": title_data, "text_body": text_body_data, "tags": tags_data},
              {"priority": priority_data, "department": department_data}, epochs=1, verbose=0)
    model.evaluate({"title": title_data, "text_body": text_body_data, "tags": tags_data},
                   {"priority": priority_data, "department": department_data}, verbose=0)
    priority_preds, department_preds = model.predict(
        {"title": title_data, "text_body": text_body_data, "tags": tags_data}, verbose=0)
    assert department_preds.shape == (NUM_SAMPLES, NUM_DEPARTMENTS)


class CustomerTicketModel(keras.Model):
    def __init__(self, num_departments):
        super().__init__()
        self.concat_layer = layers.Concatenate()
        self.mixing_layer = layers.Dense(64, activation="relu")
        self.priority_scorer = layers.Dense(1, activation="sigmoid")
        self.department_classifier = layers.Dense(num_departments, activation="softmax")

    def call(self, inputs):
        title = inputs["title"]
        text_body = inputs["text_body"]
        tags = inputs["tags"]
        features = self.concat_layer([title, text_body, tags])
        features = self.mixing_layer(features)
        priority = self.priority_scorer(features)
        department = self.department_classifier(features)
        return priority, department


def test_subclassed_multi_output_model():
    title_data, text_body_data, tags_data, priority_data, department_data = _ticket_data()
    model = CustomerTicketModel(num_departments=NUM_DEPARTMENTS)
    priority, department = model({"title": title_data, "text_body": text_body_data,
                                  "tags": tags_data})
    assert tuple(department.shape) == (NUM_SAMPLES, NUM_DEPARTMENTS)
    model.compile(optimizer="rmsprop",
                  loss=["mean_squared_error", "categorical_crossentropy"],
                  metrics=[["mean_absolute_error"], ["accuracy"]])
    model.fit({"title": title_data, "text_body": text_body_data, "tags": tags_data},
              [priority_data, department_data], epochs=1, verbose=0)
    model.evaluate({"title": title_data, "text_body": text_body_data, "tags": tags_data},
                   [priority_data, department_data], verbose=0)
    priority_preds, department_preds = model.predict(
        {"title": title_data, "text_body": text_body_data, "tags": tags_data}, verbose=0)
    assert isinstance(priority_preds, np.ndarray) and priority_preds.shape == (NUM_SAMPLES, 1)


def _mnist_like(n=384, seed=0):
    """Random 28x28 "digits" whose class is learnable from the pixel means."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    images = rng.random((n, 28 * 28)).astype("float32") * 0.5
    for k in range(20):  # a bright 20-pixel stroke per class
        images[np.arange(n), labels * 70 + k] += 1.0
    return images, labels.astype("uint8")


def get_mnist_model():
    inputs = keras.Input(shape=(28 * 28,))
    features = layers.Dense(64, activation="relu")(inputs)
    features = layers.Dropout(0.5)(features)
    outputs = layers.Dense(10, activation="softmax")(features)
    return keras.Model(inputs, outputs)


def test_standard_workflow_compile_fit_evaluate_predict():
    keras.utils.set_random_seed(0)
    images, labels = _mnist_like()
    train_images, val_images = images[128:], images[:128]
    train_labels, val_labels = labels[128:], labels[:128]
    model = get_mnist_model()
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(train_images, train_labels, epochs=3,
                        validation_data=(val_images, val_labels), verbose=0)
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    test_metrics = model.evaluate(val_images, val_labels, verbose=0)
    assert len(test_metrics) == 2 and test_metrics[1] > 0.3  # chance: 0.1
    predictions = model.predict(val_images, verbose=0)
    assert predictions.shape == (128, 10)
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, rtol=1e-5)


class RootMeanSquaredError(keras.metrics.Metric):
    def __init__(self, name="rmse", **kwargs):
        super().__init__(name=name, **kwargs)
        self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros")
        self.total_samples = self.add_weight(name="total_samples", initializer="zeros",
                                             dtype="int32")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = tf.one_hot(y_true, depth=tf.shape(y_pred)[1])
        mse = tf.reduce_sum(tf.square(y_true - y_pred))
        self.mse_sum.assign_add(mse)
        num_samples = tf.shape(y_pred)[0]
        self.total_samples.assign_add(num_samples)

    def result(self):
        return tf.sqrt(self.mse_sum / tf.cast(self.total_samples, tf.float32))

    def reset_state(self):
        self.mse_sum.assign(0.)
        self.total_samples.assign(0)


def test_custom_metric():
    images, labels = _mnist_like(256)
    model = get_mnist_model()
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", RootMeanSquaredError()])
    history = model.fit(images, labels.astype("int32"), epochs=2,
                        validation_data=(images[:64], labels[:64].astype("int32")), verbose=0)
    assert list(history.history) == ["accuracy", "loss", "rmse", "val_accuracy", "val_loss",
                                     "val_rmse"]
    loss, acc, rmse = model.evaluate(images, labels.astype("int32"), verbose=0)
    probs = model.predict(images, verbose=0)
    expected = np.sqrt(((np.eye(10)[labels] - probs) ** 2).sum() / len(labels))
    assert rmse == pytest.approx(expected, rel=1e-4)


def test_early_stopping_checkpoint_and_load_model(tmp_path):
    images, labels = _mnist_like()
    path = str(tmp_path / "checkpoint_path.keras")
    callbacks_list = [
        keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=2),
        keras.callbacks.ModelCheckpoint(filepath=path, monitor="val_loss",
                                        save_best_only=True),
    ]
    model = get_mnist_model()
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(images[128:], labels[128:], epochs=4, callbacks=callbacks_list,
                        validation_data=(images[:128], labels[:128]), verbose=0)
    assert os.path.exists(path)
    model = keras.models.load_model(path)
    best = int(np.argmin(history.history["val_loss"]))
    val_loss = model.evaluate(images[:128], labels[:128], verbose=0)[0]
    assert val_loss == pytest.approx(history.history["val_loss"][best], rel=1e-5)


class LossHistory(keras.callbacks.Callback):
    def on_train_begin(self, logs):
        self.per_batch_losses = []
        self.epochs_seen = []

    def on_batch_end(self, batch, logs):
        self.per_batch_losses.append(logs.get("loss"))

    def on_epoch_end(self, epoch, logs):
        self.epochs_seen.append(epoch)


def test_custom_callback_and_tensorboard(tmp_path):
    images, labels = _mnist_like(320)
    model = get_mnist_model()
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history_cb = LossHistory()
    tensorboard = keras.callbacks.TensorBoard(log_dir=str(tmp_path / "logs"))
    model.fit(images, labels, epochs=2, callbacks=[history_cb, tensorboard],
              validation_data=(images[:64], labels[:64]), verbose=0)
    assert len(history_cb.per_batch_losses) == 20 and history_cb.epochs_seen == [0, 1]
    assert all(type(v) is float for v in history_cb.per_batch_losses)
    assert sorted(os.listdir(tmp_path / "logs")) == ["train", "validation"]


def test_custom_training_loop_over_tf_data():
    images, labels = _mnist_like(256)
    model = get_mnist_model()
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    optimizer = keras.optimizers.RMSprop()
    metrics = [keras.metrics.SparseCategoricalAccuracy()]
    loss_tracking_metric = keras.metrics.Mean()

    def train_step(inputs, targets):
        with tf.GradientTape() as tape:
            predictions = model(inputs, training=True)
            loss = loss_fn(targets, predictions)
        gradients = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(gradients, model.trainable_weights))
        logs = {}
        for metric in metrics:
            metric.update_state(targets, predictions)
            logs[metric.name] = metric.result()
        loss_tracking_metric.update_state(loss)
        logs["loss"] = loss_tracking_metric.result()
        return logs

    def reset_metrics():
        for metric in metrics:
            metric.reset_state()
        loss_tracking_metric.reset_state()

    training_dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    training_dataset = training_dataset.batch(32)
    losses = []
    for epoch in range(3):
        reset_metrics()
        for inputs_batch, targets_batch in training_dataset:
            logs = train_step(inputs_batch, targets_batch)
        losses.append(float(logs["loss"]))
    assert sorted(logs) == ["loss", "sparse_categorical_accuracy"]
    assert losses[-1] < losses[0]

    @tf.function
    def test_step(inputs, targets):
        predictions = model(inputs, training=False)
        loss = loss_fn(targets, predictions)
        logs = {}
        for metric in metrics:
            metric.update_state(targets, predictions)
            logs["val_" + metric.name] = metric.result()
        loss_tracking_metric.update_state(loss)
        logs["val_loss"] = loss_tracking_metric.result()
        return logs

    val_dataset = tf.data.Dataset.from_tensor_slices((images[:64], labels[:64])).batch(32)
    reset_metrics()
    for inputs_batch, targets_batch in val_dataset:
        logs = test_step(inputs_batch, targets_batch)
    assert sorted(logs) == ["val_loss", "val_sparse_categorical_accuracy"]


loss_fn = keras.losses.SparseCategoricalCrossentropy()
loss_tracker = keras.metrics.Mean(name="loss")


class CustomModel(keras.Model):
    def train_step(self, data):
        inputs, targets = data
        with tf.GradientTape() as tape:
            predictions = self(inputs, training=True)
            loss = loss_fn(targets, predictions)
        gradients = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        loss_tracker.update_state(loss)
        return {"loss": loss_tracker.result()}

    @property
    def metrics(self):
        return [loss_tracker]


class CompiledCustomModel(keras.Model):
    def train_step(self, data):
        inputs, targets = data
        with tf.GradientTape() as tape:
            predictions = self(inputs, training=True)
            loss = self.compiled_loss(targets, predictions)
        gradients = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        self.compiled_metrics.update_state(targets, predictions)
        return {m.name: m.result() for m in self.metrics}


def _functional(cls):
    inputs = keras.Input(shape=(28 * 28,))
    features = layers.Dense(64, activation="relu")(inputs)
    features = layers.Dropout(0.5)(features)
    outputs = layers.Dense(10, activation="softmax")(features)
    return cls(inputs, outputs)


def test_fit_with_overridden_train_step():
    images, labels = _mnist_like(256)
    model = _functional(CustomModel)
    model.compile(optimizer=keras.optimizers.RMSprop())
    history = model.fit(images, labels, epochs=3, verbose=0)
    assert list(history.history) == ["loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]

    model = _functional(CompiledCustomModel)
    model.compile(optimizer=keras.optimizers.RMSprop(),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    with pytest.warns(UserWarning, match="deprecated"):
        history = model.fit(images, labels, epochs=2, verbose=0)
    assert list(history.history) == ["loss", "sparse_categorical_accuracy"]
