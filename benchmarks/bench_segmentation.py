"""A chapter-9-style segmentation model: training samples per second, side by side.

    PYTHONPATH=$PWD/src $PARITY_PYTHON benchmarks/bench_segmentation.py \\
        [--threads 1] [--size 64] [--batch 16] [--samples 64] [--rounds 3] [--wall]

The book's chapter-9 model (Oxford pets segmentation): Rescaling, then three downsampling
stages Conv2D(64/128/256, 3, strides=2) + Conv2D(same, 3), then Conv2DTranspose(256, 256,
128, 128, 64, 64; 3; strides 1, 2 alternating), then Conv2D(3, 3, softmax); all "same"
padding and relu; RMSprop, sparse categorical crossentropy over every pixel. Images are
``--size`` square RGB (200 in the book; 64 by default here so a round takes seconds).

Each framework runs in its own worker process (tapeflow, Keras on TensorFlow when
importable, skipped with a note otherwise; PyTorch is not measured here). Both use
``--threads`` threads (OpenBLAS / OMP for tapeflow, TensorFlow's intra- and inter-op pools);
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the workers' environment. Epochs are
interleaved (one of each framework per round) and timed with the worker's process CPU time
(``--wall`` for the wall clock); the table gives medians and the ratio tapeflow/TF.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

FRAMEWORKS = ("tapeflow", "keras-tf")


def build(keras, layers, size):
    """Returns the compiled chapter-9 model for ``size`` x ``size`` x 3 images, 3 classes."""
    inputs = keras.Input(shape=(size, size, 3))
    x = layers.Rescaling(1.0 / 255)(inputs)
    for filters in (64, 128, 256):
        x = layers.Conv2D(filters, 3, strides=2, activation="relu", padding="same")(x)
        x = layers.Conv2D(filters, 3, activation="relu", padding="same")(x)
    for filters in (256, 128, 64):
        x = layers.Conv2DTranspose(filters, 3, activation="relu", padding="same")(x)
        x = layers.Conv2DTranspose(filters, 3, activation="relu", padding="same",
                                   strides=2)(x)
    outputs = layers.Conv2D(3, 3, activation="softmax", padding="same")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    return model


def worker(args):
    """Builds one framework's model, then runs an epoch per ``epoch`` line on stdin."""
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    import numpy as np
    try:
        if args.worker == "tapeflow":
            from tapeflow import keras
            from tapeflow.keras import layers
        else:
            import tensorflow as tf
            tf.config.threading.set_intra_op_parallelism_threads(args.threads)
            tf.config.threading.set_inter_op_parallelism_threads(args.threads)
            from tensorflow import keras
            from tensorflow.keras import layers
    except ImportError as e:
        proto.write(f"skipped: {e}\n")
        return
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (args.samples, args.size, args.size, 3)).astype(np.float32)
    y = rng.integers(0, 3, (args.samples, args.size, args.size, 1)).astype(np.int64)
    model = build(keras, layers, args.size)
    # warm-up: 10 steps (tapeflow's convolutions measure their algorithms on a shape's first
    # calls, three per candidate; see ops/conv_algos.py)
    for _ in range(-(-10 * args.batch // args.samples)):
        model.fit(x, y, batch_size=args.batch, epochs=1, verbose=0, shuffle=False)
    clock = time.perf_counter if args.wall else time.process_time
    proto.write("ready\n")
    for command in iter(sys.stdin.readline, ""):
        if command != "epoch\n":
            break
        t = clock()
        model.fit(x, y, batch_size=args.batch, epochs=1, verbose=0, shuffle=False)
        proto.write(f"{clock() - t!r}\n")


def main():
    """Runs the workers side by side (or one worker with ``--worker``)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--samples", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--wall", action="store_true", help="wall clock instead of CPU time")
    ap.add_argument("--worker", choices=FRAMEWORKS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(var, None)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(args.threads)
    flags = ["--threads", str(args.threads), "--size", str(args.size), "--batch",
             str(args.batch), "--samples", str(args.samples)] + ["--wall"] * args.wall
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    procs = {name: subprocess.Popen([sys.executable, __file__, "--worker", name] + flags,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                    env=env) for name in FRAMEWORKS}
    times = {}
    for name, p in procs.items():
        line = p.stdout.readline().strip()
        if line == "ready":
            times[name] = []
        else:
            print(f"{name:10s} {line or 'failed'}")
    for _ in range(args.rounds):
        for name in times:
            time.sleep(0.2)
            procs[name].stdin.write("epoch\n")
            procs[name].stdin.flush()
            times[name].append(float(procs[name].stdout.readline()))
    for p in procs.values():
        try:
            p.stdin.close()
        except OSError:
            pass
        p.wait()
    print(f"segmentation model, {args.size}x{args.size}x3, batch {args.batch}, "
          f"{args.samples} samples, {args.threads} thread(s), median of {args.rounds} "
          f"({'wall' if args.wall else 'CPU'} time); load after {os.getloadavg()[0]:.2f}")
    sps = {n: args.samples / statistics.median(ts) for n, ts in times.items()}
    for n, v in sps.items():
        print(f"{n:10s} {v:8.1f} samples/s  epochs {[round(t, 2) for t in times[n]]}")
    if len(sps) == 2:
        print(f"tapeflow / keras-tf = {sps['tapeflow'] / sps['keras-tf']:.2f}")


if __name__ == "__main__":
    main()
