"""AdditiveAttention (Bahdanau-style): scores ``sum(scale * tanh(query + key), -1)``."""
from tapeflow.keras.layers.attention import Attention
from tapeflow.ops import array_ops as A
from tapeflow.ops import math_ops as M


class AdditiveAttention(Attention):
    """Additive attention over ``[query, value]`` or ``[query, value, key]``.

    Args:
      use_scale: learn a per-dimension ``scale`` vector (default True).
      dropout: dropout rate on the attention probabilities (training only).
      seed: seed of the dropout.
    """

    def __init__(self, use_scale=True, dropout=0.0, seed=None, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)

    def build(self, input_shape):
        dim = input_shape[0][-1]
        self.scale = self.add_weight(shape=(dim,), initializer="glorot_uniform",
                                     name="scale") if self.use_scale else None
        from tapeflow.keras.layers.core import Dropout
        self._dropout_layer = Dropout(rate=self.dropout, seed=self.seed)
        self.built = True

    def _calculate_scores(self, query, key):
        t = M.tanh(M.add(A.expand_dims(query, -2), A.expand_dims(key, -3)))
        if self.scale is not None:
            t = M.multiply(t, self.scale)
        return M.reduce_sum(t, axis=-1)

    def get_config(self):
        config = super().get_config()
        config.pop("score_mode", None)
        return {k: config[k] for k in ("name", "trainable", "dtype", "use_scale", "dropout")
                } | {"seed": self.seed}
