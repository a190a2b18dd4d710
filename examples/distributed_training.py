"""Data-parallel training on several processes with MultiWorkerMirroredStrategy.

The code is TensorFlow's multi-worker Keras recipe: build and compile the model inside
``strategy.scope()``, give ``fit`` the *global* batch size, and let the chief write the
checkpoints. Launch one process per worker with MPI (``pip install "tapeflow[mpi]"``):

    mpirun -np 2 python examples/distributed_training.py
    python examples/distributed_training.py            # one worker: the same numbers

Each worker trains on its half of every global batch; the gradients are summed over
the workers in one all-reduce per step, so the run ends with the weights one process
would reach on the whole batches. Every worker prints the same (global) loss and
accuracy. Kill a worker and the others stop with a DeadlineExceededError after
TAPEFLOW_COLLECTIVE_TIMEOUT seconds; relaunch and BackupAndRestore resumes the run.
"""
import os
import tempfile

import numpy as np

import tapeflow as tf
from tapeflow import keras

GLOBAL_BATCH = 128


def make_data(samples=4096, seed=0):
    """Returns MNIST-shaped random inputs (float32, (samples, 784)) and labels 0-9 that a
    linear rule of the inputs decides, so there is something to learn."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, 784), dtype=np.float32)
    w = rng.standard_normal((784, 10), dtype=np.float32)
    return x, np.argmax(x @ w, axis=1).astype(np.int64)


def main():
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    worker = strategy.cluster_resolver.task_id or 0   # None without a cluster, as in TF
    print(f"worker {worker} of {strategy.num_replicas_in_sync} replicas")
    x, y = make_data()
    keras.utils.set_random_seed(0)
    with strategy.scope():
        model = keras.Sequential([keras.Input((784,)),
                                  keras.layers.Dense(512, activation="relu"),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    backup = os.path.join(tempfile.gettempdir(), "tapeflow-distributed-example")
    verbose = 2 if strategy.extended.should_checkpoint else 0   # the chief prints
    model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=3, validation_split=0.1, verbose=verbose,
              callbacks=[keras.callbacks.BackupAndRestore(backup)])
    loss, accuracy = model.evaluate(x, y, batch_size=GLOBAL_BATCH, verbose=0)
    print(f"worker {worker}: loss {loss:.4f}, accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
