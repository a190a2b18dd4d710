import timeit, numpy as np
import tapeflow as tf
from tapeflow import keras
ops = keras.ops
x = tf.constant(np.ones((4,), "float32")); m = tf.constant(np.ones((8, 8), "float32"))
cases = [("add", lambda: ops.add(x, x), lambda: tf.add(x, x)),
         ("multiply", lambda: ops.multiply(x, x), lambda: tf.multiply(x, x)),
         ("exp", lambda: ops.exp(x), lambda: tf.exp(x)),
         ("matmul", lambda: ops.matmul(m, m), lambda: tf.matmul(m, m)),
         ("sum", lambda: ops.sum(m, axis=0), lambda: tf.reduce_sum(m, axis=0)),
         ("mean", lambda: ops.mean(m), lambda: tf.reduce_mean(m)),
         ("reshape", lambda: ops.reshape(m, (4, 16)), lambda: tf.reshape(m, (4, 16))),
         ("relu", lambda: ops.relu(m), lambda: tf.nn.relu(m)),
         ("softmax", lambda: ops.softmax(m), lambda: tf.nn.softmax(m)),
         ("transpose", lambda: ops.transpose(m), lambda: tf.transpose(m))]
for name, a, b in cases:
    ta = tb = 1e9
    for _ in range(15):  # interleaved, best of 15: the machine is shared
        ta = min(ta, timeit.timeit(a, number=2000) / 2000 * 1e6)
        tb = min(tb, timeit.timeit(b, number=2000) / 2000 * 1e6)
    print(f"{name:10s} keras.ops {ta:6.2f} us   tf {tb:6.2f} us   ratio {ta/tb:.2f}")
