"""Data-parallel scaling of ``fit`` on MPI: 1 process vs N processes, one BLAS thread each.

The MLP of ``bench_fit.py`` (Dense(512, relu) -> Dense(10, softmax), RMSprop, sparse CCE;
407,050 float32 weights = 1.63 MB of gradients per step) on MNIST-shaped random data,
under ``tf.distribute.MultiWorkerMirroredStrategy``. For each global batch size, the same
epoch runs on 1 process (the whole global batch) and on N processes (``mpirun -np N``,
each on 1/N of every global batch). Reported: samples/s, speed-up and parallel efficiency,
the share of each step spent in the collectives (the fused gradient all-reduce plus the
small all-reduce of the metric states; it includes waiting for the slower worker), and
the time of the gradient all-reduce alone (20 in a row, the workers in step). On a busy
machine wall-clock scaling mostly measures the scheduler (a synchronous step waits for
the worker that was descheduled), so the CPU time per step of the chief is reported too:
``CPU efficiency = cpu_step(1 process) / (N * cpu_step(N processes))`` estimates the
efficiency on idle cores (it counts the CPU the all-reduce's polling uses).

    python benchmarks/bench_distribute.py [--procs 2] [--samples 12800] [--batches 128 256]

Every launch has a timeout and its process group is killed when it runs over. Needs
mpi4py and mpirun (``pip install "tapeflow[mpi]"``).
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np

HIDDEN, CLASSES, FEATURES = 512, 10, 784
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def worker(samples, batch, epochs):
    """Runs in each process: one warm-up epoch, then times ``epochs`` epochs; prints JSON."""
    import tapeflow as tf
    from tapeflow import keras
    from tapeflow.keras import layers
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    world = strategy.extended.world
    rng = np.random.default_rng(0)
    x = rng.standard_normal((samples, FEATURES), dtype=np.float32)
    y = rng.integers(0, CLASSES, samples).astype(np.int32)
    with strategy.scope():
        model = keras.Sequential([keras.Input((FEATURES,)),
                                  layers.Dense(HIDDEN, activation="relu"),
                                  layers.Dense(CLASSES, activation="softmax")])
        model.compile(optimizer=keras.optimizers.RMSprop(),
                      loss="sparse_categorical_crossentropy")
    model.fit(x[:batch * 5], y[:batch * 5], batch_size=batch, epochs=1, verbose=0)  # warm-up
    # the all-reduce alone: the 1.63 MB gradient buffer, 20 times, workers in step
    grads = [np.ones(np.shape(v), np.float32) for v in model.trainable_variables]
    world.barrier()
    t0 = time.perf_counter()
    for _ in range(20):
        world.allreduce(grads)
    allreduce_ms = 1e3 * (time.perf_counter() - t0) / 20
    reduce_before = getattr(world, "allreduce_seconds", 0.0)
    start, cpu_start = time.perf_counter(), time.process_time()
    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, shuffle=True)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    reduce_seconds = getattr(world, "allreduce_seconds", 0.0) - reduce_before
    if world.rank == 0:
        steps = epochs * -(-samples // batch)
        print(json.dumps({"procs": world.size, "batch": batch, "seconds": seconds,
                          "samples_per_s": epochs * samples / seconds,
                          "allreduce_fraction": reduce_seconds / seconds,
                          "allreduce_ms": allreduce_ms if world.size > 1 else 0.0,
                          "step_ms": 1e3 * seconds / steps,
                          "cpu_step_ms": 1e3 * cpu_seconds / steps}), flush=True)


def _mpirun():
    local = os.path.join(os.path.dirname(sys.executable), "mpirun")
    return local if os.path.exists(local) else shutil.which("mpirun")


def launch(procs, samples, batch, epochs, timeout):
    """Runs one measurement; returns the chief's JSON result."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--samples", str(samples),
           "--batch", str(batch), "--epochs", str(epochs)]
    if procs > 1:
        cmd = [_mpirun(), "-np", str(procs)] + cmd
    env = dict(os.environ, **{v: "1" for v in THREAD_VARS})
    env.pop("TF_CONFIG", None)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise SystemExit(f"timed out after {timeout} s: {' '.join(cmd)}")
    text = out.decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{text}")
    return json.loads([line for line in text.splitlines() if line.startswith("{")][-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--procs", type=int, default=2)
    p.add_argument("--samples", type=int, default=12800)
    p.add_argument("--batches", type=int, nargs="+", default=[128, 256])
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--timeout", type=int, default=300)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--batch", type=int, default=128, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        return worker(args.samples, args.batch, args.epochs)
    if _mpirun() is None:
        raise SystemExit("no mpirun found: pip install \"tapeflow[mpi]\"")
    print(f"MLP {FEATURES}-{HIDDEN}-{CLASSES}, RMSprop, {args.samples} samples x "
          f"{args.epochs} epoch(s), one BLAS thread per process, os.cpu_count()="
          f"{os.cpu_count()}")
    print(f"{'global batch':>12} {'procs':>5} {'samples/s':>10} {'step ms':>8} "
          f"{'speed-up':>8} {'efficiency':>10} {'collectives':>11} {'all-reduce alone':>16} "
          f"{'CPU ms/step':>11} {'CPU efficiency':>14}")
    for batch in args.batches:
        base = base_cpu = None
        for procs in (1, args.procs):
            r = launch(procs, args.samples, batch, args.epochs, args.timeout)
            base = base or r["samples_per_s"]
            base_cpu = base_cpu or r["cpu_step_ms"]
            speedup = r["samples_per_s"] / base
            print(f"{batch:>12} {procs:>5} {r['samples_per_s']:>10,.0f} {r['step_ms']:>8.1f} "
                  f"{speedup:>7.2f}x {speedup / procs:>10.0%} "
                  f"{r['allreduce_fraction']:>11.1%} {r['allreduce_ms']:>13.2f} ms "
                  f"{r['cpu_step_ms']:>11.1f} {base_cpu / (procs * r['cpu_step_ms']):>14.0%}",
                  flush=True)


if __name__ == "__main__":
    main()
