"""``keras.layers.ReversibleEmbedding``: an Embedding that can also project back to the
vocabulary (``reverse=True``: logits ``x @ embeddings.T``), as language models tie their
input and output embeddings."""
from tapeflow.keras.layers.core import Embedding
from tapeflow.keras.layers.masking_utils import set_keras_mask
from tapeflow.ops import array_ops as A
from tapeflow.ops import math_ops as M


class ReversibleEmbedding(Embedding):
    """Embedding with a reverse projection.

    Args:
      input_dim, output_dim, embeddings_initializer, embeddings_regularizer,
        embeddings_constraint, mask_zero: as ``Embedding``.
      tie_weights: reuse the embeddings (transposed) for the reverse projection; else learn
        a separate ``reverse_embeddings`` of shape ``(output_dim, input_dim)``.
      reverse_dtype: optional dtype of the reverse projection's computation.
      logit_soft_cap: optional cap ``c``: logits become ``c * tanh(logits / c)``.
    """

    def __init__(self, input_dim, output_dim, tie_weights=True,
                 embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, reverse_dtype=None,
                 logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        self.tie_weights = tie_weights
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None):
        if self.built:
            return
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                shape=(self.output_dim, self.input_dim), initializer=self.embeddings_initializer,
                name="reverse_embeddings", trainable=True)
        self.built = True

    def call(self, inputs, reverse=False):
        if not reverse:
            out = super().call(inputs)
            mask = super().compute_mask(inputs)
            if mask is not None:
                set_keras_mask(out, mask)
            return out
        kernel = A.transpose(self.embeddings) if self.tie_weights else \
            self.reverse_embeddings.value
        if self.reverse_dtype is not None:
            inputs = M.cast(inputs, self.reverse_dtype)
            kernel = M.cast(kernel, self.reverse_dtype)
        elif inputs.dtype != kernel.dtype:
            inputs = M.cast(inputs, kernel.dtype)
        logits = M.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            cap = self.logit_soft_cap
            logits = M.multiply(M.tanh(M.divide(logits, cap)), cap)
        return logits

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape, reverse=False):
        shape = list(input_shape)
        if reverse:
            shape[-1] = self.input_dim
        else:
            shape += [self.output_dim]
        return shape

    def compute_output_spec(self, inputs, reverse=False):
        """Returns the output KerasTensor (vocabulary logits when ``reverse``)."""
        from tapeflow.keras.keras_tensor import KerasTensor
        return KerasTensor(tuple(self.compute_output_shape(inputs.shape, reverse)),
                           dtype=self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"tie_weights": self.tie_weights, "reverse_dtype": self.reverse_dtype,
                       "logit_soft_cap": self.logit_soft_cap})
        return config


__all__ = ["ReversibleEmbedding"]
