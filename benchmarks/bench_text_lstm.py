"""LSTM text classifier benchmark named in issue 18: Embedding(20000, 256) ->
Bidirectional(LSTM(32)) -> Dense(1, sigmoid), sequences of 200, batch 32, Adam.

The model, the NumPy floor and the Keras-on-TensorFlow runner are ``bench_rnn.py``'s (LSTM);
this entry point adds what peer comparisons need: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
removed from the environment (the same BLAS setup for every peer), a PyTorch line, and a
wall clock with more than one thread (CPU time would count idle BLAS threads).

    PYTHONPATH=$PWD/src $PARITY_PYTHON benchmarks/bench_text_lstm.py [--threads 2]

Takes bench_rnn.py's options (``--rounds``, ``--steps``, ``--threads``, ``--no-tf``).
"""
import os
import sys
import time

for _v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(_v, None)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if "--layer" not in sys.argv:
    sys.argv += ["--layer", "LSTM"]

import bench_rnn  # noqa: E402  (parses the options and sets the thread variables)


def _timed_wall(step, n):
    step()  # warm-up
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return bench_rnn.BATCH * n / (time.perf_counter() - t0)


if __name__ == "__main__":
    try:
        import torch  # noqa: F401
        print("PyTorch is importable but not benchmarked here")
    except ImportError:
        print("PyTorch: not installed (no PyTorch column)")
    if bench_rnn.ARGS.threads > 1:
        bench_rnn.timed = _timed_wall
        print("clock: wall time (more than one thread)")
    else:
        print("clock: CPU time (one thread)")
    bench_rnn.main()
