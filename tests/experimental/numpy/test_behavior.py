"""experimental_enable_numpy_behavior changes the process for good: checked in a subprocess."""
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import numpy as np
    import tapeflow as tf
    tnp = tf.experimental.numpy
    i, f = tf.constant([1, 2]), tf.constant([1.0, 2.0])
    try:
        i + f
        raise SystemExit("promoted before enabling")
    except tf.errors.InvalidArgumentError:
        pass
    assert not hasattr(i, "T")
    tnp.experimental_enable_numpy_behavior()
    assert (i + f).dtype == tf.float64 and (i + 1.5).dtype == tf.float64
    assert (f + 1.5).dtype == tf.float32 and (i * 2).dtype == tf.int32
    assert (2.5 - i).numpy().tolist() == [1.5, 0.5]
    assert (tf.Variable([1, 2]) + f).dtype == tf.float64
    try:
        tf.add(i, f)
        raise SystemExit("tf.add promoted")
    except tf.errors.InvalidArgumentError:
        pass
    m = tf.constant([[1, 2], [3, 4]])
    assert m.T.numpy().tolist() == [[1, 3], [2, 4]]
    assert tf.constant([1, 2, 3, 4]).reshape(2, 2).shape.as_list() == [2, 2]
    assert tf.constant([1, 2, 3, 4]).reshape((2, 2), order="F").numpy().tolist() == \\
        [[1, 3], [2, 4]]
    assert m.ravel().shape.as_list() == [4] and m.flatten().shape.as_list() == [4]
    assert i.astype(np.float64).dtype == tf.float64 and i.clip(0, 1).numpy().tolist() == [1, 1]
    assert m.size == 4 and m.tolist() == [[1, 2], [3, 4]] and i.mean().dtype == tf.float64
    assert m.min(axis=1).numpy().tolist() == [1, 3] and i.max().numpy() == 2
    assert float(round(tf.constant(2.5))) == 2.0 and i.data is i
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = (x.reshape(2, 1).T * tf.constant([3], tf.int64)).sum() if False else \\
            tnp.sum(x.reshape(2, 1).T * tf.constant([3], tf.int64))
    assert tape.gradient(y, x).numpy().tolist() == [3.0, 3.0]
    assert m[[0, 1], [1, 0]].numpy().tolist() == [2, 3]
    assert m[:, [1, 0]].numpy().tolist() == [[2, 1], [4, 3]] and m[m > 1].shape == [3]
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x[:, [1, 1, 0]])
    assert tape.gradient(y, x).numpy().tolist() == [[1.0, 2.0], [1.0, 2.0]]
    try:
        i[[5]]
        raise SystemExit("out of range index accepted")
    except tf.errors.InvalidArgumentError:
        pass
    tnp.experimental_enable_numpy_behavior(prefer_float32=True)
    assert tnp.asarray(1.5).dtype == tf.float32 and tnp.ones(2).dtype == tf.float32
    print("OK")
""")


def test_numpy_behavior_in_a_fresh_process():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("OK"), proc.stderr[-3000:]
