"""What ``compile`` turns its ``loss``/``metrics`` arguments into.

``CompileLoss`` resolves losses by name or object, per output (lists in output
order or dicts keyed by output name), applies ``loss_weights`` and
sample weights, and keeps one ``<output>_loss`` tracker per output for
multi-output models. ``CompileMetrics`` resolves metrics lazily on the first
batch (``"accuracy"`` becomes binary, sparse categorical or categorical
accuracy from the shapes of ``y_true`` and ``y_pred``, as Keras decides) and
reports its results as one flat dict.
"""
import re

import numpy as np

from tapeflow.framework import nest
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ops.array_ops import expand_dims, squeeze
from tapeflow.ops.math_ops import cast, reduce_sum
from tapeflow.keras.trainers import distribute_support as _dist


def _metrics_module():
    from tapeflow.keras import metrics
    return metrics


def _losses_module():
    from tapeflow.keras import losses
    return losses


def _object_name(obj):
    name = getattr(obj, "name", None)
    if isinstance(name, str):
        return name
    name = getattr(obj, "__name__", None) or type(obj).__name__
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() if name[:1].isupper() else name


def _set_name(metric, name):
    try:
        metric.name = name
    except AttributeError:
        metric._name = name


def _rank_and_last(t):
    shape = tuple(np.shape(t.array if isinstance(t, Tensor) else t))
    return len(shape), (shape[-1] if shape else None)


def get_metric(identifier, y_true, y_pred):
    """Returns a metric object for ``identifier`` given one output's ``y_true``/``y_pred``.

    Returns:
      A stateful metric, or None for a None identifier.
    """
    if identifier is None:
        return None
    metrics = _metrics_module()
    if str(identifier).lower() in ("accuracy", "acc"):
        t_rank, t_last = _rank_and_last(y_true)
        p_rank, p_last = _rank_and_last(y_pred)
        if p_last == 1:
            metric = metrics.BinaryAccuracy(name=str(identifier))
        elif t_rank < p_rank or (t_last == 1 and p_last is not None and p_last > 1):
            metric = metrics.SparseCategoricalAccuracy(name=str(identifier))
        else:
            metric = metrics.CategoricalAccuracy(name=str(identifier))
        return metric
    metric = metrics.get(identifier)
    name = identifier if isinstance(identifier, str) else _object_name(metric)
    if not hasattr(metric, "update_state"):
        metric = metrics.MeanMetricWrapper(metric, name=name)
    _set_name(metric, name)
    return metric


def get_loss(identifier):
    """Returns ``(callable, name)`` for a loss name, function or ``Loss`` object."""
    if identifier is None:
        return None, None
    losses = _losses_module()
    fn = losses.get(identifier) if isinstance(identifier, (str, dict)) else identifier
    if fn is None or not callable(fn):
        raise ValueError(f"Could not interpret loss identifier: {identifier}")
    return fn, _object_name(fn)


def _weighted_mean(values, sample_weight):
    """Keras's ``sum_over_batch_size`` reduction of per-sample loss values."""
    if sample_weight is not None:
        sw = cast(sample_weight, values.dtype)
        while sw.ndim > values.ndim and sw.shape[-1] == 1:
            sw = squeeze(sw, -1)
        while sw.ndim < values.ndim:
            sw = expand_dims(sw, -1)
        values = values * sw
    if values.ndim == 0:
        return values
    return reduce_sum(values) / np.asarray(values.array.size, values.dtype.as_numpy_dtype)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Makes ranks equal when they differ by a trailing dimension of 1 (as Keras's losses).

    Returns:
      ``(x1, x2)``, one of them squeezed or expanded on its last axis.
    """
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = expand_dims(x2, -1)
        else:
            x1 = squeeze(x1, -1)
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = expand_dims(x1, -1)
        else:
            x2 = squeeze(x2, -1)
    return x1, x2


def _is_loss_object(fn):
    try:
        Loss = _losses_module().Loss
    except AttributeError:
        return False
    return isinstance(fn, Loss)


class CompileLoss:
    """The compiled loss: a weighted sum over outputs (plus per-output trackers).

    Args:
      loss: a loss identifier, or a list/dict of them for multi-output models.
      loss_weights: optional list/dict of scalar weights.
      output_names: names of the model's outputs (for dicts and tracker names).
    """

    def __init__(self, loss, loss_weights=None, output_names=None):
        self._user_loss = loss
        self._user_weights = loss_weights
        self.output_names = output_names
        self.built = False
        self.metrics = []
        self._losses = None

    def build(self, y_true, y_pred):
        """Resolves one loss (and weight) per output from the first batch's structure."""
        preds = nest.flatten(y_pred) if not isinstance(y_pred, dict) else None
        n = len(preds) if preds is not None else len(y_pred)
        names = self._names(y_pred, n)
        losses = self._per_output(self._user_loss, names, "loss")
        weights = self._per_output(self._user_weights, names, "loss_weights") \
            if self._user_weights is not None else [None] * n
        fns = [get_loss(l)[0] if l is not None else None for l in losses]
        self._losses = [(fn, w, _is_loss_object(fn)) for fn, w in zip(fns, weights)]
        if n > 1:
            Mean = _metrics_module().Mean
            self.metrics = [Mean(name=f"{name}_loss") for name, (fn, _, _) in
                            zip(names, self._losses) if fn is not None]
        self._names_used = names
        self.built = True

    def _names(self, y_pred, n):
        if isinstance(y_pred, dict):
            return list(y_pred)
        names = list(self.output_names or [])
        if len(names) != n:
            names = [f"output_{i + 1}" for i in range(n)] if n > 1 else ["output"]
        return names

    def _per_output(self, spec, names, what):
        n = len(names)
        if isinstance(spec, dict):
            unknown = [k for k in spec if k not in names]
            if unknown:
                raise ValueError(f"In the dict argument `{what}`, key '{unknown[0]}' does not "
                                 f"correspond to any model output. Received:\n{what}={spec}")
            return [spec.get(k) for k in names]
        if isinstance(spec, (list, tuple)):
            if len(spec) == 1 and n == 1:
                return list(spec)
            if len(spec) != n:
                raise ValueError(f"For a model with multiple outputs, when providing a single "
                                 f"`{what}` list, it should have as many entries as the model "
                                 f"has outputs. Received:\n{what}={spec}\nof length "
                                 f"{len(spec)} whereas the model has {n} outputs.")
            return list(spec)
        return [spec] * n

    def _align_y(self, y_true, y_pred):
        if isinstance(y_pred, dict):
            preds = [y_pred[k] for k in self._names_used]
        else:
            preds = nest.flatten(y_pred)
        if isinstance(y_true, dict):
            unknown = [k for k in y_true if k not in self._names_used]
            if unknown:
                raise TypeError(f"The target `y` has the key '{unknown[0]}', which names no "
                                f"output of the model. Its outputs are {self._names_used}.")
            trues = [y_true.get(k) for k in self._names_used]
        elif len(preds) > 1:
            trues = list(y_true) if isinstance(y_true, (list, tuple)) else [y_true]
            if len(trues) != len(preds):
                raise ValueError(f"The model has {len(preds)} outputs, but `y` has "
                                 f"{len(trues)} entries.")
        else:
            trues = [y_true[0] if isinstance(y_true, (list, tuple)) and len(y_true) == 1
                     else y_true]
        return trues, preds

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Returns the total loss (a scalar Tensor), updating per-output trackers."""
        if not self.built:
            self.build(y_true, y_pred)
        trues, preds = self._align_y(y_true, y_pred)
        sws = nest.flatten(sample_weight) if isinstance(sample_weight, (list, tuple, dict)) \
            else [sample_weight] * len(preds)
        total = None
        k = 0
        for (fn, w, is_object), yt, yp, sw in zip(self._losses, trues, preds, sws):
            if fn is None or yt is None:
                continue
            if is_object:
                value = fn(yt, yp, sample_weight=sw)
            else:
                yt, yp = squeeze_or_expand_to_same_rank(_as_tensor(yt), yp)
                value = _dist.scale_loss(_weighted_mean(_as_tensor(fn(yt, yp)), sw))
            if self.metrics:
                self.metrics[k].update_state(_dist.unscale_loss(value))
                k += 1
            if w is not None:
                value = value * w
            total = value if total is None else total + value
        return total

    def get_config(self):
        return {"loss": self._user_loss, "loss_weights": self._user_weights}


def _as_tensor(v):
    return v if isinstance(v, Tensor) else convert_to_tensor(v)


class CompileMetrics:
    """The compiled metrics of every output; ``result()`` is a flat dict of their values.

    Args:
      metrics: metric identifiers (a list, a list of lists, or a dict per output).
      weighted_metrics: the same, updated with sample weights.
      output_names: names of the model's outputs (prefixed to metric names when
        the model has several outputs).
    """

    name = "compile_metrics"

    def __init__(self, metrics, weighted_metrics, output_names=None):
        self._user_metrics = metrics
        self._user_weighted = weighted_metrics
        self.output_names = output_names
        self.built = False
        self._metrics = []  # (metric, output index, weighted)
        self._keys = []     # each metric's key in the logs
        self._direction = None

    def check_identifiers(self):
        """Raises ValueError for a metric identifier that names no metric, before any
        training step runs (Keras finds it when it builds the model symbolically)."""
        metrics = _metrics_module()
        for spec in (self._user_metrics, self._user_weighted):
            for identifier in nest.flatten(spec) if spec is not None else []:
                if isinstance(identifier, (str, dict)) and \
                        str(identifier).lower() not in ("accuracy", "acc"):
                    metrics.get(identifier)

    @property
    def metrics(self):
        """Returns the built metric objects in order."""
        return [m for m, _, _ in self._metrics]

    def _flat_metrics(self):
        return self.metrics

    @property
    def variables(self):
        out = []
        for m in self.metrics:
            out.extend(getattr(m, "variables", []))
        return out

    def build(self, y_true, y_pred):
        """Resolves metric objects from the first batch's ``y_true``/``y_pred``."""
        if isinstance(y_pred, dict):
            names = list(y_pred)
            preds = [y_pred[k] for k in names]
        else:
            preds = nest.flatten(y_pred)
            names = list(self.output_names or [])
            if len(names) != len(preds):
                names = [f"output_{i + 1}" for i in range(len(preds))]
        if isinstance(y_true, dict):
            trues = [y_true.get(k) for k in names]
        elif len(preds) > 1:
            trues = list(y_true)
        else:
            trues = [y_true[0] if isinstance(y_true, (list, tuple)) and len(y_true) == 1
                     else y_true]
        self._names = names
        multi = len(preds) > 1
        for spec, weighted in ((self._user_metrics, False), (self._user_weighted, True)):
            if spec is None:
                continue
            per_output = self._per_output(spec, names, multi)
            for i, ids in enumerate(per_output):
                for ident in ids:
                    m = get_metric(ident, trues[i], preds[i])
                    if m is None:
                        continue
                    self._metrics.append((m, i, weighted))
        self._keys = self._log_keys(names if multi else None)
        self.built = True

    def _log_keys(self, names):
        # Keras 3 keeps each metric's own name; the log key is prefixed with the output's
        # name, a repeated key gets "_1", "_2", ... and a weighted metric whose key is taken
        # becomes "weighted_<name>".
        counts, keys = {}, []
        for m, i, weighted in self._metrics:
            prefix = f"{names[i]}_" if names else ""
            key = prefix + m.name
            if key in counts and weighted:
                key = f"{prefix}weighted_{m.name}"
            if key in counts:
                counts[key] += 1
                key = f"{key}_{counts[key] - 1}"
            else:
                counts[key] = 1
            keys.append(key)
        return keys

    @staticmethod
    def _per_output(spec, names, multi):
        n = len(names)
        if isinstance(spec, dict):
            out = []
            for k in names:
                v = spec.get(k)
                out.append([] if v is None else (list(v) if isinstance(v, (list, tuple))
                                                 else [v]))
            return out
        if not isinstance(spec, (list, tuple)):
            raise TypeError(f"Type of `metrics` argument not understood. Expected a list or "
                            f"dictionary, found: {spec}")
        if not multi:
            return [list(spec)]
        if all(isinstance(s, (list, tuple)) or s is None for s in spec):
            if len(spec) != n:
                raise ValueError(f"For a model with multiple outputs, when providing the "
                                 f"`metrics` argument as a list, it should have as many "
                                 f"entries as the model has outputs. Received:\n"
                                 f"metrics={spec}\nof length {len(spec)} whereas the model has "
                                 f"{n} outputs.")
            return [[] if s is None else list(s) for s in spec]
        return [list(spec) for _ in range(n)]

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Updates every metric with its output's ``y_true``/``y_pred``."""
        if not self.built:
            self.build(y_true, y_pred)
        if isinstance(y_pred, dict):
            preds = [y_pred[k] for k in self._names]
        else:
            preds = nest.flatten(y_pred)
        if isinstance(y_true, dict):
            trues = [y_true.get(k) for k in self._names]
        elif len(preds) > 1:
            trues = list(y_true)
        else:
            trues = [y_true[0] if isinstance(y_true, (list, tuple)) and len(y_true) == 1
                     else y_true]
        sws = nest.flatten(sample_weight) if isinstance(sample_weight, (list, tuple, dict)) \
            else [sample_weight] * len(preds)
        for m, i, weighted in self._metrics:
            if trues[i] is None:
                continue
            if weighted and sws[i] is not None:
                m.update_state(trues[i], preds[i], sample_weight=sws[i])
            else:
                m.update_state(trues[i], preds[i])

    def result(self):
        """Returns ``{metric name: value}`` for every built metric."""
        return {k: m.result() for k, (m, _, _) in zip(self._keys, self._metrics)}

    def reset_state(self):
        """Resets every built metric."""
        for m, _, _ in self._metrics:
            m.reset_state()

    def get_config(self):
        return {"metrics": self._user_metrics, "weighted_metrics": self._user_weighted}
