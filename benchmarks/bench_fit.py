"""``fit`` benchmark: Dense(512, relu) -> Dense(10, softmax), RMSprop, sparse CCE, batch 128.

One epoch over MNIST-shaped float32 inputs (random data: speed does not depend on it),
side by side, alternating the cases run after run and printing medians:

* tapeflow ``model.fit`` through its compiled step (the default, ``run_eagerly=False``);
* tapeflow ``model.fit(run_eagerly=True)`` (``--no-eager`` leaves it out);
* a hand-written NumPy loop doing the same step (forward, backward, Keras's RMSprop): the floor;
* Keras on TensorFlow and PyTorch, when importable (a skip note otherwise). TensorFlow is not
  in the main interpreter: run the script with the parity virtualenv's python for it (PYTHONPATH
  pointing at this tree's src), with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset.

    python benchmarks/bench_fit.py [--samples 60000] [--repeat 5] [--profile]
    BENCH_CLOCK=process python benchmarks/bench_fit.py --samples 12800 --repeat 5

BLAS (and TensorFlow's thread pools) are pinned to one thread unless ``--threads`` says
otherwise, so that ``BENCH_CLOCK=process`` (CPU time, steady on a shared machine) compares
like with like. ``--profile`` runs cProfile over part of an epoch and prints where the time
goes.
"""
import os
import sys

if "--threads" not in sys.argv:
    for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

_clock = time.process_time if os.environ.get("BENCH_CLOCK") == "process" else time.perf_counter

BATCH, HIDDEN, CLASSES, FEATURES = 128, 512, 10, 784


def make_data(n):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, FEATURES), dtype=np.float32)
    y = rng.integers(0, CLASSES, n).astype(np.int32)
    return x, y


def tapeflow_model(run_eagerly=False):
    from tapeflow import keras
    from tapeflow.keras import layers
    model = keras.Sequential([keras.Input((FEATURES,)), layers.Dense(HIDDEN, activation="relu"),
                              layers.Dense(CLASSES, activation="softmax")])
    model.compile(optimizer=keras.optimizers.RMSprop(), loss="sparse_categorical_crossentropy",
                  run_eagerly=run_eagerly)
    return model


def bench_tapeflow(x, y, run_eagerly=False):
    """Returns (samples/s, seconds) of one epoch (after a warm-up that traces the step)."""
    model = tapeflow_model(run_eagerly)
    model.fit(x[:BATCH * 4], y[:BATCH * 4], batch_size=BATCH, epochs=1, verbose=0)  # warm-up
    # verbose=1 as a user runs it; the bar goes to a buffer (a log file, in effect).
    stdout, sys.stdout = sys.stdout, io.StringIO()
    try:
        t0 = _clock()
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=1)
        total = _clock() - t0
    finally:
        sys.stdout = stdout
    return len(x) / total, total


def trace_time(x, y, repeat=5):
    """Returns the median time to trace the compiled train step (a fresh model each time;
    its first fit call, eager, builds it): the step traced, not run."""
    import tapeflow as tf
    times = []
    for _ in range(repeat):
        model = tapeflow_model()
        model.fit(x[:BATCH], y[:BATCH], batch_size=BATCH, epochs=1, verbose=0)
        step = model._step_function("train")
        data = (tf.constant(x[:BATCH]), tf.constant(y[:BATCH]))
        t0 = _clock()
        step.get_concrete_function(data)
        times.append(_clock() - t0)
    return statistics.median(times)


def bench_numpy(x, y):
    """The same step written by hand: the floor a NumPy framework can reach."""
    rng = np.random.default_rng(1)
    lim1, lim2 = np.sqrt(6 / (FEATURES + HIDDEN)), np.sqrt(6 / (HIDDEN + CLASSES))
    params = [rng.uniform(-lim1, lim1, (FEATURES, HIDDEN)).astype(np.float32),
              np.zeros(HIDDEN, np.float32),
              rng.uniform(-lim2, lim2, (HIDDEN, CLASSES)).astype(np.float32),
              np.zeros(CLASSES, np.float32)]
    velocity = [np.zeros_like(p) for p in params]
    lr, rho, eps = np.float32(0.001), np.float32(0.9), np.float32(1e-7)
    t0 = _clock()
    for start in range(0, len(x), BATCH):
        xb, yb = x[start:start + BATCH], y[start:start + BATCH]
        w1, b1, w2, b2 = params
        h = np.maximum(xb @ w1 + b1, 0)
        logits = h @ w2 + b2
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        dlogits = p
        dlogits[np.arange(len(yb)), yb] -= 1
        dlogits /= len(yb)
        grads = [None, None, h.T @ dlogits, dlogits.sum(0)]
        dh = dlogits @ w2.T
        dh[h <= 0] = 0
        grads[0], grads[1] = xb.T @ dh, dh.sum(0)
        for prm, v, g in zip(params, velocity, grads):
            v *= rho
            v += (1 - rho) * g * g
            prm -= lr * g / (np.sqrt(v) + eps)
    total = _clock() - t0
    return len(x) / total, total


def bench_keras_tf(x, y):
    try:
        import keras as real_keras
        import tensorflow  # noqa: F401
    except ImportError:
        return None
    model = real_keras.Sequential([real_keras.Input((FEATURES,)),
                                   real_keras.layers.Dense(HIDDEN, activation="relu"),
                                   real_keras.layers.Dense(CLASSES, activation="softmax")])
    if "--threads" not in sys.argv:
        try:          # (once per process: TensorFlow refuses it after it has started)
            tensorflow.config.threading.set_intra_op_parallelism_threads(1)
            tensorflow.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:
            pass
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    model.fit(x[:BATCH * 2], y[:BATCH * 2], batch_size=BATCH, verbose=0)
    t0 = _clock()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    total = _clock() - t0
    return len(x) / total, total


def bench_torch(x, y):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1 if "--threads" not in sys.argv else torch.get_num_threads())
    model = torch.nn.Sequential(torch.nn.Linear(FEATURES, HIDDEN), torch.nn.ReLU(),
                                torch.nn.Linear(HIDDEN, CLASSES))
    opt = torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    t0 = _clock()
    for start in range(0, len(x), BATCH):
        opt.zero_grad()
        loss = loss_fn(model(xt[start:start + BATCH]), yt[start:start + BATCH])
        loss.backward()
        opt.step()
    total = _clock() - t0
    return len(x) / total, total


def profile_tapeflow(x, y, batches=150):
    model = tapeflow_model()
    model.fit(x[:BATCH], y[:BATCH], batch_size=BATCH, verbose=0)
    n = BATCH * batches
    prof = cProfile.Profile()
    prof.enable()
    model.fit(x[:n], y[:n], batch_size=BATCH, epochs=1, verbose=0)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(18)
    print(out.getvalue())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=60000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (medians)")
    parser.add_argument("--no-eager", action="store_true", help="leave out run_eagerly=True")
    parser.add_argument("--no-peers", action="store_true", help="leave out TensorFlow/PyTorch")
    parser.add_argument("--threads", action="store_true", help="do not pin BLAS to 1 thread")
    args = parser.parse_args()
    x, y = make_data(args.samples)
    clock = "CPU time" if _clock is time.process_time else "wall time"
    print(f"fit benchmark: {args.samples} samples x {FEATURES}, batch {BATCH}, one epoch, "
          f"{clock}, median of {args.repeat}")
    cases = [("tapeflow fit", lambda: bench_tapeflow(x, y))]
    if not args.no_eager:
        cases.append(("tapeflow fit eager", lambda: bench_tapeflow(x, y, True)))
    cases.append(("hand-written NumPy", lambda: bench_numpy(x, y)))
    if not args.no_peers:
        cases += [("Keras on TensorFlow", lambda: bench_keras_tf(x, y)),
                  ("PyTorch", lambda: bench_torch(x, y))]
    runs = {name: [] for name, _ in cases}
    for _ in range(args.repeat):          # alternating: every case once per round
        for name, fn in cases:
            r = fn()
            if r is not None:
                runs[name].append(r[1])
    floor = statistics.median(runs["hand-written NumPy"])
    for name, _ in cases:
        if not runs[name]:
            print(f"{name:<21} skipped (not installed)")
            continue
        t = statistics.median(runs[name])
        print(f"{name:<21} {len(x) / t:10,.0f} samples/s  ({t:.2f} s; {floor / t:.2f}x the "
              f"floor's speed; runs {', '.join(f'{v:.2f}' for v in runs[name])})")
    print(f"tracing the train step  {trace_time(x, y) * 1e3:.1f} ms (median of 5)")
    if args.profile:
        profile_tapeflow(x, y)


if __name__ == "__main__":
    main()
