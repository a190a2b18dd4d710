"""The training API mixed into ``keras.Model``: compile, fit, evaluate, predict.

(Filled in by the training work; Model inherits from ``Trainer``.)
"""


class Trainer:
    """Mixin that gives a Model ``compile``/``fit``/``evaluate``/``predict``."""
