"""Manual check: tapeflow on MPI against TensorFlow's own MultiWorkerMirroredStrategy.

Runs the same custom training loop (Keras loss under the strategy, Adam, `strategy.run`,
`strategy.reduce`, a distributed dataset) for a Dense model, a model with the plain
BatchNormalization and one with BatchNormalization(synchronized=True):

- on TensorFlow: two worker processes on this machine, TF_CONFIG with localhost ports;
- on tapeflow: `mpirun -np 2` with this interpreter (which needs mpi4py);

then compares each worker's losses and weights (moving statistics included).

    python tests/distribute/tf_multiworker_check.py --tf-python <python of a virtualenv with TensorFlow>

Not collected by pytest (it needs TensorFlow and MPI at once, and takes ~30 s).
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

import numpy as np

WORKER = r'''
import os, sys, json
lib, out = sys.argv[1], sys.argv[2]
if lib == "tf":
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tensorflow as tf, keras
else:
    import tapeflow as tf
    from tapeflow import keras
import numpy as np
s = tf.distribute.MultiWorkerMirroredStrategy()
rank = s.cluster_resolver.task_id
x = np.linspace(-2, 3, 48, dtype=np.float32).reshape(16, 3); x[:, 1] **= 2
y = (x[:, :1] * 2 - x[:, 1:2] + 0.5).astype(np.float32)
res = {}
for name in ("dense", "bn", "bnsync"):
    with s.scope():
        layers = [keras.Input((3,))]
        if name != "dense":
            layers.append(keras.layers.BatchNormalization(
                momentum=0.5, synchronized=(name == "bnsync")))
        layers.append(keras.layers.Dense(1))
        m = keras.Sequential(layers)
        w = m.get_weights()
        w[-2] = np.array([[0.5], [-0.25], [0.1]], np.float32)
        w[-1] = np.array([0.1], np.float32)
        m.set_weights(w)
        opt = keras.optimizers.Adam(0.05)
        loss_fn = keras.losses.MeanSquaredError()
    ds = s.experimental_distribute_dataset(tf.data.Dataset.from_tensor_slices((x, y)).batch(8))
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, m(xb, training=True))
        g = tape.gradient(loss, m.trainable_variables)
        opt.apply_gradients(zip(g, m.trainable_variables))
        return loss
    run = lambda xb, yb: s.run(step, args=(xb, yb))
    if lib == "tf":
        run = tf.function(run)
    losses = []
    for _ in range(2):
        for xb, yb in ds:
            losses.append(float(s.reduce("SUM", run(xb, yb), axis=None)))
    res[name] = {"losses": losses, "w": [np.asarray(v).tolist() for v in m.get_weights()]}
json.dump(res, open(os.path.join(out, f"{lib}{rank}.json"), "w"))
'''


def _free_port():
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def _wait(procs, timeout):
    try:
        for p in procs:
            p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        for p in procs:
            os.killpg(p.pid, signal.SIGKILL)
        raise SystemExit(f"timed out after {timeout} s")
    for p in procs:
        if p.returncode != 0:
            raise SystemExit(p.stdout.read().decode() if p.stdout else "worker failed")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tf-python", required=True, help="an interpreter with TensorFlow")
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args()
    out = tempfile.mkdtemp()
    script = os.path.join(out, "worker.py")
    with open(script, "w") as f:
        f.write(WORKER)
    ports = [_free_port(), _free_port()]
    tf_procs = []
    for i in range(2):
        env = dict(os.environ, TF_CONFIG=json.dumps({
            "cluster": {"worker": [f"localhost:{p}" for p in ports]},
            "task": {"type": "worker", "index": i}}))
        tf_procs.append(subprocess.Popen([args.tf_python, script, "tf", out], env=env,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         start_new_session=True))
    _wait(tf_procs, args.timeout)
    env = dict(os.environ)
    env.pop("TF_CONFIG", None)
    mpirun = os.path.join(os.path.dirname(sys.executable), "mpirun")
    mpirun = mpirun if os.path.exists(mpirun) else shutil.which("mpirun")
    _wait([subprocess.Popen([mpirun, "-np", "2", sys.executable, script, "tapeflow", out],
                            env=env, start_new_session=True)], args.timeout)
    worst = 0.0
    for rank in (0, 1):
        a = json.load(open(os.path.join(out, f"tf{rank}.json")))
        b = json.load(open(os.path.join(out, f"tapeflow{rank}.json")))
        for case in a:
            diffs = [np.max(np.abs(np.array(a[case]["losses"]) - b[case]["losses"]))]
            diffs += [np.max(np.abs(np.array(u) - np.array(v)))
                      for u, v in zip(a[case]["w"], b[case]["w"])]
            worst = max(worst, max(diffs))
            print(f"worker {rank} {case:7s} max |TF - tapeflow| over losses and weights: "
                  f"{max(diffs):.2e}")
    shutil.rmtree(out, ignore_errors=True)
    if worst > 1e-5:
        raise SystemExit(f"mismatch: {worst:.2e}")


if __name__ == "__main__":
    main()
