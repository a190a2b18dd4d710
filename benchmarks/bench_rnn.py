"""LSTM text classifier benchmark (issue 18): Embedding(20000, 256) -> Bidirectional(LSTM(32))
(``--layer GRU`` / ``SimpleRNN``: GRU(32) / SimpleRNN(32))
-> Dense(1, sigmoid), sequences of 200, batch 32, Adam, binary cross-entropy.

Prints training samples/s measured in CPU time (``time.process_time``, so a loaded,
shared machine distorts it less than wall time), median over alternating rounds:

* tapeflow with the fused LSTM op (``ops.rnn_ops``) and with the step-by-step loop
  (``tapeflow.keras.layers.rnn.FUSED = False``), alternating in the same process;
* a hand-written NumPy floor (same forward/backward maths, plain SGD update);
* Keras on TensorFlow when importable (run this file in the parity virtualenv, see README).

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD/src python benchmarks/bench_rnn.py [--rounds 5]

One thread by default (OPENBLAS_NUM_THREADS / OMP_NUM_THREADS and TF's thread pools set
to 1 unless already set); ``--threads 2`` for two.
"""
import argparse
import os
import statistics
import sys
import time

VOCAB, EMBED, UNITS, STEPS, BATCH = 20000, 256, 32, 200, 32


def _args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=3, help="training steps per round")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-tf", action="store_true")
    ap.add_argument("--layer", choices=("LSTM", "GRU", "SimpleRNN"), default="LSTM",
                    help="the recurrent layer (the NumPy floor is LSTM only)")
    return ap.parse_args()


ARGS = _args()
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, str(ARGS.threads))

import numpy as np  # noqa: E402  (after the thread settings)


def make_data():
    rng = np.random.default_rng(0)
    x = rng.integers(1, VOCAB, (BATCH, STEPS)).astype(np.int32)
    y = rng.integers(0, 2, (BATCH, 1)).astype(np.float32)
    return x, y


def timed(step, n):
    step()  # warm-up (builds, first allocation)
    t0 = time.process_time()
    for _ in range(n):
        step()
    return BATCH * n / (time.process_time() - t0)


# -- tapeflow ----------------------------------------------------------------------------
def tapeflow_step(x, y):
    from tapeflow import keras
    from tapeflow.keras import layers
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((STEPS,), dtype="int32"),
                              layers.Embedding(VOCAB, EMBED),
                              layers.Bidirectional(getattr(layers, ARGS.layer)(UNITS)),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return lambda: model.train_on_batch(x, y)


def set_fused(flag):
    from tapeflow.keras.layers import rnn
    rnn.FUSED = flag


# -- NumPy floor ---------------------------------------------------------------------------
def numpy_step(x, y):
    rng = np.random.default_rng(0)
    f32 = np.float32
    emb = rng.standard_normal((VOCAB, EMBED), dtype=f32) * f32(0.05)
    dirs = [dict(k=rng.standard_normal((EMBED, 4 * UNITS), dtype=f32) * f32(0.05),
                 r=rng.standard_normal((UNITS, 4 * UNITS), dtype=f32) * f32(0.1),
                 b=np.zeros(4 * UNITS, f32)) for _ in range(2)]
    wd = rng.standard_normal((2 * UNITS, 1), dtype=f32) * f32(0.1)
    lr = f32(0.01)

    def sig(v):
        return f32(0.5) * (np.tanh(f32(0.5) * v) + f32(1))

    def lstm(xt, w):  # xt: (T, B, E) -> last h, cache
        p = (xt.reshape(-1, EMBED) @ w["k"] + w["b"]).reshape(STEPS, BATCH, 4 * UNITS)
        h = np.zeros((BATCH, UNITS), f32)
        c = np.zeros_like(h)
        cache = []
        for t in range(STEPS):
            z = p[t] + h @ w["r"]
            i, f, o = sig(z[:, :UNITS]), sig(z[:, UNITS:2 * UNITS]), sig(z[:, 3 * UNITS:])
            g = np.tanh(z[:, 2 * UNITS:3 * UNITS])
            cache.append((h, c, i, f, g, o))
            c = f * c + i * g
            tc = np.tanh(c)
            cache[-1] += (tc,)
            h = o * tc
        return h, cache

    def lstm_back(xt, w, cache, dh):
        dc = np.zeros_like(dh)
        dz = np.empty((STEPS, BATCH, 4 * UNITS), f32)
        for t in range(STEPS - 1, -1, -1):
            hp, cp, i, f, g, o, tc = cache[t]
            dc = dc + dh * o * (1 - tc * tc)
            dz[t, :, 3 * UNITS:] = dh * tc * o * (1 - o)
            dz[t, :, :UNITS] = dc * g * i * (1 - i)
            dz[t, :, UNITS:2 * UNITS] = dc * cp * f * (1 - f)
            dz[t, :, 2 * UNITS:3 * UNITS] = dc * i * (1 - g * g)
            dh = dz[t] @ w["r"].T
            dc = dc * f
        hs = np.stack([cache[t][0] for t in range(STEPS)])
        flat = dz.reshape(-1, 4 * UNITS)
        w["r"] -= lr * (hs.reshape(-1, UNITS).T @ flat)
        w["k"] -= lr * (xt.reshape(-1, EMBED).T @ flat)
        w["b"] -= lr * flat.sum(0)
        return (flat @ w["k"].T).reshape(STEPS, BATCH, EMBED)

    def step():
        nonlocal wd
        xt = emb[x.T]                     # (T, B, E), time-major
        h1, c1 = lstm(xt, dirs[0])
        h2, c2 = lstm(xt[::-1], dirs[1])
        hcat = np.concatenate([h1, h2], 1)
        prob = sig(hcat @ wd)
        dlogit = (prob - y) / BATCH
        dh = dlogit @ wd.T
        wd = wd - lr * (hcat.T @ dlogit)
        dx = lstm_back(xt, dirs[0], c1, dh[:, :UNITS])
        dx += lstm_back(xt[::-1], dirs[1], c2, dh[:, UNITS:])[::-1]
        np.subtract.at(emb, x.T.reshape(-1), lr * dx.reshape(-1, EMBED))
    return step


# -- Keras on TensorFlow ---------------------------------------------------------------------
def tensorflow_step(x, y):
    import tensorflow as tf  # noqa: F401  (the real one; tapeflow is imported as tapeflow)
    tf.config.threading.set_intra_op_parallelism_threads(ARGS.threads)
    tf.config.threading.set_inter_op_parallelism_threads(ARGS.threads)
    import keras
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((STEPS,), dtype="int32"),
                              keras.layers.Embedding(VOCAB, EMBED),
                              keras.layers.Bidirectional(
                                  getattr(keras.layers, ARGS.layer)(UNITS)),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return lambda: model.train_on_batch(x, y)


def main():
    x, y = make_data()
    runs = {"tapeflow fused": [], "tapeflow unfused loop": []}
    if ARGS.layer == "LSTM":
        runs["NumPy floor (SGD)"] = []
    tf_step = None
    if not ARGS.no_tf:
        try:
            tf_step = tensorflow_step(x, y)
            runs["Keras on TensorFlow"] = []
        except ImportError as e:
            print(f"Keras on TensorFlow: not importable here ({e})")
    tapeflow = tapeflow_step(x, y)
    floor = numpy_step(x, y) if ARGS.layer == "LSTM" else None
    for _ in range(ARGS.rounds):
        set_fused(True)
        runs["tapeflow fused"].append(timed(tapeflow, ARGS.steps))
        set_fused(False)
        runs["tapeflow unfused loop"].append(timed(tapeflow, ARGS.steps))
        set_fused(True)
        if floor is not None:
            runs["NumPy floor (SGD)"].append(timed(floor, ARGS.steps))
        if tf_step is not None:
            runs["Keras on TensorFlow"].append(timed(tf_step, ARGS.steps))
    print(f"{ARGS.layer} classifier, batch {BATCH}, sequences {STEPS}, {ARGS.threads} thread(s), "
          f"CPU-time samples/s, median of {ARGS.rounds} rounds x {ARGS.steps} steps:")
    base = statistics.median(runs["tapeflow fused"])
    for name, v in runs.items():
        med = statistics.median(v)
        print(f"  {name:24s} {med:9.1f} samples/s   (tapeflow fused / this: {base / med:.2f}x)"
              f"   runs: {', '.join(f'{s:.0f}' for s in v)}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
