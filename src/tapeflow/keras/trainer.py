"""The training API mixed into ``keras.Model``: compile, fit, evaluate, predict, save.

Keras 3's loop: ``fit`` runs ``train_step`` on each batch (tape, forward pass,
``compute_loss``, gradients, ``optimizer.apply_gradients``, metric updates) and
reports running metric averages to the callbacks; validation runs
``evaluate`` at the end of each epoch. Users may override ``train_step``,
``test_step`` and ``predict_step`` and use ``self.compute_loss``,
``self.metrics`` and ``self.optimizer`` inside them.
"""
import warnings

import numpy as np

from tapeflow.framework import nest
from tapeflow.framework.tape import GradientTape
from tapeflow.framework.tensor import Tensor
from tapeflow.ops.math_ops import reduce_sum
from tapeflow.keras.trainers import data_adapter
from tapeflow.keras.trainers import distribute_support as _dist
from tapeflow.keras.trainers.compile_utils import CompileLoss, CompileMetrics
from tapeflow.keras.trainers.compiled_step import CheckedStep
from tapeflow.keras.trainers.compiled_step import node as _node
from tapeflow.keras.trainers.compiled_step import tensor_logs as _tensor_logs
from tapeflow.keras.trainers.compiled_step import tracing as _tracing
from tapeflow.keras.trainers.data_adapter import unpack_x_y_sample_weight
from tapeflow.keras.trainers.trainer_metrics import TrainerMetrics, _pythonify_logs


def _batch_size_of(x):
    for leaf in nest.flatten(x):
        shape = np.shape(leaf.array) if isinstance(leaf, Tensor) else np.shape(leaf)
        if shape:
            return shape[0]
    return 1


class Trainer(TrainerMetrics):
    """Mixin that gives a Model ``compile``/``fit``/``evaluate``/``predict`` and saving."""

    compiled = False
    optimizer = None
    loss = None
    history = None
    stop_training = False
    _initial_epoch = None
    _loss_tracker = None
    _compile_loss = None
    _compile_metrics = None
    _compile_config = None
    _run_eagerly = False
    _jit_compile = False
    steps_per_execution = 1

    def __init__(self):
        _dist.on_create(self)   # a model made in a strategy's scope trains with it (Keras)

    @property
    def distribute_strategy(self):
        """Returns the strategy the model was created or compiled under (else the current)."""
        return _dist.strategy_of(self)

    # -- compile ------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Configures the model for training.

        Args:
          optimizer: name (``"rmsprop"``) or optimizer instance.
          loss: name, function or ``Loss`` instance; a list or dict (by output
            name) of those for multi-output models.
          loss_weights: list or dict of scalars weighting each output's loss.
          metrics: list of names/functions/metrics (list of lists or dict for
            multi-output models); ``"accuracy"`` picks binary, sparse or
            categorical accuracy from the data.
          weighted_metrics: metrics updated with sample weights.
          run_eagerly, steps_per_execution, jit_compile, auto_scale_loss:
            accepted for compatibility; tapeflow always runs eagerly.
        """
        from tapeflow.keras import metrics as metrics_module
        from tapeflow.keras import optimizers
        self.optimizer = optimizers.get(optimizer)
        if auto_scale_loss and self.optimizer is not None and \
                getattr(self, "dtype_policy", None) is not None and \
                self.dtype_policy.name == "mixed_float16" and \
                not isinstance(self.optimizer, optimizers.LossScaleOptimizer):
            # Keras 3: float16 gradients underflow without dynamic loss scaling.
            self.optimizer = optimizers.LossScaleOptimizer(self.optimizer,
                                                           name="loss_scale_optimizer")
        output_names = self._get_output_names()
        self._compile_loss = CompileLoss(loss, loss_weights, output_names) \
            if loss is not None else None
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics, output_names) \
            if metrics is not None or weighted_metrics is not None else None
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.loss = loss
        self._run_eagerly = run_eagerly
        self.__dict__.pop("_compiled_steps", None)
        self._jit_compile = False if jit_compile == "auto" else jit_compile
        self.steps_per_execution = steps_per_execution
        self.stop_training = False
        self.compiled = True
        _dist.on_compile(self)
        self._compile_config = {
            "optimizer": self.optimizer, "loss": loss, "loss_weights": loss_weights,
            "metrics": metrics, "weighted_metrics": weighted_metrics,
            "run_eagerly": run_eagerly, "steps_per_execution": steps_per_execution,
            "jit_compile": self._jit_compile}
        if "_pending_optimizer_variables" in self.__dict__:   # loaded before compile
            from tapeflow.keras.saving.h5_weights import apply_pending
            apply_pending(self)

    def _get_output_names(self):
        names = getattr(self, "output_names", None)
        try:
            return list(names) if names else None
        except TypeError:
            return None

    @property
    def run_eagerly(self):
        """Whether the model runs eagerly (always the case in tapeflow)."""
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value):
        self._run_eagerly = value

    @property
    def jit_compile(self):
        """Whether XLA compilation was requested (accepted, never used)."""
        return self._jit_compile

    @jit_compile.setter
    def jit_compile(self, value):
        self._jit_compile = value

    def get_compile_config(self):
        """Returns the serialized ``compile`` arguments (``{}`` before ``compile``)."""
        if not self.compiled or self._compile_config is None:
            return {}
        from tapeflow.keras.saving.saving_api import _serialize_compile_config
        return _serialize_compile_config(self._compile_config)

    def compile_from_config(self, config):
        """Compiles the model from ``get_compile_config()``'s output."""
        from tapeflow.keras.saving.saving_api import _deserialize_compile_config
        self.compile(**_deserialize_compile_config(config))

    def _check_compile_metrics(self):
        """Finds unknown metric names before any step changes the model (as Keras does)."""
        if self._compile_metrics is not None and not self._compile_metrics.built:
            self._compile_metrics.check_identifiers()

    def _assert_compile_called(self, method_name):
        if not self.compiled:
            raise ValueError(f"You must call `compile()` before calling `{method_name}()`.")

    # -- steps ----------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Returns the total loss: the compiled loss plus the model's ``losses``.

        Raises:
          ValueError: when there is no loss at all.
        """
        total = None
        if self._compile_loss is not None:
            total = self._compile_loss(y, y_pred, sample_weight)
        for extra in getattr(self, "losses", None) or ():
            if getattr(extra, "ndim", 0):
                extra = reduce_sum(extra)
            extra = _dist.scale_loss(extra)
            total = extra if total is None else total + extra
        if total is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Updates the compiled metrics; returns ``get_metrics_result()``."""
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def train_step(self, data):
        """One training step on a batch ``data``; returns the metric logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                     training=True)
            # loss_scale_factor / LossScaleOptimizer: gradients of the scaled loss
            scaled_loss = self.optimizer.scale_loss(loss) if self.optimizer is not None \
                else loss
        _node(self._loss_tracker.update_state, _dist.unscale_loss(loss),
              sample_weight=_batch_size_of(x), _run_now=False)
        variables = self.trainable_variables
        if variables:
            if scaled_loss is loss:
                grads = tape.gradient(loss, variables)
            else:
                # A scaled float16 backward pass may overflow to inf: expected, and
                # LossScaleOptimizer skips that step (TensorFlow does not warn either).
                with np.errstate(over="ignore", invalid="ignore"):
                    grads = tape.gradient(scaled_loss, variables)
            _node(self.optimizer.apply_gradients, list(zip(grads, variables)), _run_now=False)
        return self._metric_logs(x, y, y_pred, sample_weight, as_tensors=_tracing())

    def _metric_logs_now(self, as_tensors):
        return _tensor_logs(self.get_metrics_result()) if as_tensors else \
            self.get_metrics_result()

    def _custom_metric_logs(self, x, y, y_pred, sample_weight):
        return _tensor_logs(self.compute_metrics(x, y, y_pred, sample_weight=sample_weight))

    def _metric_logs(self, x, y, y_pred, sample_weight, as_tensors=False):
        if not as_tensors:
            return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)
        # Traced: graph nodes that run on every call (the metrics build on their first
        # update, so it runs while tracing too; the trace restores their variables).
        if type(self).compute_metrics is not Trainer.compute_metrics:
            return _node(self._custom_metric_logs, x, y, y_pred, sample_weight)
        if self._compile_metrics is not None:
            _node(self._compile_metrics.update_state, y, y_pred, sample_weight)
        return _node(self._metric_logs_now, True)

    def test_step(self, data):
        """One evaluation step on a batch ``data``; returns the metric logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                 training=False)
        _node(self._loss_tracker.update_state, _dist.unscale_loss(loss),
              sample_weight=_batch_size_of(x), _run_now=False)
        return self._metric_logs(x, y, y_pred, sample_weight, as_tensors=_tracing())

    def predict_step(self, data):
        """Returns the model's output on the inputs of batch ``data``."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # -- loops ----------------------------------------------------------------
    def _step_function(self, kind):
        """Returns the ``train``/``test``/``predict`` step the loops call: the method itself
        with ``run_eagerly=True``, else (Keras's default) a ``tf.function`` of it, traced
        once per batch signature and checked once against the eager step
        (``compiled_step.CheckedStep``). Metric, optimizer and moving-statistics updates
        (NumPy code) are graph nodes that run on every call (``_node``)."""
        step = getattr(self, kind + "_step")
        if kind != "predict":
            replicated = _dist.step_function(self, step)
            if replicated is not step:   # under a distribution strategy: eager, replicated
                return replicated
        if self._run_eagerly:
            return step
        cache = self.__dict__.setdefault("_compiled_steps", {})
        fn = cache.get(kind)
        if fn is None or fn.python_function != step:
            from tapeflow.framework.function import function
            fn = cache[kind] = CheckedStep(function(step), step, self)
        return fn

    def _callbacks(self, callbacks, verbose, epochs, steps, add_history=False):
        from tapeflow.keras.callbacks import CallbackList
        if isinstance(callbacks, CallbackList):
            return callbacks
        return CallbackList(callbacks, add_history=add_history, add_progbar=verbose != 0,
                            model=self, verbose=verbose, epochs=epochs, steps=steps)

    def _logs_or_metrics(self, logs):
        metric_logs = self.get_metrics_result()
        if isinstance(logs, dict) and set(logs) == set(metric_logs):
            return metric_logs
        return logs

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Trains the model for ``epochs`` epochs.

        Returns:
          A ``History`` whose ``history`` maps each logged name (``loss``, the
          metric names, ``val_``-prefixed validation ones) to one float per epoch.

        Raises:
          ValueError: if the model is not compiled or the data is invalid.
        """
        self._assert_compile_called("fit")
        self._check_compile_metrics()
        verbose = 1 if verbose == "auto" else verbose
        if validation_split and validation_data is None:
            if not data_adapter.is_array_data(x):
                raise ValueError("`validation_split` is only supported for Tensors or NumPy "
                                 f"arrays, found following types in the input: {type(x)}")
            (x, y, sample_weight), validation_data = data_adapter.train_validation_split(
                (data_adapter._arrays(x), data_adapter._arrays(y),
                 data_adapter._arrays(sample_weight)), validation_split)
        val_adapter = None
        if validation_data is not None:
            if data_adapter.is_array_data(validation_data[0] if isinstance(
                    validation_data, (tuple, list)) else None):
                vx, vy, vsw = unpack_x_y_sample_weight(tuple(validation_data))
                val_adapter = data_adapter.get_adapter(
                    vx, vy, vsw, batch_size=validation_batch_size or batch_size,
                    steps=validation_steps)
            else:
                val_adapter = data_adapter.get_adapter(validation_data, steps=validation_steps)
        adapter = data_adapter.get_adapter(x, y, sample_weight, batch_size=batch_size,
                                           steps=steps_per_epoch, shuffle=shuffle,
                                           class_weight=class_weight)
        adapter = _dist.distribute_adapter(self, adapter)   # this worker's part of each batch
        val_adapter = _dist.distribute_adapter(self, val_adapter)
        callbacks = self._callbacks(callbacks, verbose, epochs, adapter.num_batches,
                                    add_history=True)
        self.stop_training = False
        self._loop(True)
        try:
            return self._fit_epochs(adapter, val_adapter, callbacks, epochs, initial_epoch,
                                    validation_freq)
        finally:
            self._loop(False)

    def _fit_epochs(self, adapter, val_adapter, callbacks, epochs, initial_epoch,
                    validation_freq):
        callbacks.on_train_begin()
        initial_epoch = self._initial_epoch or initial_epoch
        training_logs = None
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            train_step = self._step_function("train")
            steps_done = 0
            for step, data in enumerate(adapter):
                callbacks.on_train_batch_begin(step)
                logs = _pythonify_logs(train_step(data))
                callbacks.on_train_batch_end(step, logs)
                steps_done = step + 1
                if self.stop_training:
                    break
            expected = adapter.num_batches
            if steps_done == 0 or (expected is not None and steps_done < expected
                                   and not self.stop_training):
                warnings.warn("Your input ran out of data; interrupting training. Make sure "
                              "that your dataset or generator can generate at least "
                              "`steps_per_epoch * epochs` batches. You may need to use the "
                              "`.repeat()` function when building your dataset.", stacklevel=3)
                self.stop_training = True
                if steps_done == 0:
                    break
            epoch_logs = dict(self._logs_or_metrics(logs))
            if val_adapter is not None and self._should_eval(epoch, validation_freq):
                val_logs = self._evaluate_adapter(val_adapter, callbacks)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
                epoch_logs = _pythonify_logs(epoch_logs)   # Keras sorts the merged keys too
            callbacks.on_epoch_end(epoch, epoch_logs)
            training_logs = epoch_logs
            if self.stop_training:
                break
        finalize = getattr(self.optimizer, "finalize_variable_values", None)
        if finalize is not None and epochs > 0:
            finalize(self.trainable_variables)
        self._initial_epoch = None
        callbacks.on_train_end(logs=training_logs)
        history = getattr(callbacks, "_history", None)
        if history is not None:
            self.history = history
        return self.history

    @staticmethod
    def _should_eval(epoch, validation_freq):
        epoch = epoch + 1
        if isinstance(validation_freq, int):
            return epoch % validation_freq == 0
        if isinstance(validation_freq, (list, tuple)):
            return epoch in validation_freq
        raise ValueError("Expected `validation_freq` to be a list or int. Received: "
                         f"validation_freq={validation_freq} of the type "
                         f"{type(validation_freq)}.")

    def _evaluate_adapter(self, adapter, callbacks):
        self.reset_metrics()
        callbacks.on_test_begin()
        logs = {}
        test_step = self._step_function("test")
        for step, data in enumerate(adapter):
            callbacks.on_test_batch_begin(step)
            logs = _pythonify_logs(test_step(data))
            callbacks.on_test_batch_end(step, logs)
        logs = self._logs_or_metrics(logs)
        callbacks.on_test_end(logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """Returns the loss and metrics on the given data.

        Returns:
          The scalar loss when there are no metrics, ``[loss, *metrics]``
          otherwise, or a dict with ``return_dict=True``.
        """
        self._assert_compile_called("evaluate")
        self._check_compile_metrics()
        verbose = 1 if verbose == "auto" else verbose
        adapter = data_adapter.get_adapter(x, y, sample_weight, batch_size=batch_size,
                                           steps=steps)
        adapter = _dist.distribute_adapter(self, adapter)
        callbacks = self._callbacks(callbacks, verbose, 1, adapter.num_batches)
        self._loop(True)
        try:
            logs = self._evaluate_adapter(adapter, callbacks)
        finally:
            self._loop(False)
        if return_dict:
            return logs
        return self._flatten_metrics_in_order(logs)

    def _flatten_metrics_in_order(self, logs):
        names = []
        for m in self.metrics:
            inner = getattr(m, "_flat_metrics", None)
            names.extend(x.name for x in inner()) if callable(inner) else names.append(m.name)
        results = [logs[n] for n in names if n in logs]
        results += [logs[k] for k in sorted(logs) if k not in names]
        return results[0] if len(results) == 1 else results

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Returns the model's outputs on ``x`` as NumPy arrays, in the output structure."""
        verbose = 1 if verbose == "auto" else verbose
        adapter = data_adapter.get_adapter(x, batch_size=batch_size, steps=steps)
        callbacks = self._callbacks(callbacks, verbose, 1, adapter.num_batches)
        callbacks.on_predict_begin()
        outputs, structure = None, None
        predict_step = self._step_function("predict")
        for step, data in enumerate(adapter):
            callbacks.on_predict_batch_begin(step)
            batch_outputs = predict_step(data)
            flat = [np.asarray(o.array if isinstance(o, Tensor) else o)
                    for o in nest.flatten(batch_outputs)]
            if outputs is None:
                structure, outputs = batch_outputs, [[] for _ in flat]
            for acc, o in zip(outputs, flat):
                acc.append(o)
            callbacks.on_predict_batch_end(step, {"outputs": batch_outputs})
        callbacks.on_predict_end()
        if outputs is None:
            raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs). "
                             "Please use `Model.compile(..., run_eagerly=True)`, or "
                             "`tf.config.run_functions_eagerly(True)` for more information of "
                             "where went wrong, or file a issue/bug to `tf.keras`.")
        return nest.pack_sequence_as(structure, [np.concatenate(a) for a in outputs])

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """Runs one training step on a single batch.

        Returns:
          The scalar loss, ``[loss, *metrics]``, or a dict with ``return_dict=True``.
        """
        self._assert_compile_called("train_on_batch")
        self._check_compile_metrics()
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError("Arguments `sample_weight` and `class_weight` cannot be "
                                 "specified at the same time.")
            sample_weight = data_adapter.class_weight_to_sample_weights(
                data_adapter._arrays(y), class_weight)
        data = next(iter(data_adapter.ArrayAdapter(x, y, sample_weight,
                                                   batch_size=_batch_size_of(x) or 1)))
        self.reset_metrics()   # Keras 3: each call reports its own batch alone
        logs = _pythonify_logs(_dist.step_function(self, self.train_step)(data))
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Runs one evaluation step on a single batch; returns like ``train_on_batch``."""
        self._assert_compile_called("test_on_batch")
        data = next(iter(data_adapter.ArrayAdapter(x, y, sample_weight,
                                                   batch_size=_batch_size_of(x) or 1)))
        self.reset_metrics()
        logs = _pythonify_logs(_dist.step_function(self, self.test_step)(data))
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def predict_on_batch(self, x):
        """Returns the model's outputs on one batch ``x`` as NumPy arrays."""
        data = next(iter(data_adapter.ArrayAdapter(x, batch_size=_batch_size_of(x) or 1)))
        out = self.predict_step(data)
        return nest.map_structure(
            lambda o: np.asarray(o.array if isinstance(o, Tensor) else o), out)

    # -- saving ---------------------------------------------------------------
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Saves the model to a ``.keras`` file (config, compile config and weights)."""
        from tapeflow.keras.saving import saving_api
        saving_api.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Saves the weights to a ``.weights.h5`` file, in Keras 3's HDF5 layout."""
        from tapeflow.keras.saving import saving_api
        saving_api.save_weights(self, filepath, overwrite=overwrite,
                                max_shard_size=max_shard_size)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Loads weights from a ``.weights.h5``, ``.keras`` or legacy ``.h5`` file (Keras's or
        tapeflow's); ``by_name=True`` matches legacy ``.h5`` layers by name."""
        from tapeflow.keras.saving import saving_api
        saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)
