"""Muon and ScheduleFreeAdamW without TensorFlow: which variables take which rule, the
Newton-Schulz orthogonalization, training a model, and saving the optimizer state."""
import numpy as np

from tapeflow import keras


def test_newton_schulz_nearly_orthogonalizes():
    x = np.random.default_rng(0).standard_normal((6, 4)).astype("float32")
    y = keras.optimizers.Muon().zeropower_via_newtonschulz5(x, 10)
    s = np.linalg.svd(y, compute_uv=False)
    assert y.shape == (6, 4) and np.all((s > 0.5) & (s < 1.3))


def test_muon_uses_adamw_for_non_matrices_embeddings_and_excluded_paths():
    opt = keras.optimizers.Muon(exclude_layers=["skip"])
    k = keras.Variable(np.ones((3, 2), "float32"), name="kernel")
    b = keras.Variable(np.ones((2,), "float32"), name="bias")
    e = keras.Variable(np.ones((4, 2), "float32"), name="embedding_matrix")
    s = keras.Variable(np.ones((2, 2), "float32"), name="skip_kernel")
    opt.build([k, b, e, s])
    assert [opt._should_use_adamw(v) for v in (k, b, e, s)] == [False, True, True, True]
    assert [v is None for v in opt.adam_velocities] == [True, False, False, False]


def test_optimizers_train_and_save(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 4)).astype("float32")
    y = x @ rng.standard_normal((4, 1)).astype("float32")
    for opt in (keras.optimizers.Muon(learning_rate=0.02, weight_decay=0.0,
                                      adam_weight_decay=0.0),
                keras.optimizers.ScheduleFreeAdamW(learning_rate=0.05, warmup_steps=2)):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8),
                                  keras.layers.Dense(1)])
        model.compile(opt, "mse")
        first = model.evaluate(x, y, verbose=0)
        model.fit(x, y, epochs=20, batch_size=16, verbose=0)
        assert model.evaluate(x, y, verbose=0) < 0.5 * first
        path = str(tmp_path / f"{type(opt).__name__}.keras")
        model.save(path)
        again = keras.models.load_model(path)
        assert type(again.optimizer) is type(opt)
        for a, b in zip(again.optimizer.variables, model.optimizer.variables):
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_schedule_free_momentum_starts_at_the_weights():
    w = keras.Variable(np.arange(3, dtype="float32"), name="w")
    opt = keras.optimizers.ScheduleFreeAdamW()
    opt.build([w])
    np.testing.assert_array_equal(opt._momentums[0].numpy(), w.numpy())
