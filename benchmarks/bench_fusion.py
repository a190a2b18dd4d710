"""out= chains in a tf.function replay, on or off (never run in tests).

    N=1000000 TAPEFLOW_FUSE=1 python benchmarks/bench_fusion.py
    N=1000000 TAPEFLOW_FUSE=0 python benchmarks/bench_fusion.py

A chain of six elementwise ops on two float32 vectors of N elements under @tf.function
(replayed); CPU time per call, median of 9 repeats. Alternate the two runs.
"""
import os
import statistics
import time

import numpy as np

import tapeflow as tf


def main():
    n = int(os.environ.get("N", "1000000"))
    rng = np.random.default_rng(0)
    x = tf.constant(rng.random(n, dtype="float32"))
    y = tf.constant(rng.random(n, dtype="float32"))

    @tf.function
    def f(x, y):
        a = x * 2.0
        b = a + y
        c = b - 1.0
        d = tf.square(c)
        e = tf.maximum(d, 0.5)
        return tf.negative(e)

    for _ in range(3):
        f(x, y)
    number = max(1, int(2e7 // n))
    times = []
    for _ in range(9):
        t0 = time.process_time()
        for _ in range(number):
            f(x, y)
        times.append((time.process_time() - t0) / number)
    print(f"N={n} TAPEFLOW_FUSE={os.environ.get('TAPEFLOW_FUSE', '1')} "
          f"{statistics.median(times) * 1e6:.1f} us per call")


if __name__ == "__main__":
    main()
