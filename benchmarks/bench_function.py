"""tf.function against eager and against the hand-written NumPy floor (never run in tests).

    python benchmarks/bench_function.py                 # 9 repeats
    python benchmarks/bench_function.py --repeats 15
    BENCH_CLOCK=process python benchmarks/bench_function.py

Cases, all in one process (BLAS pinned to one thread), medians of the repeats:

  numpy    the seed chapter's linear-classifier step written by hand in NumPy (the floor):
           forward, analytic backward, SGD update, on 2,000 x 2 float32 data
  eager    the same step in tapeflow, eagerly (GradientTape, two assign_sub)
  function the same step under @tf.function (every call after the first replays the graph)
  trace    the first call of a fresh @tf.function step: tracing, compiling and one run
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

_clock = time.process_time if os.environ.get("BENCH_CLOCK") == "process" else time.perf_counter


def _timeit(fn, repeats, number):
    fn()
    times = []
    for _ in range(repeats):
        t0 = _clock()
        for _ in range(number):
            fn()
        times.append((_clock() - t0) / number)
    return statistics.median(times)


def _data(np):
    rng = np.random.RandomState(0)
    cov = [[1, 0.5], [0.5, 1]]
    a = rng.multivariate_normal([0, 3], cov, size=1000)
    b = rng.multivariate_normal([3, 0], cov, size=1000)
    x = np.vstack((a, b)).astype(np.float32)
    y = np.vstack((np.zeros((1000, 1), np.float32), np.ones((1000, 1), np.float32)))
    w0 = rng.uniform(size=(2, 1)).astype(np.float32)
    return x, y, w0


def numpy_step(np):
    x, y, w0 = _data(np)
    state = {"W": w0.copy(), "b": np.zeros(1, np.float32)}
    n = np.float32(y.size)

    def step():
        W, b = state["W"], state["b"]
        pred = x @ W + b
        diff = pred - y
        loss = np.mean(diff * diff)
        dpred = (2.0 / n) * diff
        dw = x.T @ dpred
        db = dpred.sum(axis=0)
        state["W"] = W - np.float32(0.1) * dw
        state["b"] = b - np.float32(0.1) * db
        return loss
    return step


def tf_step(tf, np, compiled):
    x, y, w0 = _data(np)
    inputs, targets = tf.constant(x), tf.constant(y)
    W = tf.Variable(w0)
    b = tf.Variable(tf.zeros(shape=(1,)))

    def step(inputs, targets):
        with tf.GradientTape() as tape:
            predictions = tf.matmul(inputs, W) + b
            loss = tf.reduce_mean(tf.square(targets - predictions))
        dw, db = tape.gradient(loss, [W, b])
        W.assign_sub(0.1 * dw)
        b.assign_sub(0.1 * db)
        return loss
    f = tf.function(step) if compiled else step
    return lambda: f(inputs, targets)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=9)
    args = p.parse_args(argv)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import numpy as np
    import tapeflow as tf
    r = args.repeats
    floor = _timeit(numpy_step(np), r, 200)
    eager = _timeit(tf_step(tf, np, False), r, 50)
    compiled = _timeit(tf_step(tf, np, True), r, 200)
    traces = []
    for _ in range(r):
        fn = tf_step(tf, np, True)
        t0 = _clock()
        fn()
        traces.append(_clock() - t0)
    trace = statistics.median(traces)
    print(f"numpy floor      {floor * 1e6:8.1f} us")
    print(f"eager step       {eager * 1e6:8.1f} us   {eager / floor:5.2f}x floor")
    print(f"tf.function step {compiled * 1e6:8.1f} us   {compiled / floor:5.2f}x floor")
    print(f"first call (trace + compile + run) {trace * 1e3:6.2f} ms")


if __name__ == "__main__":
    main()
