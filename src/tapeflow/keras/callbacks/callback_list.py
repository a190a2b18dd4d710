"""``keras.callbacks.CallbackList``: calls each hook on every callback, in order."""
from tapeflow.keras.callbacks.callback import Callback
from tapeflow.keras.callbacks.history import History
from tapeflow.keras.callbacks.progbar_logger import ProgbarLogger

_HOOKS = ("on_batch_begin", "on_batch_end", "on_epoch_begin", "on_epoch_end",
          "on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
          "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end",
          "on_train_begin", "on_train_end", "on_test_begin", "on_test_end",
          "on_predict_begin", "on_predict_end")


class CallbackList(Callback):
    """A container that forwards every hook to a list of callbacks.

    As in Keras, a ``History`` and (when ``add_progbar``) a ``ProgbarLogger``
    are appended after the user's callbacks unless already present.

    Args:
      callbacks: list of ``Callback`` instances.
      add_history: whether to add a ``History``.
      add_progbar: whether to add a ``ProgbarLogger``.
      model: the model; set on every callback.
      **params: ``verbose``, ``epochs``, ``steps``; set on every callback.
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        super().__init__()
        self.callbacks = list(callbacks) if callbacks else []
        for cb in self.callbacks:
            if not isinstance(cb, Callback) and not all(hasattr(cb, h) for h in _HOOKS[4:]):
                raise TypeError(f"Expected a keras.callbacks.Callback, got {cb!r} of type "
                                f"{type(cb).__name__}")
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)
        self._refresh()

    def _refresh(self):
        # Per hook, only the callbacks that override it: a batch hook that no
        # callback uses then costs one empty loop.
        self._by_hook = {}
        for hook in _HOOKS:
            alias = hook.replace("train_", "") if hook.startswith("on_train_batch") else None
            self._by_hook[hook] = [getattr(cb, hook) for cb in self.callbacks
                                   if _overrides(cb, hook) or (alias and _overrides(cb, alias))]

    def append(self, callback):
        """Adds a callback at the end."""
        self.callbacks.append(callback)
        self._refresh()

    def set_params(self, params):
        self.params = params
        for cb in self.callbacks:
            cb.set_params(params)

    def set_model(self, model):
        super().set_model(model)
        for cb in self.callbacks:
            cb.set_model(model)

    def __iter__(self):
        return iter(self.callbacks)

    def _call(self, hook, *args):
        for fn in self._by_hook[hook]:
            fn(*args)

    def on_batch_begin(self, batch, logs=None):
        self._call("on_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._call("on_batch_end", batch, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call("on_predict_batch_end", batch, logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs)


def _overrides(cb, hook):
    if not isinstance(cb, Callback) or hook in vars(cb):
        return True
    return getattr(type(cb), hook) is not getattr(Callback, hook)
