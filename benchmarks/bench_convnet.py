"""The book's MNIST convnet: training samples per second, side by side.

    python benchmarks/bench_convnet.py [--samples 2048] [--repeats 3] [--blas-threads N]
                                       [--cpu-time] [--ops]

Conv2D(32,3,relu) -> MaxPool(2) -> Conv2D(64,3,relu) -> MaxPool(2) -> Conv2D(128,3,relu)
-> Flatten -> Dense(10, softmax); 28x28x1 inputs, batch 64, RMSprop, sparse categorical
crossentropy. Runs tapeflow, a hand-written NumPy im2col version, and PyTorch /
Keras-on-TensorFlow when importable (skipped with a note otherwise). Prints the
median of several epochs per framework and the ratios to tapeflow. The epochs of
the frameworks are interleaved (one of each per round), so that a machine whose
load drifts during the run slows them alike.

``--blas-threads N`` sets OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS
before NumPy loads (on a shared or busy machine, BLAS threads that wait for a busy
core make every small matmul slow: use 1 there). ``--cpu-time`` times with the
process's CPU time instead of the wall clock (fair on a loaded machine with one
BLAS thread). ``--ops`` adds tapeflow's per-op kernel time for one epoch.

Measured 2026-11-28 on the shared 2-core development machine (load 4-6), with
``--samples 1024 --repeats 5 --blas-threads 1 --cpu-time``: tapeflow 900-1,250
samples/s, the NumPy loop by hand 760-1,260 in the same runs (tapeflow/by-hand
1.08-1.18; before the tap-wise kernels: 560-580, ratio 0.44-0.54). Per step of
64 (--ops): conv2 forward / filter grad / input grad 10.8 / 9.2 / 7.0 ms, conv1
forward 5.7, max-pool grad 5.1, conv3 three ops 5.0, relu grads 3.7, pools 1.7;
kernels 51 ms, the rest (Python, tape, optimizer) 13 ms. With BLAS's default two
threads on that loaded machine every framework fell to 50-200 samples/s.
"""
import argparse
import os
import statistics
import sys
import time

if "--blas-threads" in sys.argv[:-1]:   # BLAS reads its thread count when NumPy loads
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = sys.argv[sys.argv.index("--blas-threads") + 1]

import numpy as np  # noqa: E402  (after the BLAS thread variables)

BATCH = 64


def data(n, seed=0):
    """Returns MNIST-shaped random inputs (float32) and integer labels."""
    rng = np.random.default_rng(seed)
    return rng.random((n, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, n)


def book_model():
    """Returns tapeflow's compiled book convnet."""
    from tapeflow import keras
    from tapeflow.keras import layers
    model = keras.Sequential([
        keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2), layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2), layers.Conv2D(128, 3, activation="relu"), layers.Flatten(),
        layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    return model


def bench_tapeflow(x, y):
    model = book_model()
    model.fit(x[:BATCH], y[:BATCH], batch_size=BATCH, epochs=1, verbose=0)  # warm-up
    return lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)


def op_breakdown(x, y, clock):
    """Prints tapeflow's kernel time per op (and input shape) for one epoch."""
    from collections import defaultdict

    from tapeflow.framework import primitive
    epoch = bench_tapeflow(x, y)
    spent = defaultdict(float)
    saved = {}

    def timed(op):
        forward = op.forward

        def run(*arrays, **attrs):
            t = clock()
            out = forward(*arrays, **attrs)
            spent[op.name, np.shape(arrays[0]) if arrays else ()] += clock() - t
            return out
        saved[op] = forward
        op.forward = run
    for op in list(primitive.REGISTRY.values()):
        timed(op)
    t = clock()
    epoch()
    total = clock() - t
    for op, forward in saved.items():
        op.forward = forward
    steps = len(x) / BATCH
    kernels = sum(spent.values())
    print(f"\ntapeflow, one epoch: {1e3 * total / steps:.1f} ms/step; kernels "
          f"{1e3 * kernels / steps:.1f} ms, the rest (Python, tape, optimizer) "
          f"{1e3 * (total - kernels) / steps:.1f} ms")
    for (name, shape), sec in sorted(spent.items(), key=lambda kv: -kv[1])[:16]:
        print(f"  {name:22s} {str(shape):18s} {1e3 * sec / steps:6.2f} ms/step")


# -- hand-written NumPy (forward and backward by hand) ------------------------------------

def _im2col(x, k):
    n, h, w, c = x.shape
    oh, ow = h - k + 1, w - k + 1
    s = x.strides
    win = np.lib.stride_tricks.as_strided(x, (n, oh, ow, k, k, c), s[:3] + s[1:])
    return win.reshape(n * oh * ow, k * k * c), (n, oh, ow)


def _col2im(cols, shape, k):
    n, h, w, c = shape
    oh, ow = h - k + 1, w - k + 1
    cols = cols.reshape(n, oh, ow, k, k, c)
    out = np.zeros(shape, cols.dtype)
    for i in range(k):
        for j in range(k):
            out[:, i:i + oh, j:j + ow] += cols[:, :, :, i, j]
    return out


def _pool(x):
    n, h, w, c = x.shape
    t = x[:, :h // 2 * 2, :w // 2 * 2].reshape(n, h // 2, 2, w // 2, 2, c)
    out = t.max(axis=(2, 4))
    mask = t == out[:, :, None, :, None]
    return out, mask


def _unpool(dy, mask, shape):
    g = mask * dy[:, :, None, :, None]
    n, oh, _, ow, _, c = g.shape
    out = np.zeros(shape, dy.dtype)
    out[:, :oh * 2, :ow * 2] = g.reshape(n, oh * 2, ow * 2, c)
    return out


def bench_numpy(x, y):
    rng = np.random.default_rng(0)

    def glorot(*shape):
        fan_in, fan_out = np.prod(shape[:-1]), shape[-1]
        lim = np.sqrt(6 / (fan_in + fan_out))
        return rng.uniform(-lim, lim, shape).astype(np.float32)
    params = [glorot(3, 3, 1, 32), np.zeros(32, np.float32), glorot(3, 3, 32, 64),
              np.zeros(64, np.float32), glorot(3, 3, 64, 128), np.zeros(128, np.float32),
              glorot(1152, 10), np.zeros(10, np.float32)]
    acc = [np.zeros_like(p) for p in params]

    def step(xb, yb):
        w1, b1, w2, b2, w3, b3, w4, b4 = params
        c1, s1 = _im2col(xb, 3)
        a1 = np.maximum(c1 @ w1.reshape(-1, 32) + b1, 0).reshape(s1 + (32,))
        p1, m1 = _pool(a1)
        c2, s2 = _im2col(p1, 3)
        a2 = np.maximum(c2 @ w2.reshape(-1, 64) + b2, 0).reshape(s2 + (64,))
        p2, m2 = _pool(a2)
        c3, s3 = _im2col(p2, 3)
        a3 = np.maximum(c3 @ w3.reshape(-1, 128) + b3, 0).reshape(s3 + (128,))
        f = a3.reshape(len(xb), -1)
        logits = f @ w4 + b4
        e = np.exp(logits - logits.max(1, keepdims=True))
        prob = e / e.sum(1, keepdims=True)
        d = prob
        d[np.arange(len(yb)), yb] -= 1
        d /= len(yb)
        grads = [None] * 8
        grads[6], grads[7] = f.T @ d, d.sum(0)
        da3 = (d @ w4.T).reshape(a3.shape) * (a3 > 0)
        d3 = da3.reshape(-1, 128)
        grads[4], grads[5] = (c3.T @ d3).reshape(w3.shape), d3.sum(0)
        dp2 = _col2im(d3 @ w3.reshape(-1, 128).T, p2.shape, 3)
        da2 = _unpool(dp2, m2, a2.shape) * (a2 > 0)
        d2 = da2.reshape(-1, 64)
        grads[2], grads[3] = (c2.T @ d2).reshape(w2.shape), d2.sum(0)
        dp1 = _col2im(d2 @ w2.reshape(-1, 64).T, p1.shape, 3)
        da1 = _unpool(dp1, m1, a1.shape) * (a1 > 0)
        d1 = da1.reshape(-1, 32)
        grads[0], grads[1] = (c1.T @ d1).reshape(w1.shape), d1.sum(0)
        for p, g, a in zip(params, grads, acc):      # RMSprop, rho 0.9, lr 1e-3
            a *= 0.9
            a += 0.1 * g * g
            p -= 1e-3 * g / (np.sqrt(a) + 1e-7)

    def epoch():
        for i in range(0, len(x), BATCH):
            step(x[i:i + BATCH], y[i:i + BATCH])
    return epoch


def bench_torch(x, y):
    import torch
    from torch import nn
    torch.set_num_threads(max(torch.get_num_threads(), 1))
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(64, 128, 3), nn.ReLU(),
                          nn.Flatten(), nn.Linear(1152, 10))
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())
    yt = torch.from_numpy(y.astype(np.int64))
    loss_fn = nn.CrossEntropyLoss()

    def epoch():
        for i in range(0, len(x), BATCH):
            opt.zero_grad()
            loss_fn(model(xt[i:i + BATCH]), yt[i:i + BATCH]).backward()
            opt.step()
    return epoch


def bench_keras_tf(x, y):
    from tensorflow import keras
    from tensorflow.keras import layers
    model = keras.Sequential([
        keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2), layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2), layers.Conv2D(128, 3, activation="relu"), layers.Flatten(),
        layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    model.fit(x[:BATCH], y[:BATCH], batch_size=BATCH, epochs=1, verbose=0)
    return lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2048)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="BLAS threads, set before NumPy loads (default: BLAS's own)")
    parser.add_argument("--cpu-time", action="store_true",
                        help="time with process CPU time instead of the wall clock")
    parser.add_argument("--ops", action="store_true", help="tapeflow's per-op kernel times")
    args = parser.parse_args()
    clock = time.process_time if args.cpu_time else time.perf_counter
    x, y = data(args.samples)
    epochs = {}
    for name, setup in [("tapeflow", bench_tapeflow), ("numpy (by hand)", bench_numpy),
                        ("pytorch", bench_torch), ("keras on tensorflow", bench_keras_tf)]:
        try:
            epochs[name] = setup(x, y)
        except ImportError as e:
            print(f"{name:22s} skipped: {e.name or e} is not installed")
    times = {name: [] for name in epochs}
    for _ in range(args.repeats):        # interleaved: one epoch of each per round
        for name, epoch in epochs.items():
            t = clock()
            epoch()
            times[name].append(clock() - t)
    results = {name: len(x) / statistics.median(ts) for name, ts in times.items()}
    base = results["tapeflow"]
    print(f"\nMNIST convnet, batch {BATCH}, {args.samples} samples, median of {args.repeats}"
          f" ({'CPU' if args.cpu_time else 'wall'} time, BLAS threads: "
          f"{args.blas_threads or 'default'}):")
    for name, sps in results.items():
        print(f"{name:22s} {sps:9.0f} samples/s   tapeflow/this = {base / sps:5.2f}")
    if args.ops:
        op_breakdown(x, y, clock)


if __name__ == "__main__":
    main()
