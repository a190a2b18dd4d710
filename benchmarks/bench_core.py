"""Core engine benchmark: tapeflow side by side with TensorFlow, PyTorch and NumPy.

    python benchmarks/bench_core.py [--repeats 7] [--only a,b,c,d,e]

Each case runs in a fresh subprocess (so one case's warm caches or imports do
not help another) and reports the median of several repeats:

  a  chain of 1,000 scalar multiply-adds under a tape, plus its gradient
     (reported per multiply-add pair and per op)
  b  one full-batch training step of the seed chapter's linear classifier
     (2,000 x 2 inputs, GradientTape, matmul + bias, MSE, assign_sub)
  c  the same step hand-written in NumPy: the floor
  d  one elementwise op (multiply of two 4-element float32 tensors), no tape
  e  ``import <framework>`` time, in a fresh interpreter each repeat

Frameworks that are not importable are skipped with a printed note.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = "abcde"
FRAMEWORKS = ("tapeflow", "tensorflow", "torch", "numpy")
CHAIN = 1000


# -- the cases, run inside the child process -----------------------------------

# BENCH_CLOCK=process measures CPU time instead of wall time (steadier on a busy machine).
_clock = time.process_time if os.environ.get("BENCH_CLOCK") == "process" else time.perf_counter


def _timeit(fn, repeats, number):
    """Returns the median over ``repeats`` of the seconds per call of ``fn``."""
    fn()  # warm up
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


def case_tf_like(tf, case, repeats):
    """Cases a, b, d for a module with TensorFlow's API (tapeflow or tensorflow)."""
    import numpy as np
    if case == "a":
        x = tf.constant(1.0)

        def chain():
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = x
                for _ in range(CHAIN):
                    y = y * 1.0001 + 0.0001
            return tape.gradient(y, x)
        return _timeit(chain, repeats, 1) / CHAIN
    if case == "b":
        x, y, w0 = _data(np)
        inputs, targets = tf.constant(x), tf.constant(y)
        W = tf.Variable(w0)
        b = tf.Variable(tf.zeros(shape=(1,)))

        def step():
            with tf.GradientTape() as tape:
                predictions = tf.matmul(inputs, W) + b
                loss = tf.reduce_mean(tf.square(targets - predictions))
            dw, db = tape.gradient(loss, [W, b])
            W.assign_sub(0.1 * dw)
            b.assign_sub(0.1 * db)
            return loss
        return _timeit(step, repeats, 20)
    if case == "d":
        p = tf.constant(np.arange(4, dtype=np.float32))
        q = tf.constant(np.ones(4, dtype=np.float32))
        mul = tf.multiply

        def op():
            for _ in range(100):
                mul(p, q)
        return _timeit(op, repeats, 100) / 100
    raise KeyError(case)


def case_torch(case, repeats):
    import numpy as np
    import torch
    torch.set_num_threads(1)
    if case == "a":
        x = torch.tensor(1.0, requires_grad=True)

        def chain():
            y = x
            for _ in range(CHAIN):
                y = y * 1.0001 + 0.0001
            return torch.autograd.grad(y, x)
        return _timeit(chain, repeats, 1) / CHAIN
    if case == "b":
        xs, ys, w0 = _data(np)
        inputs, targets = torch.from_numpy(xs), torch.from_numpy(ys)
        W = torch.tensor(w0, requires_grad=True)
        b = torch.zeros(1, requires_grad=True)

        def step():
            loss = ((targets - (inputs @ W + b)) ** 2).mean()
            dw, db = torch.autograd.grad(loss, [W, b])
            with torch.no_grad():
                W.sub_(0.1 * dw)
                b.sub_(0.1 * db)
            return loss
        return _timeit(step, repeats, 20)
    if case == "d":
        p = torch.arange(4, dtype=torch.float32)
        q = torch.ones(4)

        def op():
            for _ in range(100):
                torch.mul(p, q)
        return _timeit(op, repeats, 100) / 100
    raise KeyError(case)


def case_numpy(case, repeats):
    import numpy as np
    if case in "bc":
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
        return _timeit(step, repeats, 20)
    if case == "d":
        p = np.arange(4, dtype=np.float32)
        q = np.ones(4, dtype=np.float32)

        def op():
            for _ in range(100):
                np.multiply(p, q)
        return _timeit(op, repeats, 100) / 100
    raise KeyError(case)


def child(framework, case, repeats):
    """Runs one case for one framework; prints ``{"seconds": ...}`` as JSON."""
    if case == "e":
        t0 = time.perf_counter()
        __import__(framework)
        print(json.dumps({"seconds": time.perf_counter() - t0}))
        return
    if framework == "numpy":
        s = case_numpy(case, repeats)
    elif framework == "torch":
        s = case_torch(case, repeats)
    else:
        s = case_tf_like(__import__(framework), case, repeats)
    print(json.dumps({"seconds": s}))


# -- the driver --------------------------------------------------------------------

def _available(framework):
    r = subprocess.run([sys.executable, "-c", f"import {framework}"], capture_output=True)
    return r.returncode == 0


def _run_child(framework, case, repeats):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [sys.executable, os.path.abspath(__file__), "--child", framework, case,
           "--repeats", str(repeats)]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        return None, r.stderr.strip().splitlines()[-1:] or ["failed"]
    return json.loads(r.stdout.strip().splitlines()[-1])["seconds"], None


def _which(case):
    if case == "c":
        return ("numpy",)
    if case == "e":
        return ("tapeflow", "tensorflow", "torch", "numpy")
    if case == "b":
        return ("tapeflow", "tensorflow", "torch")
    if case == "d":
        return ("tapeflow", "tensorflow", "torch", "numpy")
    return ("tapeflow", "tensorflow", "torch")


TITLES = {
    "a": "a  chain of 1,000 scalar multiply-adds + gradient (per multiply-add pair)",
    "b": "b  linear-classifier training step (2,000 x 2, full batch)",
    "c": "c  the same step in plain NumPy (the floor)",
    "d": "d  one op, no tape (multiply, 4 elements)",
    "e": "e  import time",
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--only", default=CASES)
    p.add_argument("--child", nargs=2, metavar=("FRAMEWORK", "CASE"))
    args = p.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], args.repeats)
        return
    present = {f: _available(f) for f in FRAMEWORKS}
    for f, ok in present.items():
        if not ok:
            print(f"note: {f} is not importable here; its columns are skipped")
    results = {}
    for case in args.only.replace(",", ""):
        print(TITLES[case])
        for f in _which(case):
            if not present[f]:
                continue
            if case == "e":
                runs = [_run_child(f, "e", 1)[0] for _ in range(args.repeats)]
                runs = [r for r in runs if r is not None]
                s = statistics.median(runs) if runs else None
                err = None if runs else ["failed"]
            else:
                s, err = _run_child(f, case, args.repeats)
            if s is None:
                print(f"   {f:<11} failed: {err[0]}")
                continue
            results[(case, f)] = s
            extra = f"   ({s / 2 * 1e6:8.2f} us per op)" if case == "a" else ""
            unit = (f"{s * 1e3:9.2f} ms" if case == "e" else f"{s * 1e6:9.2f} us")
            print(f"   {f:<11} {unit}{extra}")
    print("ratios (tapeflow / other)")
    for case in args.only.replace(",", ""):
        tf_s = results.get((case, "tapeflow"))
        if tf_s is None:
            continue
        for f in ("tensorflow", "torch", "numpy"):
            o = results.get((case, f)) or (results.get(("c", "numpy")) if case == "b" and
                                          f == "numpy" else None)
            if o:
                print(f"   {case}: tapeflow / {f:<10} = {tf_s / o:6.2f}x")


if __name__ == "__main__":
    main()
