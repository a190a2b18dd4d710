"""One worker of the MPI tests (run by tests/distribute/test_mpi.py, under `mpirun -np 2`
or alone as the one-process reference).

    python mpi_worker.py SCENARIO OUT_DIR

Scenarios:
  train    several trainings (SGD, Adam, BatchNormalization, a custom loop, checkpoint
           callbacks); writes OUT_DIR/rank<r>.npz with the final weights and logs.
  hang     worker 1 stops answering after a few steps; worker 0 must time out.
  die      worker 1 exits after a few steps.
  raise    worker 1 ends with an uncaught exception after a few steps.
  backup   fit with BackupAndRestore; with INTERRUPT=1 in the environment the job
           stops at epoch 2 (a relaunch must resume there).
"""
import json
import os
import sys
import time

import numpy as np

import tapeflow as tf
from tapeflow import keras

GLOBAL_BATCH = 16


def data(n=64, features=8, classes=3, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    x[:, 0] += 3.0      # a non-zero mean for BatchNormalization to track
    y = rng.integers(0, classes, size=(n,)).astype("int64")
    return x, y


def mlp(optimizer, bn=None, seed=0):
    keras.utils.set_random_seed(seed + 10 * tf.distribute.get_strategy().extended.world.rank)
    layers = [keras.Input((8,))]
    if bn is not None:
        layers.append(keras.layers.BatchNormalization(momentum=0.8, synchronized=bn))
    layers += [keras.layers.Dense(16, activation="relu"), keras.layers.Dense(3)]
    model = keras.Sequential(layers)
    model.compile(optimizer=optimizer,
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def weights(model):
    return [np.asarray(w) for w in model.weights]


def train(strategy, out):
    x, y = data()
    results = {}
    with strategy.scope():
        for name, opt, bn in (("sgd", lambda: keras.optimizers.SGD(0.1), None),
                              ("adam", lambda: keras.optimizers.Adam(0.01), None),
                              ("bnsync", lambda: keras.optimizers.SGD(0.1), True),
                              ("bnlocal", lambda: keras.optimizers.SGD(0.1), False)):
            model = mlp(opt(), bn)
            hist = model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=2, shuffle=False, verbose=0)
            for i, w in enumerate(weights(model)):
                results[f"{name}/w{i}"] = w
            for k, v in hist.history.items():
                results[f"{name}/log_{k}"] = np.asarray(v)
            ev = model.evaluate(x, y, batch_size=GLOBAL_BATCH, verbose=0, return_dict=True)
            results[f"{name}/eval"] = np.asarray([ev["loss"], ev["accuracy"]])
    # a tf.data dataset of global batches given to fit (DATA auto-sharding)
    with strategy.scope():
        model = mlp(keras.optimizers.Adam(0.01))
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH)
    hist = model.fit(ds, epochs=2, verbose=0, validation_data=ds)
    for i, w in enumerate(weights(model)):
        results[f"dataset/w{i}"] = w
    results["dataset/log_val_loss"] = np.asarray(hist.history["val_loss"])
    # shuffled arrays: every worker shuffles as one process would (worker 0's RNG state)
    with strategy.scope():
        model = mlp(keras.optimizers.SGD(0.1))
    np.random.seed(5)
    model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=2, shuffle=True, verbose=0)
    for i, w in enumerate(weights(model)):
        results[f"shuffled/w{i}"] = w
    results["shuffled/next_draw"] = np.asarray(np.random.randint(0, 2 ** 31))
    # a model with its own train_step reporting {m.name: m.result()}: global figures too
    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(3)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.acc = keras.metrics.SparseCategoricalAccuracy(name="acc")

        def call(self, inputs):
            return self.dense(inputs)

        def train_step(self, data):
            xb, yb = data
            with tf.GradientTape() as tape:
                logits = self(xb, training=True)
                loss = self.compute_loss(y=yb, y_pred=logits)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            self.loss_tracker.update_state(loss * strategy.num_replicas_in_sync)
            self.acc.update_state(yb, logits)
            return {m.name: m.result() for m in self.metrics}

        @property
        def metrics(self):
            return [self.loss_tracker, self.acc]

    with strategy.scope():
        keras.utils.set_random_seed(0)
        model = Custom()
        model.compile(optimizer=keras.optimizers.SGD(0.1),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    batch_logs = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batch_logs.append([logs["loss"], logs["acc"]])

    hist = model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=2, shuffle=False, verbose=0,
                     callbacks=[Record()])
    results["customstep/batch_logs"] = np.asarray(batch_logs)
    results["customstep/log_acc"] = np.asarray(hist.history["acc"])
    results["customstep/log_loss"] = np.asarray(hist.history["loss"])
    # The reference for BatchNormalization without synchronization, in one process: each
    # half of a global batch is normalized with its own statistics, the update uses the
    # mean of the halves' gradients (what two replicas do).
    model = mlp(keras.optimizers.SGD(0.1), False)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    half = GLOBAL_BATCH // 2
    for _ in range(2):
        for start in range(0, len(x), GLOBAL_BATCH):
            with tf.GradientTape() as tape:
                parts = [loss_fn(y[s:s + half], model(x[s:s + half], training=True))
                         for s in (start, start + half)]
                loss = (parts[0] + parts[1]) / 2.0
            grads = tape.gradient(loss, model.trainable_variables)
            model.optimizer.apply_gradients(zip(grads, model.trainable_variables))
    for i, w in enumerate(model.trainable_weights):
        results[f"bnlocal_ref/w{i}"] = np.asarray(w)
    # a custom loop: strategy.run + strategy.reduce on a distributed dataset
    with strategy.scope():
        model = mlp(keras.optimizers.SGD(0.1))
        opt = keras.optimizers.SGD(0.1)
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True,
                                                            reduction="none")
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH)
    dist = strategy.experimental_distribute_dataset(ds)

    def step(xb, yb):
        with tf.GradientTape() as tape:
            per_example = loss_fn(yb, model(xb, training=True))
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=GLOBAL_BATCH)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    losses = []
    for _ in range(2):
        for xb, yb in dist:
            per_replica = strategy.run(step, args=(xb, yb))
            losses.append(float(strategy.reduce("SUM", per_replica, axis=None)))
    results["custom/losses"] = np.asarray(losses)
    for i, w in enumerate(weights(model)):
        results[f"custom/w{i}"] = w
    # gather and all_reduce
    rank = strategy.extended.world.rank
    results["gather"] = np.asarray(strategy.gather(tf.constant([[rank, rank]]), axis=0))
    results["all_reduce"] = np.asarray(strategy.run(
        lambda: tf.distribute.get_replica_context().all_reduce("MEAN", tf.constant(
            float(rank + 1)))))
    # only the chief writes: count the files each worker saves
    saved = []
    with strategy.scope():
        model = mlp(keras.optimizers.SGD(0.1))
    original = model.save_weights
    model.save_weights = lambda *a, **k: (saved.append(a[0]), original(*a, **k))
    ckpt = os.path.join(out, "ckpt.weights.h5")
    model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=2, verbose=0, callbacks=[
        keras.callbacks.ModelCheckpoint(ckpt, save_weights_only=True),
        keras.callbacks.TensorBoard(os.path.join(out, "tb"))])
    results["saves"] = np.asarray(len(saved))
    np.savez(os.path.join(out, f"rank{rank}.npz"), **results)


def stall(strategy, out, mode):
    x, y = data()
    with strategy.scope():
        model = mlp(keras.optimizers.SGD(0.1))

    class Stop(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2 and strategy.extended.world.rank == 1:
                if mode == "die":
                    os._exit(3)
                if mode == "raise":
                    raise RuntimeError("worker 1 fails")
                time.sleep(120)

    start = time.monotonic()
    try:
        model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=3, verbose=0, callbacks=[Stop()])
    except tf.errors.DeadlineExceededError as e:
        print(f"worker {strategy.extended.world.rank}: {type(e).__name__} after "
              f"{time.monotonic() - start:.1f} s: {e}", flush=True)
        raise


def backup(strategy, out):
    x, y = data()
    with strategy.scope():
        model = mlp(keras.optimizers.Adam(0.01))
    interrupt = os.environ.get("INTERRUPT") == "1"

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if interrupt and epoch == 2:
                raise RuntimeError("interrupted")

    backup_dir = os.path.join(out, "backup")
    if os.environ.get("SEPARATE_DISKS") == "1" and strategy.extended.world.rank != 0:
        backup_dir = os.path.join(out, "elsewhere")   # this worker never sees the backup
    callbacks = [keras.callbacks.BackupAndRestore(backup_dir), Interrupt()]
    try:
        hist = model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=4, shuffle=False, verbose=0,
                         callbacks=callbacks)
    except RuntimeError:
        return
    rank = strategy.extended.world.rank
    np.savez(os.path.join(out, f"backup{rank}.npz"), epochs=np.asarray(hist.epoch),
             **{f"w{i}": w for i, w in enumerate(weights(model))})


def main():
    scenario, out = sys.argv[1], sys.argv[2]
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    info = {"replicas": strategy.num_replicas_in_sync,
            "task": [strategy.cluster_resolver.task_type, strategy.cluster_resolver.task_id]}
    if strategy.extended.world.rank == 0:
        with open(os.path.join(out, f"info-{scenario}.json"), "w") as f:
            json.dump(info, f)
    if scenario == "train":
        train(strategy, out)
    elif scenario in ("hang", "die", "raise"):
        stall(strategy, out, scenario)
    elif scenario == "backup":
        backup(strategy, out)


if __name__ == "__main__":
    main()
