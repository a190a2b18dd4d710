"""The metrics side of ``keras.Model``'s training API: ``metrics``, ``reset_metrics``,
``get_metrics_result`` and the deprecated ``compiled_loss``/``compiled_metrics``.

A mixin of ``Trainer`` (``keras/trainer.py``), kept apart so each file stays one concern.
"""
import warnings

from tapeflow.keras.trainers import distribute_support as _dist


def _pythonify_logs(logs):
    """Logs as a dict of Python floats, sorted by key, nested dicts flattened (as Keras)."""
    out = {}
    for key in sorted(logs):
        value = logs[key]
        if isinstance(value, dict):
            out.update(_pythonify_logs(value))
            continue
        try:
            value = float(value)   # a Tensor's __float__: its one element
        except (TypeError, ValueError):
            pass
        out[key] = value
    return out


class TrainerMetrics:
    """Mixin giving a Model its metric bookkeeping (used by ``Trainer``)."""

    @property
    def metrics(self):
        """Returns the loss tracker, the compiled metrics, per-output loss trackers, then
        metrics tracked as attributes of the model."""
        out = []
        if self.compiled:
            if self._loss_tracker is not None:
                out.append(self._loss_tracker)
            if self._compile_metrics is not None:
                out.append(self._compile_metrics)
            if self._compile_loss is not None:
                out.extend(self._compile_loss.metrics)
        out.extend(self._tracked_metrics())
        return out

    def _tracked_metrics(self):
        tracked = getattr(self, "_metrics", None)
        if tracked is not None:
            return list(tracked)
        special = (self._loss_tracker, self._compile_metrics)
        return [v for k, v in vars(self).items()
                if hasattr(v, "update_state") and hasattr(v, "result")
                and hasattr(v, "reset_state") and all(v is not s for s in special)]

    @property
    def metrics_names(self):
        """Returns the names of ``self.metrics``."""
        return [m.name for m in self.metrics]

    @property
    def metrics_variables(self):
        """Returns the state variables of every metric."""
        out = []
        for m in self.metrics:
            out.extend(getattr(m, "variables", []))
        return out

    def reset_metrics(self):
        """Resets the state of every metric."""
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self):
        """Returns ``{name: float}`` of every metric's current result (sorted by name)."""
        logs = {}
        metrics = self._step_metrics()
        with _dist.global_metric_states(self, metrics):   # global figures on every worker
            for m in metrics:
                r = m.result()
                if isinstance(r, dict):
                    logs.update(r)
                else:
                    logs[m.name] = r
            return _pythonify_logs(logs)

    def _step_metrics(self):
        # ``self.metrics`` walks the model's attributes; during a loop it is
        # cached once the compiled loss (whose per-output trackers appear on
        # the first batch) is built.
        cached = self.__dict__.get("_cached_metrics")
        if cached is not None:
            return cached
        metrics = self.metrics
        if self.__dict__.get("_in_loop") and (self._compile_loss is None
                                              or self._compile_loss.built):
            self.__dict__["_cached_metrics"] = metrics
        return metrics

    def _loop(self, active):
        self.__dict__["_in_loop"] = active
        self.__dict__["_cached_metrics"] = None

    def compiled_loss(self, y, y_pred, sample_weight=None, regularization_losses=None):
        """Deprecated (Keras 3): returns ``compute_loss(y=y, y_pred=y_pred, ...)``."""
        warnings.warn("`model.compiled_loss()` is deprecated. Instead, use "
                      "`model.compute_loss(x, y, y_pred, sample_weight)`.", stacklevel=2)
        return self.compute_loss(x=None, y=y, y_pred=y_pred, sample_weight=sample_weight)

    @property
    def compiled_metrics(self):
        """Deprecated (Keras 3): an object whose ``update_state`` updates ``self.metrics``.

        As in Keras 3, ``Mean`` metrics (the loss tracker among them) are
        updated with ``y_pred``, the others with ``(y, y_pred)``.
        """
        model = self

        class DeprecatedCompiledMetric:
            def update_state(self, y, y_pred, sample_weight=None):
                warnings.warn("`model.compiled_metrics()` is deprecated. Instead, use e.g.:\n"
                              "```\nfor metric in self.metrics:\n    metric.update_state(y, "
                              "y_pred)\n```\n", stacklevel=2)
                from tapeflow.keras.metrics import Mean
                for metric in model.metrics:
                    if isinstance(metric, Mean):
                        metric.update_state(y_pred, sample_weight=sample_weight)
                    else:
                        metric.update_state(y, y_pred, sample_weight=sample_weight)

        return DeprecatedCompiledMetric()
