"""``GroupQueryAttention`` (grouped-query attention, Ainslie et al. 2023), as Keras 3.

``num_query_heads`` query heads share ``num_key_value_heads`` key/value heads: each
key/value head is repeated ``num_query_heads // num_key_value_heads`` times. The
projections are ``EinsumDense`` layers named ``query``, ``key``, ``value`` (and ``gate``
with ``use_gate``) and ``attention_output``, with Keras's kernel shapes, so weights copy
across. Optional ``sliding_window`` restricts each query to keys less than that many
positions away.
"""
import math

import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras import constraints, initializers, regularizers
from tapeflow.keras.layers.attention import EinsumDense, _shape_tuple
from tapeflow.keras.layers.core import Dropout
from tapeflow.keras.layers.layer import Layer
from tapeflow.keras.layers.layer_utils import get_keras_mask
from tapeflow.ops import array_ops as A
from tapeflow.ops import math_ops as M
from tapeflow.ops.linalg_ops import einsum
from tapeflow.ops.nn_ops import softmax


class GroupedQueryAttention(Layer):
    """Grouped-query attention (exported as ``keras.layers.GroupQueryAttention``).

    Args:
      head_dim: size of each attention head.
      num_query_heads: number of query heads.
      num_key_value_heads: number of key and value heads (divides ``num_query_heads``).
      dropout: dropout rate on the attention probabilities (training only).
      use_bias: whether the projections have biases.
      sliding_window: None, or a positive int: attend only to keys closer than that.
      flash_attention: accepted (the computation is the same).
      use_gate: multiply the attention output by a sigmoid gate of the query.
      kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
      activity_regularizer, kernel_constraint, bias_constraint, seed: as Keras.

    Call arguments: ``query (B, T, dim)``, ``value (B, S, dim)``, ``key`` (default
    ``value``), ``query_mask``/``value_mask``/``key_mask``, ``attention_mask (B, T, S)``,
    ``return_attention_scores``, ``training``, ``use_causal_mask``.

    Returns:
      The ``(B, T, dim)`` output, or ``(output, scores (B, num_query_heads, T, S))``.
    """

    _export_name = "GroupQueryAttention"

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0,
                 use_bias=True, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError("`num_query_heads` must be divisible by `num_key_value_heads`.")
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = dropout
        self.use_bias = use_bias
        self.use_gate = use_gate
        if sliding_window is not None and (not isinstance(sliding_window, int)
                                           or sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window}")
        self.sliding_window = sliding_window
        self._flash_attention = bool(flash_attention)
        if self._flash_attention and self.dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. "
                             "Please set dropout to 0.0 to use flash attention.")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(self.head_dim))

    def _sublayer_kwargs(self):
        def fresh(init):
            return init.__class__.from_config(init.get_config())
        return dict(kernel_regularizer=self.kernel_regularizer,
                    bias_regularizer=self.bias_regularizer,
                    activity_regularizer=self.activity_regularizer,
                    kernel_constraint=self.kernel_constraint,
                    bias_constraint=self.bias_constraint, dtype=self._policy,
                    kernel_initializer=fresh(self.kernel_initializer),
                    bias_initializer=fresh(self.bias_initializer))

    def _dense(self, equation, output_shape, bias_axes, name, shape, activation=None):
        layer = EinsumDense(equation, output_shape=output_shape,
                            bias_axes=bias_axes if self.use_bias else None, name=name,
                            activation=activation, **self._sublayer_kwargs())
        layer._build_with(shape)
        return layer

    def build(self, query_shape, value_shape=None, key_shape=None):
        """Creates the projections for the given query, value and key shapes."""
        if value_shape is None:
            raise ValueError("GroupQueryAttention needs the value shape to build: call it as "
                             "`layer(query, value)`.")
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self.feature_dim = query_shape[-1]
        q_heads, kv_heads, dim = self.num_query_heads, self.num_key_value_heads, self.head_dim
        self._query_dense = self._dense("bqm,muh->bquh", (None, q_heads, dim), "uh", "query",
                                        query_shape)
        self._key_dense = self._dense("bkm,mvh->bkvh", (None, kv_heads, dim), "vh", "key",
                                      key_shape)
        if self.use_gate:
            self._gate_dense = self._dense("bqm,muh->bquh", (None, q_heads, dim), "uh",
                                           "gate", query_shape, activation="sigmoid")
        self._value_dense = self._dense("bkm,mvh->bkvh", (None, kv_heads, dim), "vh", "value",
                                        value_shape)
        self._dropout_layer = Dropout(rate=self.dropout, seed=self.seed)
        self._output_dense = self._dense("bquh,uhm->bqm", (None, self.feature_dim), "m",
                                         "attention_output", (None, None, q_heads, dim))
        self.__dict__["_build_shapes_dict"] = {"query_shape": query_shape,
                                               "value_shape": value_shape,
                                               "key_shape": key_shape}
        self.built = True

    def get_build_config(self):
        if self._build_shapes_dict is None:
            return None
        return {"shapes_dict": dict(self._build_shapes_dict)}

    def build_from_config(self, config):
        if not config:
            return
        shapes = config.get("shapes_dict")
        if shapes is not None:
            self.build(**{k: tuple(v) if v is not None else None for k, v in shapes.items()})

    def __call__(self, query, value=None, key=None, **kwargs):
        if value is None:
            raise ValueError("GroupQueryAttention requires a `value` argument: call it as "
                             "`layer(query, value)`.")
        if not self.built:
            self.build(_shape_tuple(query), _shape_tuple(value),
                       None if key is None else _shape_tuple(key))
        if key is not None:
            kwargs["key"] = key
        return super().__call__(query, value, **kwargs)

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        if query_mask is None:
            query_mask = get_keras_mask(query)
        if value_mask is None:
            value_mask = get_keras_mask(value)
        if key is None:
            key = value
        elif key_mask is None:
            key_mask = get_keras_mask(key)
        value = self._convert(value)
        key = self._convert(key)
        mask = self._attention_mask(query, value, query_mask, value_mask, key_mask,
                                    attention_mask, use_causal_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        q = self._query_dense(query)
        k = A.repeat(self._key_dense(key), self.num_repeats, axis=2)
        v = A.repeat(self._value_dense(value), self.num_repeats, axis=2)
        q = M.multiply(q, Tensor(q.dtype.as_numpy_dtype(self._inverse_sqrt_head_dim)))
        scores = einsum("bquh,bkuh->buqk", q, k)
        fused = not (self.dropout > 0.0 or return_attention_scores)
        scores = self._masked_softmax(scores, mask, zero_masked_rows=not fused)
        dropped = self._dropout_layer(scores, training=training) if self.dropout > 0 \
            else scores
        out = einsum("buqk,bkuh->bquh", dropped, v)
        if gate is not None:
            out = M.multiply(out, gate)
        out = self._output_dense(out)
        if return_attention_scores:
            return out, scores
        return out

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                        use_causal_mask):
        """Returns the boolean ``(B, T, S)`` (or ``(1, T, S)``) mask of all masks, or None."""
        mask = None
        if query_mask is not None:
            mask = np.asarray(query_mask, dtype=bool)[:, :, None]
        for m in (value_mask, key_mask):
            if m is not None:
                m = np.asarray(m, dtype=bool)[:, None, :]
                mask = m if mask is None else mask & m
        t, s = query.shape[1], value.shape[1]
        if use_causal_mask:
            causal = np.tril(np.ones((1, t, s), dtype=bool))
            mask = causal if mask is None else mask & causal
        if self.sliding_window is not None:
            band = np.abs(np.arange(t)[:, None] - np.arange(s)[None, :]) < self.sliding_window
            mask = band[None] if mask is None else mask & band[None]
        if attention_mask is not None:
            am = np.asarray(attention_mask).astype(bool)
            mask = am if mask is None else am & mask
        return mask

    @staticmethod
    def _masked_softmax(scores, mask, zero_masked_rows):
        if mask is None:
            return softmax(scores, axis=-1)
        while mask.ndim < 4:   # broadcast over the heads axis
            mask = np.expand_dims(mask, -3)
        dt = np.dtype(scores.dtype.as_numpy_dtype)
        big = np.finfo(dt).min / 2 if dt == np.float16 else -1e9
        full = np.broadcast_to(mask, tuple(scores.shape))
        p = softmax(M.add(scores, Tensor(np.where(full, 0, big).astype(dt))), axis=-1)
        if not zero_masked_rows:
            return p
        return M.multiply(p, Tensor(full.astype(dt)))

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        """Returns the query's shape.

        Raises:
          ValueError: if the last sizes of query and value differ, or value and key disagree.
        """
        if value_shape is None:
            return None   # symbolic calls run the layer (covers return_attention_scores)
        if key_shape is None:
            key_shape = value_shape
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(
                "The last dimension of `query_shape` and `value_shape` must be equal, but are "
                f"{query_shape[-1]}, {value_shape[-1]}. Received: query_shape={query_shape}, "
                f"value_shape={value_shape}")
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError("All dimensions of `value` and `key`, except the last one, must "
                             f"be equal. Received: value_shape={value_shape} and "
                             f"key_shape={key_shape}")
        return query_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "head_dim": self.head_dim, "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias,
            "use_gate": self.use_gate, "sliding_window": self.sliding_window,
            "dropout": self.dropout,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "seed": self.seed})
        return config



GroupQueryAttention = GroupedQueryAttention
