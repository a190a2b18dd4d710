"""Transformer encoder text classifier benchmark (issue 18; the book's chapter 11 model):
Embedding(20000, 256) -> TransformerEncoder(embed 256, 2 heads, dense 32) ->
GlobalMaxPooling1D -> Dropout(0.5) -> Dense(1, sigmoid), sequences of 200, batch 32, RMSprop,
binary cross-entropy.

Prints training samples/s, median over alternating rounds:

* tapeflow with the fused attention op (``ops.attention_ops``) and with the op-by-op
  einsum/softmax path (``tapeflow.keras.layers.attention.FUSED = False``), same process;
* a hand-written NumPy floor of the same training step (forward + backward, plain SGD);
* Keras on TensorFlow when importable (run this file with the parity virtualenv's python);
* PyTorch: reported as absent unless importable (not benchmarked here).

    PYTHONPATH=$PWD/src $PARITY_PYTHON benchmarks/bench_transformer.py [--threads 2]

One thread by default (OPENBLAS_NUM_THREADS / OMP_NUM_THREADS and TF's thread pools).
With one thread the clock is CPU time (``time.process_time``: a loaded, shared machine
distorts it less); with more, wall time (idle BLAS threads would count in CPU time).
"""
import argparse
import os
import statistics
import sys
import time

VOCAB, EMBED, HEADS, DENSE, STEPS, BATCH = 20000, 256, 2, 32, 200, 32


def _args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=2, help="training steps per round")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-tf", action="store_true")
    ap.add_argument("--no-floor", action="store_true")
    return ap.parse_args()


ARGS = _args()
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, str(ARGS.threads))
for _v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):   # the same BLAS setup for every peer
    os.environ.pop(_v, None)

import numpy as np  # noqa: E402  (after the thread settings)

CLOCK = time.process_time if ARGS.threads == 1 else time.perf_counter


def make_data():
    rng = np.random.default_rng(0)
    x = rng.integers(1, VOCAB, (BATCH, STEPS)).astype(np.int32)
    y = rng.integers(0, 2, (BATCH, 1)).astype(np.float32)
    return x, y


def timed(step, n):
    step()  # warm-up (builds, first allocation)
    t0 = CLOCK()
    for _ in range(n):
        step()
    return BATCH * n / (CLOCK() - t0)


def build_model(keras):
    """The book's encoder, written once for either Keras (tapeflow's or the real one)."""
    layers = keras.layers

    class TransformerEncoder(layers.Layer):
        def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
            super().__init__(**kwargs)
            self.attention = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.dense_proj = keras.Sequential([layers.Dense(dense_dim, activation="relu"),
                                                layers.Dense(embed_dim)])
            self.layernorm_1 = layers.LayerNormalization()
            self.layernorm_2 = layers.LayerNormalization()

        def call(self, inputs):
            attention_output = self.attention(inputs, inputs)
            proj_input = self.layernorm_1(inputs + attention_output)
            proj_output = self.dense_proj(proj_input)
            return self.layernorm_2(proj_input + proj_output)

    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(VOCAB, EMBED)(inputs)
    x = TransformerEncoder(EMBED, DENSE, HEADS)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    return model


def tapeflow_step(x, y):
    from tapeflow import keras
    model = build_model(keras)
    return lambda: model.train_on_batch(x, y)


def set_fused(flag):
    from tapeflow.keras.layers import attention
    attention.FUSED = flag


def tensorflow_step(x, y):
    import tensorflow as tf  # the real one (tapeflow is imported as tapeflow)
    tf.config.threading.set_intra_op_parallelism_threads(ARGS.threads)
    tf.config.threading.set_inter_op_parallelism_threads(ARGS.threads)
    import keras
    model = build_model(keras)
    return lambda: model.train_on_batch(x, y)


# -- NumPy floor ---------------------------------------------------------------------------
def numpy_step(x, y):
    """The same model's training step by hand (no dropout mask reuse, plain SGD)."""
    rng = np.random.default_rng(0)
    f32 = np.float32
    E, H, D, N = EMBED, EMBED, DENSE, HEADS
    w = {"emb": rng.standard_normal((VOCAB, E), dtype=f32) * f32(0.05)}
    for name, shape in (("wq", (E, N * H)), ("wk", (E, N * H)), ("wv", (E, N * H)),
                        ("wo", (N * H, E)), ("w1", (E, D)), ("w2", (D, E)), ("wd", (E, 1))):
        w[name] = rng.standard_normal(shape, dtype=f32) * f32(0.05)
    for name, size in (("bq", N * H), ("bk", N * H), ("bv", N * H), ("bo", E), ("b1", D),
                       ("b2", E), ("bd", 1)):
        w[name] = np.zeros(size, f32)
    for i in (1, 2):
        w[f"g{i}"], w[f"be{i}"] = np.ones(E, f32), np.zeros(E, f32)
    lr, eps, scale = f32(0.01), f32(1e-3), f32(1 / np.sqrt(H))

    def ln(a, g, b):
        mu = a.mean(-1, keepdims=True)
        xc = a - mu
        inv = 1 / np.sqrt((xc * xc).mean(-1, keepdims=True) + eps)
        xh = xc * inv
        return xh * g + b, (xh, inv)

    def ln_back(dout, g, cache):
        xh, inv = cache
        dg, db = (dout * xh).sum((0, 1)), dout.sum((0, 1))
        dxh = dout * g
        dx = inv * (dxh - dxh.mean(-1, keepdims=True) - xh * (dxh * xh).mean(-1, keepdims=True))
        return dx, dg, db

    def step():
        B, T = x.shape
        e = w["emb"][x]                                      # (B, T, E)
        flat = e.reshape(-1, E)
        q = (flat @ w["wq"] + w["bq"]).reshape(B, T, N, H).transpose(0, 2, 1, 3)
        k = (flat @ w["wk"] + w["bk"]).reshape(B, T, N, H).transpose(0, 2, 1, 3)
        v = (flat @ w["wv"] + w["bv"]).reshape(B, T, N, H).transpose(0, 2, 1, 3)
        s = (q @ k.transpose(0, 1, 3, 2)) * scale
        s -= s.max(-1, keepdims=True)
        np.exp(s, out=s)
        s /= s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(0, 2, 1, 3).reshape(-1, N * H)
        att = ctx @ w["wo"] + w["bo"]
        h1, c1 = ln(e + att.reshape(B, T, E), w["g1"], w["be1"])
        a1 = np.maximum(h1.reshape(-1, E) @ w["w1"] + w["b1"], 0)
        h2, c2 = ln(h1 + (a1 @ w["w2"] + w["b2"]).reshape(B, T, E), w["g2"], w["be2"])
        idx = h2.argmax(1)                                   # global max pool
        pooled = np.take_along_axis(h2, idx[:, None, :], 1)[:, 0]
        keep = (rng.random(pooled.shape) >= 0.5).astype(f32) * f32(2)
        dropped = pooled * keep
        prob = 1 / (1 + np.exp(-(dropped @ w["wd"] + w["bd"])))
        dl = (prob - y) / B
        grads = {"wd": dropped.T @ dl, "bd": dl.sum(0)}
        dpool = (dl @ w["wd"].T) * keep
        dh2 = np.zeros_like(h2)
        np.put_along_axis(dh2, idx[:, None, :], dpool[:, None, :], 1)
        dz2, grads["g2"], grads["be2"] = ln_back(dh2, w["g2"], c2)
        dz2f = dz2.reshape(-1, E)
        grads["w2"], grads["b2"] = a1.T @ dz2f, dz2f.sum(0)
        da1 = (dz2f @ w["w2"].T) * (a1 > 0)
        grads["w1"], grads["b1"] = h1.reshape(-1, E).T @ da1, da1.sum(0)
        dh1 = dz2 + (da1 @ w["w1"].T).reshape(B, T, E)
        dz1, grads["g1"], grads["be1"] = ln_back(dh1, w["g1"], c1)
        dz1f = dz1.reshape(-1, E)
        grads["wo"], grads["bo"] = ctx.T @ dz1f, dz1f.sum(0)
        dctx = (dz1f @ w["wo"].T).reshape(B, T, N, H).transpose(0, 2, 1, 3)
        dv = s.transpose(0, 1, 3, 2) @ dctx
        dp = dctx @ v.transpose(0, 1, 3, 2)
        dp -= (dp * s).sum(-1, keepdims=True)
        dp *= s
        dp *= scale
        dq, dk = dp @ k, dp.transpose(0, 1, 3, 2) @ q
        de = dz1f.copy()
        for name, d in (("q", dq), ("k", dk), ("v", dv)):
            df = d.transpose(0, 2, 1, 3).reshape(-1, N * H)
            grads["w" + name], grads["b" + name] = flat.T @ df, df.sum(0)
            de += df @ w["w" + name].T
        for name, g in grads.items():
            w[name] -= lr * g
        np.subtract.at(w["emb"], x.reshape(-1), lr * de)
    return step


def main():
    x, y = make_data()
    runs = {"tapeflow fused": [], "tapeflow unfused": []}
    tf_step = None
    if not ARGS.no_tf:
        try:
            tf_step = tensorflow_step(x, y)
            runs["Keras on TensorFlow"] = []
        except ImportError as e:
            print(f"Keras on TensorFlow: not importable here ({e})")
    try:
        import torch  # noqa: F401
        print("PyTorch is importable but not benchmarked here")
    except ImportError:
        print("PyTorch: not installed (no PyTorch column)")
    tapeflow = tapeflow_step(x, y)
    floor = None if ARGS.no_floor else numpy_step(x, y)
    if floor is not None:
        runs["NumPy floor (SGD)"] = []
    for _ in range(ARGS.rounds):
        set_fused(True)
        runs["tapeflow fused"].append(timed(tapeflow, ARGS.steps))
        set_fused(False)
        runs["tapeflow unfused"].append(timed(tapeflow, ARGS.steps))
        set_fused(True)
        if floor is not None:
            runs["NumPy floor (SGD)"].append(timed(floor, ARGS.steps))
        if tf_step is not None:
            runs["Keras on TensorFlow"].append(timed(tf_step, ARGS.steps))
    clock = "CPU-time" if ARGS.threads == 1 else "wall-time"
    print(f"Transformer encoder classifier, batch {BATCH}, sequences {STEPS}, embed {EMBED}, "
          f"{HEADS} heads, dense {DENSE}, {ARGS.threads} thread(s), {clock} samples/s, "
          f"median of {ARGS.rounds} rounds x {ARGS.steps} steps:")
    base = statistics.median(runs["tapeflow fused"])
    for name, v in runs.items():
        med = statistics.median(v)
        print(f"  {name:24s} {med:9.1f} samples/s   (tapeflow fused / this: {base / med:.2f}x)"
              f"   runs: {', '.join(f'{s:.0f}' for s in v)}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
