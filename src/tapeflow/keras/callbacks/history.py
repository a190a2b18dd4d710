"""``keras.callbacks.History``: records each epoch's logs; ``fit`` returns it."""
from tapeflow.keras.callbacks.callback import Callback


class History(Callback):
    """Records the logs of every epoch in ``history`` (a dict of lists of floats).

    ``fit`` adds one automatically and returns it; it is also ``model.history``.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        if self.model is not None:
            self.model.history = self
