"""Cost of calling a loaded SavedModel function vs the live Keras model (tapeflow).

    PYTHONPATH=src python benchmarks/bench_saved_model.py
"""
import tempfile
import time

import numpy as np

import tapeflow as tf
from tapeflow import keras


def best_us(f, x, calls=200, repeats=5):
    f(x)
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(calls):
            f(x)
        best = min(best, (time.perf_counter() - t) / calls)
    return best * 1e6


def main():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    with tempfile.TemporaryDirectory() as d:
        model.export(d, verbose=False)
        loaded = tf.saved_model.load(d)
        x = tf.constant(np.ones((8, 3), "float32"))
        print(f"model(x):        {best_us(model, x):6.0f} us")
        print(f"loaded.serve(x): {best_us(loaded.serve, x):6.0f} us")


if __name__ == "__main__":
    main()
