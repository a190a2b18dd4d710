"""The book's MNIST convnet: training samples per second, side by side.

    python benchmarks/bench_convnet.py [--samples 2048] [--repeats 3] [--blas-threads N]
                                       [--cpu-time] [--ops] [--same-allocator]

Conv2D(32,3,relu) -> MaxPool(2) -> Conv2D(64,3,relu) -> MaxPool(2) -> Conv2D(128,3,relu)
-> Flatten -> Dense(10, softmax); 28x28x1 inputs, batch 64, RMSprop, sparse categorical
crossentropy. Runs tapeflow, a hand-written NumPy im2col version, and PyTorch /
Keras-on-TensorFlow when importable (skipped with a note otherwise); prints the median
samples/s of the epochs per framework and the ratios tapeflow/this.

Each framework runs in its own long-lived worker process (this script, ``--worker NAME``),
so that thread pools (TensorFlow's, torch's OpenMP, OpenBLAS) and malloc settings do not
meet in one process. A worker builds its model and the same seeded data, warms up on one
batch, prints ``ready`` (or ``skipped: <reason>``), then runs one epoch per ``epoch`` line
on stdin and prints its seconds; ``quit`` ends it. The parent interleaves the epochs (one of
each framework per round, so that load drift slows them alike) and sleeps 0.2 s before each
so that a pool still spin-waiting after its epoch does not overlap the next.

The NumPy worker does not import tapeflow: it runs with glibc's default malloc, like a
plain NumPy script, while tapeflow's import applies ``tapeflow.backend.tune_malloc``.
``--same-allocator`` makes every worker call ``tune_malloc()`` first; each row says which
setting it ran with. ``--blas-threads N`` sets OPENBLAS/OMP/MKL_NUM_THREADS in the workers'
environment (on a busy machine, BLAS threads that wait for a core slow every small matmul:
use 1 there). ``--cpu-time`` times each epoch with its worker's CPU time instead of the wall
clock. ``--ops`` adds tapeflow's per-op kernel time for one epoch, in the tapeflow worker.

Measured: see benchmarks/README.md
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

if "--worker" in sys.argv and "--blas-threads" in sys.argv[:-1]:   # before NumPy loads
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = sys.argv[sys.argv.index("--blas-threads") + 1]

import numpy as np

BATCH = 64


def data(n, seed=0):
    """Returns MNIST-shaped random inputs (float32) and integer labels."""
    rng = np.random.default_rng(seed)
    return rng.random((n, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, n)


def keras_epoch(keras, layers, x, y):
    """Builds the book convnet with a Keras API, warms it up on one batch and returns a
    function that runs one ``fit`` epoch (tapeflow's Keras or TensorFlow's)."""
    model = keras.Sequential([
        keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2), layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2), layers.Conv2D(128, 3, activation="relu"), layers.Flatten(),
        layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    # warm-up: 10 steps (tapeflow's convolutions measure their algorithms on a shape's
    # first calls, three per candidate; see ops/conv_algos.py)
    model.fit(x[:10 * BATCH], y[:10 * BATCH], batch_size=BATCH, epochs=1, verbose=0)
    return lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)


def bench_tapeflow(x, y):
    """Returns a function that runs one tapeflow epoch."""
    from tapeflow import keras
    from tapeflow.keras import layers
    return keras_epoch(keras, layers, x, y)


def op_breakdown(x, y, clock, out):
    """Writes where one tapeflow epoch's time goes, by function (cProfile on ``clock``, own
    time), to ``out``: kernels are the NumPy calls and tapeflow's ops/ functions."""
    import cProfile
    import pstats

    epoch = bench_tapeflow(x, y)
    profile = cProfile.Profile(clock)
    profile.enable()
    epoch()
    profile.disable()
    stats = pstats.Stats(profile).stats
    steps = len(x) / BATCH
    total = sum(row[2] for row in stats.values())
    out.write(f"tapeflow, one epoch: {1e3 * total / steps:.1f} ms/step (profiled)\n")
    rows = sorted(stats.items(), key=lambda kv: -kv[1][2])[:16]
    for (filename, line, name), row in rows:
        where = filename.split("site-packages/")[-1].split("src/")[-1]
        out.write(f"  {name[:28]:28s} {where[-34:]:34s} {1e3 * row[2] / steps:6.2f} ms/step\n")


# -- hand-written NumPy (forward and backward by hand) ------------------------------------

def _im2col(x, k):
    """Returns the k x k windows of NHWC ``x`` as rows (a strided view) and (n, oh, ow)."""
    n, h, w, c = x.shape
    oh, ow = h - k + 1, w - k + 1
    s = x.strides
    win = np.lib.stride_tricks.as_strided(x, (n, oh, ow, k, k, c), s[:3] + s[1:])
    return win.reshape(n * oh * ow, k * k * c), (n, oh, ow)


def _col2im(cols, shape, k):
    """Sums window rows back into an array of ``shape`` (the adjoint of ``_im2col``)."""
    n, h, w, c = shape
    oh, ow = h - k + 1, w - k + 1
    cols = cols.reshape(n, oh, ow, k, k, c)
    out = np.zeros(shape, cols.dtype)
    for i in range(k):
        for j in range(k):
            out[:, i:i + oh, j:j + ow] += cols[:, :, :, i, j]
    return out


def _pool(x):
    """Returns the 2 x 2 max pool of ``x`` and the mask of the maxima."""
    n, h, w, c = x.shape
    t = x[:, :h // 2 * 2, :w // 2 * 2].reshape(n, h // 2, 2, w // 2, 2, c)
    out = t.max(axis=(2, 4))
    mask = t == out[:, :, None, :, None]
    return out, mask


def _unpool(dy, mask, shape):
    """Routes the pooled gradient ``dy`` to the maxima in ``mask`` (input ``shape``)."""
    g = mask * dy[:, :, None, :, None]
    n, oh, _, ow, _, c = g.shape
    out = np.zeros(shape, dy.dtype)
    out[:, :oh * 2, :ow * 2] = g.reshape(n, oh * 2, ow * 2, c)
    return out


def bench_numpy(x, y):
    """Returns a function that runs one hand-written NumPy epoch (after one warm-up step)."""
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
    step(x[:BATCH], y[:BATCH])                       # warm-up
    return epoch


def bench_torch(x, y):
    """Returns a function that runs one PyTorch epoch (after one warm-up step)."""
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

    def step(i):
        opt.zero_grad()
        loss_fn(model(xt[i:i + BATCH]), yt[i:i + BATCH]).backward()
        opt.step()

    def epoch():
        for i in range(0, len(x), BATCH):
            step(i)
    step(0)                                          # warm-up
    return epoch


def bench_keras_tf(x, y):
    """Returns a function that runs one Keras-on-TensorFlow epoch."""
    import tensorflow as tf
    if "--blas-threads" in sys.argv[:-1]:      # TF's own pools, not OpenBLAS, run its kernels
        n = int(sys.argv[sys.argv.index("--blas-threads") + 1])
        tf.config.threading.set_intra_op_parallelism_threads(n)
        tf.config.threading.set_inter_op_parallelism_threads(n)
    from tensorflow import keras
    from tensorflow.keras import layers
    return keras_epoch(keras, layers, x, y)


# -- one worker process per framework ------------------------------------------------------

FRAMEWORKS = {"tapeflow": ("tapeflow", bench_tapeflow),       # --worker NAME: (label, setup)
              "numpy": ("numpy (by hand)", bench_numpy), "torch": ("pytorch", bench_torch),
              "keras-tf": ("keras on tensorflow", bench_keras_tf)}


def allocator_setting(tuned):
    """Names the malloc setting of this process (``tuned``: tune_malloc() set it)."""
    env = os.environ
    if tuned:
        return "tapeflow's tune_malloc"
    if "malloc" in env.get("GLIBC_TUNABLES", "") or any(k.startswith("MALLOC_") for k in env):
        return "malloc tunables from the environment"
    return "glibc default" if sys.platform.startswith("linux") else "system default"


def worker(args):
    """Serves one framework to the parent over stdin/stdout (see the module docstring)."""
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)            # what the libraries print goes to stderr, not into the protocol
    tuned = False
    try:
        if args.same_allocator or args.worker == "tapeflow":
            import tapeflow.backend
            tuned = tapeflow.backend.tune_malloc()
        x, y = data(args.samples)
        epoch = FRAMEWORKS[args.worker][1](x, y)
    except ImportError as e:
        missing = isinstance(e, ModuleNotFoundError) and e.name
        proto.write(f"skipped: {f'{missing} is not installed' if missing else e}\n")
        return
    clock = time.process_time if args.cpu_time else time.perf_counter
    proto.write(f"ready {allocator_setting(tuned)}\n")
    for command in iter(sys.stdin.readline, "quit\n"):
        if command == "epoch\n":
            t = clock()
            epoch()
            proto.write(f"{clock() - t!r}\n")
        elif command == "ops\n":
            op_breakdown(x, y, clock, proto)
            proto.write("done\n")
        elif not command:    # the parent has gone
            break


class Worker:
    """The parent's end of one worker process."""

    def __init__(self, name, args):
        """Starts ``name``'s worker with the parent's flags."""
        command = [sys.executable, os.path.abspath(__file__), "--worker", name,
                   "--samples", str(args.samples)]
        command += ["--blas-threads", str(args.blas_threads)] * (args.blas_threads is not None)
        command += ["--cpu-time"] * args.cpu_time + ["--same-allocator"] * args.same_allocator
        env = dict(os.environ)
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")       # TensorFlow's start-up notices
        for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):   # no per-machine BLAS tuning
            env.pop(var, None)
        self.name, self.label, self.allocator = name, FRAMEWORKS[name][0], None
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env=env)

    def ask(self, command=None):
        """Sends ``command`` (if any) and returns the worker's next line."""
        if command:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"failed: the worker exited with code {self.proc.wait()}")
        return line.rstrip("\n")

    def close(self):
        """Asks the worker to quit and waits for it."""
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
        except OSError:            # it has exited already
            pass
        self.proc.wait()


def run(args):
    """Starts the workers, interleaves their epochs and prints the table."""
    loads = "{:.2f} {:.2f} {:.2f}".format
    machine = f"{os.cpu_count()} CPUs, load average (1, 5, 15 min) before "
    machine += loads(*os.getloadavg())
    print(machine)
    workers = [Worker(name, args) for name in FRAMEWORKS if name in args.only.split(",")]      # they set up side by side
    times = {}
    try:
        for w in workers:
            try:
                line = w.ask()
            except RuntimeError as e:
                line = str(e)
            if line.startswith("ready"):
                w.allocator, times[w] = line[len("ready "):], []
            else:
                print(f"{w.label:22s} {line}")
        for _ in range(args.repeats):        # interleaved: one epoch of each per round
            for w in list(times):
                time.sleep(0.2)              # let the last framework's pools go idle
                try:
                    times[w].append(float(w.ask("epoch")))
                except (OSError, RuntimeError, ValueError) as e:
                    print(f"{w.label:22s} {e}")
                    del times[w]
        results = {w: args.samples / statistics.median(ts) for w, ts in times.items()}
        base = next((sps for w, sps in results.items() if w.name == "tapeflow"), None)
        print(f"\nMNIST convnet, batch {BATCH}, {args.samples} samples, median of {args.repeats}"
              f" ({'CPU' if args.cpu_time else 'wall'} time, BLAS threads: "
              f"{args.blas_threads or 'default'}), one worker process per framework")
        print(f"{machine}, after {loads(*os.getloadavg())}")
        for w, sps in results.items():
            ratio = f"{base / sps:5.2f}" if base else "  n/a"
            print(f"{w.label:22s} {sps:9.0f} samples/s   tapeflow/this = {ratio}"
                  f"   malloc: {w.allocator}")
        tapeflow = [w for w in times if w.name == "tapeflow"]
        if args.ops and tapeflow:
            print(f"\nPer op, in the tapeflow worker (malloc: {tapeflow[0].allocator}):")
            line = tapeflow[0].ask("ops")
            while line != "done":
                print(line)
                line = tapeflow[0].ask()
    finally:
        for w in workers:
            w.close()


def main():
    """Parses the flags; runs the benchmark, or one worker with ``--worker``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--samples", type=int, default=2048)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="BLAS threads, set before NumPy loads (default: BLAS's own)")
    parser.add_argument("--cpu-time", action="store_true",
                        help="time with each worker's process CPU time, not the wall clock")
    parser.add_argument("--ops", action="store_true", help="tapeflow's per-op kernel times")
    parser.add_argument("--same-allocator", action="store_true",
                        help="every worker calls tapeflow.backend.tune_malloc() first")
    parser.add_argument("--only", default=",".join(FRAMEWORKS),
                        help="comma-separated workers to run (default: all)")
    parser.add_argument("--worker", choices=FRAMEWORKS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    (worker if args.worker else run)(args)


if __name__ == "__main__":
    main()
