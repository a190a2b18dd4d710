"""``keras.callbacks.SwapEMAWeights``: evaluate and predict with the optimizer's moving
average (EMA) of the weights, then swap the training weights back."""
from tapeflow.keras.callbacks.callback import Callback


def _swap(optimizer):
    """Exchanges each trained variable with its average, with the TensorFlow backend's
    arithmetic (``a += b; b = a - b; a -= b``), so values round exactly as in Keras."""
    for var, avg in zip(optimizer._trainable_variables,
                        optimizer._model_variables_moving_average):
        a, b = var.numpy(), avg.numpy()
        a = a + b
        b = a - b
        a = a - b
        var.assign(a)
        avg.assign(b)


def _finalize(optimizer):
    for var, avg in zip(optimizer._trainable_variables,
                        optimizer._model_variables_moving_average):
        avg.assign(var.numpy())


class SwapEMAWeights(Callback):
    """Swaps the model's weights with the optimizer's EMA weights around evaluation and
    prediction (and, with ``swap_on_epoch``, at every epoch end, ending training on them).

    The optimizer must be built with ``use_ema=True``. As in Keras 3.15, the weights are
    swapped back after ``evaluate`` but not after ``predict``.

    Args:
      swap_on_epoch: also swap at each epoch end (so epoch-end callbacks such as
        ``ModelCheckpoint`` see the EMA weights) and back at the next epoch's start.

    Raises:
      ValueError (when triggered): if the optimizer has no moving averages.
    """

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _apply(self, fn):
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if not hasattr(optimizer, "_model_variables_moving_average"):
            raise ValueError("SwapEMAWeights must be used when `use_ema=True` is set on the "
                             f"optimizer. Received: use_ema={optimizer.use_ema}")
        fn(optimizer)

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._apply(_swap)
            self._ema_weights_in_model = False

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._apply(_swap)
            self._ema_weights_in_model = True
            if epoch == self.params["epochs"] - 1:
                self._apply(_finalize)

    def on_test_begin(self, logs=None):
        if not self._ema_weights_in_model:
            self._apply(_swap)
            self._ema_weights_in_model = True

    def on_test_end(self, logs=None):
        if self._ema_weights_in_model:
            self._apply(_swap)
            self._ema_weights_in_model = False

    def on_predict_begin(self, logs=None):
        if not self._ema_weights_in_model:
            self._apply(_swap)
            self._ema_weights_in_model = True

    def on_predict_end(self, logs=None):
        if not self._ema_weights_in_model:   # never true here: Keras 3.15 does not swap back
            self._apply(_swap)
            self._ema_weights_in_model = False
