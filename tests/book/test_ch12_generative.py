"""Chapter 12 (generative deep learning), run unchanged on small synthetic data.

The listings are the book's, with ``import tapeflow as tf`` / ``from tapeflow import keras`` in place
of the TensorFlow imports. Image sizes, iterations and epochs are reduced so each flow runs in a few
seconds; parameter counts are checked at the book's sizes.
"""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers

PIL = pytest.importorskip("PIL.Image")


# --- 12.1 text generation ------------------------------------------------------------------------

def sample_next(predictions, temperature=1.0):
    predictions = np.asarray(predictions).astype("float64")
    predictions = np.log(predictions) / temperature
    exp_preds = np.exp(predictions)
    predictions = exp_preds / np.sum(exp_preds)
    probas = np.random.multinomial(1, predictions, 1)
    return np.argmax(probas)


def reweight_distribution(original_distribution, temperature=0.5):
    distribution = np.log(original_distribution) / temperature
    distribution = np.exp(distribution)
    return distribution / np.sum(distribution)


def test_reweight_distribution():
    p = np.array([0.5, 0.3, 0.2])
    sharp = reweight_distribution(p, temperature=0.5)
    np.testing.assert_allclose(sharp, p ** 2 / np.sum(p ** 2))
    np.testing.assert_allclose(reweight_distribution(p, temperature=1.0), p)


class PositionalEmbedding(layers.Layer):
    def __init__(self, sequence_length, input_dim, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_embeddings = layers.Embedding(
            input_dim=input_dim, output_dim=output_dim)
        self.position_embeddings = layers.Embedding(
            input_dim=sequence_length, output_dim=output_dim)
        self.sequence_length = sequence_length
        self.input_dim = input_dim
        self.output_dim = output_dim

    def call(self, inputs):
        length = tf.shape(inputs)[-1]
        positions = tf.range(start=0, limit=length, delta=1)
        embedded_tokens = self.token_embeddings(inputs)
        embedded_positions = self.position_embeddings(positions)
        return embedded_tokens + embedded_positions

    def compute_mask(self, inputs, mask=None):
        return tf.math.not_equal(inputs, 0)


class TransformerDecoder(layers.Layer):
    def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.embed_dim = embed_dim
        self.dense_dim = dense_dim
        self.num_heads = num_heads
        self.attention_1 = layers.MultiHeadAttention(
          num_heads=num_heads, key_dim=embed_dim)
        self.attention_2 = layers.MultiHeadAttention(
          num_heads=num_heads, key_dim=embed_dim)
        self.dense_proj = keras.Sequential(
            [layers.Dense(dense_dim, activation="relu"),
             layers.Dense(embed_dim),]
        )
        self.layernorm_1 = layers.LayerNormalization()
        self.layernorm_2 = layers.LayerNormalization()
        self.layernorm_3 = layers.LayerNormalization()
        self.supports_masking = True

    def get_causal_attention_mask(self, inputs):
        input_shape = tf.shape(inputs)
        batch_size, sequence_length = input_shape[0], input_shape[1]
        i = tf.range(sequence_length)[:, tf.newaxis]
        j = tf.range(sequence_length)
        mask = tf.cast(i >= j, dtype="int32")
        mask = tf.reshape(mask, (1, input_shape[1], input_shape[1]))
        mult = tf.concat(
            [tf.expand_dims(batch_size, -1),
             tf.constant([1, 1], dtype=tf.int32)], axis=0)
        return tf.tile(mask, mult)

    def call(self, inputs, encoder_outputs, mask=None):
        causal_mask = self.get_causal_attention_mask(inputs)
        if mask is not None:
            padding_mask = tf.cast(
                mask[:, tf.newaxis, :], dtype="int32")
            padding_mask = tf.minimum(padding_mask, causal_mask)
        attention_output_1 = self.attention_1(
            query=inputs,
            value=inputs,
            key=inputs,
            attention_mask=causal_mask)
        attention_output_1 = self.layernorm_1(inputs + attention_output_1)
        attention_output_2 = self.attention_2(
            query=attention_output_1,
            value=encoder_outputs,
            key=encoder_outputs,
            attention_mask=padding_mask,
        )
        attention_output_2 = self.layernorm_2(
            attention_output_1 + attention_output_2)
        proj_output = self.dense_proj(attention_output_2)
        return self.layernorm_3(attention_output_2 + proj_output)


def _write_reviews(root):
    words = ("the movie was great bad fun boring plot actor story ending scene film music "
             "cast director script camera light sound twist hero villain drama comedy").split()
    rng = np.random.default_rng(0)
    for label in ("neg", "pos"):
        folder = root / label
        folder.mkdir(parents=True)
        for i in range(6):
            text = " ".join(rng.choice(words, size=12)) + "<br />" + " ".join(rng.choice(words, 5))
            (folder / f"{i}.txt").write_text(text)


def test_text_generation_flow(tmp_path, capsys):
    _write_reviews(tmp_path / "aclImdb")
    dataset = keras.utils.text_dataset_from_directory(
        directory=str(tmp_path / "aclImdb"), label_mode=None, batch_size=4)
    dataset = dataset.map(lambda x: tf.strings.regex_replace(x, "<br />", " "))
    assert capsys.readouterr().out == "Found 12 files.\n"

    from tapeflow.keras.layers import TextVectorization

    sequence_length = 10
    vocab_size = 20
    text_vectorization = TextVectorization(
        max_tokens=vocab_size,
        output_mode="int",
        output_sequence_length=sequence_length,
    )
    text_vectorization.adapt(dataset)

    def prepare_lm_dataset(text_batch):
        vectorized_sequences = text_vectorization(text_batch)
        x = vectorized_sequences[:, :-1]
        y = vectorized_sequences[:, 1:]
        return x, y

    lm_dataset = dataset.map(prepare_lm_dataset, num_parallel_calls=4)
    x, y = next(iter(lm_dataset))
    assert tuple(x.shape) == (4, 9) and tuple(y.shape) == (4, 9)
    assert x.dtype == tf.int64

    embed_dim = 16
    latent_dim = 32
    num_heads = 2

    inputs = keras.Input(shape=(None,), dtype="int64")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim)(inputs)
    x = TransformerDecoder(embed_dim, latent_dim, num_heads)(x, x)
    outputs = layers.Dense(vocab_size, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="rmsprop")

    tokens_index = dict(enumerate(text_vectorization.get_vocabulary()))
    assert tokens_index[0] == "" and tokens_index[1] == "[UNK]"

    class TextGenerator(keras.callbacks.Callback):
        def __init__(self,
                     prompt,
                     generate_length,
                     model_input_length,
                     temperatures=(1.,),
                     print_freq=1):
            self.prompt = prompt
            self.generate_length = generate_length
            self.model_input_length = model_input_length
            self.temperatures = temperatures
            self.print_freq = print_freq

        def on_epoch_end(self, epoch, logs=None):
            if (epoch + 1) % self.print_freq != 0:
                return
            for temperature in self.temperatures:
                print("== Generating with temperature", temperature)
                sentence = self.prompt
                for i in range(self.generate_length):
                    tokenized_sentence = text_vectorization([sentence])
                    predictions = self.model(tokenized_sentence)
                    next_token = sample_next(predictions[0, i, :], temperature)
                    sampled_token = tokens_index[next_token]
                    sentence += " " + sampled_token
                print(sentence)

    prompt = "the movie"
    text_gen_callback = TextGenerator(
        prompt,
        generate_length=4,
        model_input_length=sequence_length,
        temperatures=(0.2, 1.5))

    history = model.fit(lm_dataset, epochs=3, callbacks=[text_gen_callback], verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 3 and losses[-1] < losses[0]
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "== Generating with temperature 0.2"
    assert out[2] == "== Generating with temperature 1.5"
    assert out[1].startswith("the movie ") and len(out[1].split()) == 6


# --- 12.2 DeepDream ------------------------------------------------------------------------------

def test_deepdream(tmp_path, capsys):
    base_image_path = str(tmp_path / "coast.jpg")
    keras.utils.save_img(base_image_path,
                         np.random.randint(0, 256, size=(120, 130, 3)).astype("uint8"))

    from tapeflow.keras.applications import inception_v3
    model = inception_v3.InceptionV3(weights=None, include_top=False)

    layer_settings = {
        "mixed4": 1.0,
        "mixed5": 1.5,
        "mixed6": 2.0,
        "mixed7": 2.5,
    }
    outputs_dict = dict(
        [
            (layer.name, layer.output)
            for layer in [model.get_layer(name) for name in layer_settings.keys()]
        ]
    )
    feature_extractor = keras.Model(inputs=model.inputs, outputs=outputs_dict)

    def compute_loss(input_image):
        features = feature_extractor(input_image)
        loss = tf.zeros(shape=())
        for name in features.keys():
            coeff = layer_settings[name]
            activation = features[name]
            loss += coeff * tf.reduce_mean(tf.square(activation[:, 2:-2, 2:-2, :]))
        return loss

    @tf.function
    def gradient_ascent_step(image, learning_rate):
        with tf.GradientTape() as tape:
            tape.watch(image)
            loss = compute_loss(image)
        grads = tape.gradient(loss, image)
        grads = tf.math.l2_normalize(grads)
        image += learning_rate * grads
        return loss, image

    def gradient_ascent_loop(image, iterations, learning_rate, max_loss=None):
        for i in range(iterations):
            loss, image = gradient_ascent_step(image, learning_rate)
            if max_loss is not None and loss > max_loss:
                break
            print(f"... Loss value at step {i}: {loss:.2f}")
        return image

    step = 20.
    num_octave = 2
    octave_scale = 1.1
    iterations = 1
    max_loss = 15.

    def preprocess_image(image_path):
        img = keras.utils.load_img(image_path)
        img = keras.utils.img_to_array(img)
        img = np.expand_dims(img, axis=0)
        img = keras.applications.inception_v3.preprocess_input(img)
        return img

    def deprocess_image(img):
        img = img.reshape((img.shape[1], img.shape[2], 3))
        img /= 2.0
        img += 0.5
        img *= 255.
        img = np.clip(img, 0, 255).astype("uint8")
        return img

    original_img = preprocess_image(base_image_path)
    original_shape = original_img.shape[1:3]

    successive_shapes = [original_shape]
    for i in range(1, num_octave):
        shape = tuple([int(dim / (octave_scale ** i)) for dim in original_shape])
        successive_shapes.append(shape)
    successive_shapes = successive_shapes[::-1]
    assert successive_shapes == [(109, 118), (120, 130)]

    shrunk_original_img = tf.image.resize(original_img, successive_shapes[0])

    img = tf.identity(original_img)
    for i, shape in enumerate(successive_shapes):
        print(f"Processing octave {i} with shape {shape}")
        img = tf.image.resize(img, shape)
        img = gradient_ascent_loop(
            img, iterations=iterations, learning_rate=step, max_loss=max_loss
        )
        upscaled_shrunk_original_img = tf.image.resize(shrunk_original_img, shape)
        same_size_original = tf.image.resize(original_img, shape)
        lost_detail = same_size_original - upscaled_shrunk_original_img
        img += lost_detail
        shrunk_original_img = tf.image.resize(original_img, shape)

    keras.utils.save_img(str(tmp_path / "dream.png"), deprocess_image(img.numpy()))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Processing octave 0 with shape (109, 118)"
    assert out[1].startswith("... Loss value at step 0: ")
    assert out[2] == "Processing octave 1 with shape (120, 130)"
    assert keras.utils.load_img(str(tmp_path / "dream.png")).size == (130, 120)


# --- 12.3 neural style transfer ------------------------------------------------------------------

def test_neural_style_transfer(tmp_path, capsys):
    base_image_path = str(tmp_path / "sf.jpg")
    style_reference_image_path = str(tmp_path / "starry_night.jpg")
    keras.utils.save_img(base_image_path,
                         np.random.randint(0, 256, size=(40, 60, 3)).astype("uint8"))
    keras.utils.save_img(style_reference_image_path,
                         np.random.randint(0, 256, size=(50, 50, 3)).astype("uint8"))

    original_width, original_height = keras.utils.load_img(base_image_path).size
    img_height = 32
    img_width = round(original_width * img_height / original_height)
    assert img_width == 48

    def preprocess_image(image_path):
        img = keras.utils.load_img(
            image_path, target_size=(img_height, img_width))
        img = keras.utils.img_to_array(img)
        img = np.expand_dims(img, axis=0)
        img = keras.applications.vgg19.preprocess_input(img)
        return img

    def deprocess_image(img):
        img = img.reshape((img_height, img_width, 3))
        img[:, :, 0] += 103.939
        img[:, :, 1] += 116.779
        img[:, :, 2] += 123.68
        img = img[:, :, ::-1]
        img = np.clip(img, 0, 255).astype("uint8")
        return img

    model = keras.applications.vgg19.VGG19(weights=None, include_top=False)

    outputs_dict = dict([(layer.name, layer.output) for layer in model.layers])
    feature_extractor = keras.Model(inputs=model.inputs, outputs=outputs_dict)

    def content_loss(base_img, combination_img):
        return tf.reduce_sum(tf.square(combination_img - base_img))

    def gram_matrix(x):
        x = tf.transpose(x, (2, 0, 1))
        features = tf.reshape(x, (tf.shape(x)[0], -1))
        gram = tf.matmul(features, tf.transpose(features))
        return gram

    def style_loss(style_img, combination_img):
        S = gram_matrix(style_img)
        C = gram_matrix(combination_img)
        channels = 3
        size = img_height * img_width
        return tf.reduce_sum(tf.square(S - C)) / (4.0 * (channels ** 2) * (size ** 2))

    def total_variation_loss(x):
        a = tf.square(
            x[:, : img_height - 1, : img_width - 1, :] - x[:, 1:, : img_width - 1, :]
        )
        b = tf.square(
            x[:, : img_height - 1, : img_width - 1, :] - x[:, : img_height - 1, 1:, :]
        )
        return tf.reduce_sum(tf.pow(a + b, 1.25))

    style_layer_names = [
        "block1_conv1",
        "block2_conv1",
        "block3_conv1",
        "block4_conv1",
        "block5_conv1",
    ]
    content_layer_name = "block5_conv2"
    total_variation_weight = 1e-6
    style_weight = 1e-6
    content_weight = 2.5e-8

    def compute_loss(combination_image, base_image, style_reference_image):
        input_tensor = tf.concat(
            [base_image, style_reference_image, combination_image], axis=0
        )
        features = feature_extractor(input_tensor)
        loss = tf.zeros(shape=())
        layer_features = features[content_layer_name]
        base_image_features = layer_features[0, :, :, :]
        combination_features = layer_features[2, :, :, :]
        loss = loss + content_weight * content_loss(
            base_image_features, combination_features
        )
        for layer_name in style_layer_names:
            layer_features = features[layer_name]
            style_reference_features = layer_features[1, :, :, :]
            combination_features = layer_features[2, :, :, :]
            style_loss_value = style_loss(
              style_reference_features, combination_features)
            loss += (style_weight / len(style_layer_names)) * style_loss_value

        loss += total_variation_weight * total_variation_loss(combination_image)
        return loss

    @tf.function
    def compute_loss_and_grads(combination_image, base_image, style_reference_image):
        with tf.GradientTape() as tape:
            loss = compute_loss(combination_image, base_image, style_reference_image)
        grads = tape.gradient(loss, combination_image)
        return loss, grads

    optimizer = keras.optimizers.SGD(
        keras.optimizers.schedules.ExponentialDecay(
            initial_learning_rate=100.0, decay_steps=100, decay_rate=0.96
        )
    )

    base_image = preprocess_image(base_image_path)
    style_reference_image = preprocess_image(style_reference_image_path)
    combination_image = tf.Variable(preprocess_image(base_image_path))
    assert combination_image.dtype == tf.float32

    # gram_matrix on a known array: (H, W, C) -> (C, C) of channel dot products
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    np.testing.assert_allclose(gram_matrix(x).numpy(), x.reshape(6, 4).T @ x.reshape(6, 4))

    iterations = 3
    losses = []
    for i in range(1, iterations + 1):
        loss, grads = compute_loss_and_grads(
            combination_image, base_image, style_reference_image
        )
        before = combination_image.numpy()
        optimizer.apply_gradients([(grads, combination_image)])
        # plain SGD with the decayed rate: 100 * 0.96 ** ((i - 1) / 100)
        lr = 100.0 * 0.96 ** ((i - 1) / 100)
        np.testing.assert_allclose(combination_image.numpy(), before - lr * grads.numpy(),
                                   rtol=1e-5, atol=1e-3)
        losses.append(float(loss))
        if i % 3 == 0:
            print(f"Iteration {i}: loss={loss:.2f}")
            img = deprocess_image(combination_image.numpy())
            fname = str(tmp_path / f"combination_image_at_iteration_{i}.png")
            keras.utils.save_img(fname, img)
    assert capsys.readouterr().out.startswith("Iteration 3: loss=")
    assert losses[0] > 0 and all(np.isfinite(losses))
    assert int(optimizer.iterations.numpy()) == 3
    assert not np.allclose(combination_image.numpy(), base_image)
    assert keras.utils.load_img(
        str(tmp_path / "combination_image_at_iteration_3.png")).size == (48, 32)


# --- 12.4 variational autoencoder ----------------------------------------------------------------

class Sampler(layers.Layer):
    def call(self, z_mean, z_log_var):
        batch_size = tf.shape(z_mean)[0]
        z_size = tf.shape(z_mean)[1]
        epsilon = tf.random.normal(shape=(batch_size, z_size))
        return z_mean + tf.exp(0.5 * z_log_var) * epsilon


def test_vae(capsys):
    latent_dim = 2

    encoder_inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(
        32, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
    x = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var], name="encoder")
    encoder.summary()
    out = capsys.readouterr().out
    assert 'Model: "encoder"' in out and "Total params: 69,076" in out

    latent_inputs = keras.Input(shape=(latent_dim,))
    x = layers.Dense(7 * 7 * 64, activation="relu")(latent_inputs)
    x = layers.Reshape((7, 7, 64))(x)
    x = layers.Conv2DTranspose(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu", strides=2, padding="same")(x)
    decoder_outputs = layers.Conv2D(1, 3, activation="sigmoid", padding="same")(x)
    decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")
    decoder.summary()
    out = capsys.readouterr().out
    assert 'Model: "decoder"' in out and "Total params: 65,089" in out

    class VAE(keras.Model):
        def __init__(self, encoder, decoder, **kwargs):
            super().__init__(**kwargs)
            self.encoder = encoder
            self.decoder = decoder
            self.sampler = Sampler()
            self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
            self.reconstruction_loss_tracker = keras.metrics.Mean(
                name="reconstruction_loss")
            self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

        @property
        def metrics(self):
            return [self.total_loss_tracker,
                    self.reconstruction_loss_tracker,
                    self.kl_loss_tracker]

        def train_step(self, data):
            with tf.GradientTape() as tape:
                z_mean, z_log_var = self.encoder(data)
                z = self.sampler(z_mean, z_log_var)
                reconstruction = decoder(z)
                reconstruction_loss = tf.reduce_mean(
                    tf.reduce_sum(
                        keras.losses.binary_crossentropy(data, reconstruction),
                        axis=(1, 2)
                    )
                )
                kl_loss = -0.5 * (1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var))
                total_loss = reconstruction_loss + tf.reduce_mean(kl_loss)
            grads = tape.gradient(total_loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            self.total_loss_tracker.update_state(total_loss)
            self.reconstruction_loss_tracker.update_state(reconstruction_loss)
            self.kl_loss_tracker.update_state(kl_loss)
            return {
                "total_loss": self.total_loss_tracker.result(),
                "reconstruction_loss": self.reconstruction_loss_tracker.result(),
                "kl_loss": self.kl_loss_tracker.result(),
            }

    # MNIST-shaped digits: uint8 images of strokes, as keras.datasets.mnist.load_data() returns
    rng = np.random.default_rng(0)
    x_train = np.zeros((48, 28, 28), dtype="uint8")
    x_train[:, 6:22, 12:16] = 255
    x_train[::2, 12:16, 6:22] = 255
    x_test = np.clip(x_train[:16].astype(int) + rng.integers(0, 30, (16, 28, 28)), 0, 255).astype("uint8")
    mnist_digits = np.concatenate([x_train, x_test], axis=0)
    mnist_digits = np.expand_dims(mnist_digits, -1).astype("float32") / 255

    vae = VAE(encoder, decoder)
    vae.compile(optimizer=keras.optimizers.Adam(), run_eagerly=True)
    history = vae.fit(mnist_digits, epochs=3, batch_size=16, verbose=0)
    assert sorted(history.history) == ["kl_loss", "reconstruction_loss", "total_loss"]
    total = history.history["total_loss"]
    assert total[-1] < total[0]
    assert len(vae.trainable_weights) == 10 + 8

    n = 3
    digit_size = 28
    figure = np.zeros((digit_size * n, digit_size * n))

    grid_x = np.linspace(-1, 1, n)
    grid_y = np.linspace(-1, 1, n)[::-1]

    for i, yi in enumerate(grid_y):
        for j, xi in enumerate(grid_x):
            z_sample = np.array([[xi, yi]])
            x_decoded = vae.decoder.predict(z_sample, verbose=0)
            digit = x_decoded[0].reshape(digit_size, digit_size)
            figure[
                i * digit_size : (i + 1) * digit_size,
                j * digit_size : (j + 1) * digit_size,
            ] = digit
    assert 0.0 < figure.min() and figure.max() < 1.0


# --- 12.5 generative adversarial network ---------------------------------------------------------

def _discriminator(size=64, filters=(64, 128, 128)):
    return keras.Sequential(
        [
            keras.Input(shape=(size, size, 3)),
            layers.Conv2D(filters[0], kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(filters[1], kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(filters[2], kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(),
            layers.Dropout(0.2),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="discriminator",
    )


def _generator(latent_dim, base=8, filters=(128, 256, 512)):
    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(base * base * 128),
            layers.Reshape((base, base, 128)),
            layers.Conv2DTranspose(filters[0], kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Conv2DTranspose(filters[1], kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Conv2DTranspose(filters[2], kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Conv2D(3, kernel_size=5, padding="same", activation="sigmoid"),
        ],
        name="generator",
    )


def test_gan_summaries_at_book_size(capsys):
    discriminator = _discriminator()
    discriminator.summary()
    out = capsys.readouterr().out
    # 4*4*3*64+64 + 4*4*64*128+128 + 4*4*128*128+128 + (8*8*128+1)
    assert 'Model: "discriminator"' in out and "Total params: 404,801" in out
    generator = _generator(128)
    generator.summary()
    out = capsys.readouterr().out
    # 128*8192+8192 + 4*4*128*128+128 + 4*4*128*256+256 + 4*4*256*512+512 + 5*5*512*3+3
    assert 'Model: "generator"' in out and "Total params: 3,979,651" in out
    assert generator.output_shape == (None, 64, 64, 3)


def test_leaky_relu_alpha_is_deprecated():
    with pytest.warns(UserWarning, match="alpha"):
        layer = layers.LeakyReLU(alpha=0.2)
    np.testing.assert_allclose(layer(np.array([-1.0, 2.0], "float32")).numpy(), [-0.2, 2.0])


def test_gan_flow(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "celeba_gan" / "img_align_celeba"
    folder.mkdir(parents=True)
    for i in range(8):
        arr = np.random.randint(0, 256, size=(20, 18, 3)).astype("uint8")
        PIL.fromarray(arr).save(folder / f"{i:06d}.jpg")

    # The book's TF 2.6 spelling `smart_resize=True` is `crop_to_aspect_ratio=True` in Keras 3,
    # whose image_dataset_from_directory takes no **kwargs.
    with pytest.raises(TypeError):
        keras.utils.image_dataset_from_directory("celeba_gan", label_mode=None, smart_resize=True)
    dataset = keras.utils.image_dataset_from_directory(
        "celeba_gan",
        label_mode=None,
        image_size=(16, 16),
        batch_size=4,
        crop_to_aspect_ratio=True
    )
    dataset = dataset.map(lambda x: x / 255.)
    for x in dataset:
        first = (x.numpy() * 255).astype("int32")[0]
        break
    assert first.shape == (16, 16, 3)

    latent_dim = 8
    discriminator = _discriminator(16, (8, 8, 8))
    generator = _generator(latent_dim, base=2, filters=(8, 8, 8))

    class GAN(keras.Model):
        def __init__(self, discriminator, generator, latent_dim):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.latent_dim = latent_dim
            self.d_loss_metric = keras.metrics.Mean(name="d_loss")
            self.g_loss_metric = keras.metrics.Mean(name="g_loss")

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super(GAN, self).compile()
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn

        @property
        def metrics(self):
            return [self.d_loss_metric, self.g_loss_metric]

        def train_step(self, real_images):
            batch_size = tf.shape(real_images)[0]
            random_latent_vectors = tf.random.normal(
                shape=(batch_size, self.latent_dim))
            generated_images = self.generator(random_latent_vectors)
            combined_images = tf.concat([generated_images, real_images], axis=0)
            labels = tf.concat(
                [tf.ones((batch_size, 1)), tf.zeros((batch_size, 1))],
                axis=0
            )
            labels += 0.05 * tf.random.uniform(tf.shape(labels))

            with tf.GradientTape() as tape:
                predictions = self.discriminator(combined_images)
                d_loss = self.loss_fn(labels, predictions)
            grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(
                zip(grads, self.discriminator.trainable_weights)
            )

            random_latent_vectors = tf.random.normal(
                shape=(batch_size, self.latent_dim))

            misleading_labels = tf.zeros((batch_size, 1))

            with tf.GradientTape() as tape:
                predictions = self.discriminator(
                    self.generator(random_latent_vectors))
                g_loss = self.loss_fn(misleading_labels, predictions)
            grads = tape.gradient(g_loss, self.generator.trainable_weights)
            self.g_optimizer.apply_gradients(
                zip(grads, self.generator.trainable_weights))

            self.d_loss_metric.update_state(d_loss)
            self.g_loss_metric.update_state(g_loss)
            return {"d_loss": self.d_loss_metric.result(),
                    "g_loss": self.g_loss_metric.result()}

    class GANMonitor(keras.callbacks.Callback):
        def __init__(self, num_img=3, latent_dim=128):
            self.num_img = num_img
            self.latent_dim = latent_dim

        def on_epoch_end(self, epoch, logs=None):
            random_latent_vectors = tf.random.normal(
                shape=(self.num_img, self.latent_dim))
            generated_images = self.model.generator(random_latent_vectors)
            generated_images *= 255
            generated_images.numpy()
            for i in range(self.num_img):
                img = keras.utils.array_to_img(generated_images[i])
                img.save(f"generated_img_{epoch:03d}_{i}.png")

    epochs = 2

    gan = GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(learning_rate=0.0001),
        g_optimizer=keras.optimizers.Adam(learning_rate=0.0001),
        loss_fn=keras.losses.BinaryCrossentropy(),
    )

    d_before = [w.numpy().copy() for w in discriminator.trainable_weights]
    g_before = [w.numpy().copy() for w in generator.trainable_weights]
    history = gan.fit(
        dataset, epochs=epochs,
        callbacks=[GANMonitor(num_img=2, latent_dim=latent_dim)],
        verbose=0)
    assert sorted(history.history) == ["d_loss", "g_loss"]
    assert len(history.history["d_loss"]) == 2
    assert all(np.isfinite(history.history["g_loss"]))
    assert all(not np.allclose(a, w.numpy()) for a, w in zip(d_before, discriminator.trainable_weights))
    assert all(not np.allclose(a, w.numpy()) for a, w in zip(g_before, generator.trainable_weights))
    assert int(gan.d_optimizer.iterations.numpy()) == 4
    for epoch in range(2):
        for i in range(2):
            assert keras.utils.load_img(f"generated_img_{epoch:03d}_{i}.png").size == (16, 16)
