"""keras/trainers/trainer_metrics.py: Model.metrics, metrics_names, get_metrics_result and
reset_metrics."""
import numpy as np

from tapeflow import keras


def _fitted():
    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="ones")])
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x, y = np.ones((4, 2), "float32"), np.zeros((4, 1), "float32")
    return m, x, y


def test_metrics_result_matches_evaluate_and_resets():
    m, x, y = _fitted()
    assert m.metrics_names == ["loss", "compile_metrics"]
    logs = m.evaluate(x, y, verbose=0, return_dict=True)
    result = m.get_metrics_result()
    assert sorted(result) == ["loss", "mae"]
    # outputs are 2.0 everywhere: mse 4, mae 2
    np.testing.assert_allclose([result["loss"], result["mae"]], [4.0, 2.0], rtol=1e-6)
    np.testing.assert_allclose(result["loss"], logs["loss"], rtol=1e-6)
    m.reset_metrics()
    assert m.get_metrics_result() == {"loss": 0.0, "mae": 0.0}
    assert all(np.all(np.asarray(v.numpy()) == 0) for v in m.metrics_variables)
