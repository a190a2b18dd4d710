"""``keras.callbacks.LambdaCallback``."""
from tapeflow.keras.callbacks.callback import Callback


class LambdaCallback(Callback):
    """A callback built from plain functions, e.g. ``on_epoch_end=lambda epoch, logs: ...``.

    Args:
      on_epoch_begin, on_epoch_end: ``f(epoch, logs)``.
      on_train_begin, on_train_end: ``f(logs)``.
      on_train_batch_begin, on_train_batch_end: ``f(batch, logs)``.
      **kwargs: any other hook, e.g. ``on_test_end=f``.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        for name, fn in (("on_epoch_begin", on_epoch_begin), ("on_epoch_end", on_epoch_end),
                         ("on_train_begin", on_train_begin), ("on_train_end", on_train_end),
                         ("on_train_batch_begin", on_train_batch_begin),
                         ("on_train_batch_end", on_train_batch_end)):
            if fn is not None:
                setattr(self, name, fn)
