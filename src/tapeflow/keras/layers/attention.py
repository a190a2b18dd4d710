"""Attention layers: EinsumDense, MultiHeadAttention (Keras 3's weights and equations), Attention.

MultiHeadAttention projects query, key and value with ``EinsumDense`` kernels
of shape ``(dim, num_heads, key_dim)``, scores ``softmax(q k / sqrt(key_dim))``
over the attention axes (the query is scaled before the product, as Keras does),
and projects the per-head outputs back with a ``(num_heads, value_dim, dim)``
kernel. All contractions are ``einsum`` ops, so gradients flow to inputs and
weights.
"""
import math
import string

import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras import activations, constraints, initializers, regularizers
from tapeflow.keras.layers.core import Dropout
from tapeflow.keras.layers.layer import Layer
from tapeflow.keras.layers.masking_utils import get_keras_mask
from tapeflow.ops import array_ops as A
from tapeflow.ops import attention_ops
from tapeflow.ops import math_ops as M
from tapeflow.ops.linalg_ops import einsum
from tapeflow.ops.nn_ops import softmax

_ser_init = initializers.serialize
_ser_reg = regularizers.serialize
_ser_con = constraints.serialize
_LETTERS = string.ascii_lowercase
# False: MultiHeadAttention runs the op-by-op einsum/softmax path (tests and benchmarks
# compare against it).
FUSED = True


def _shape_tuple(x):
    """Returns the shape of a Tensor, KerasTensor or array as a tuple (None: unknown)."""
    s = getattr(x, "shape", None)
    if s is None:
        s = np.shape(x)
    if hasattr(s, "as_list"):
        s = s.as_list()
    return tuple(None if d is None else int(d) for d in s)


class EinsumDense(Layer):
    """A dense layer written as an einsum: ``einsum(equation, inputs, kernel) + bias``.

    Args:
      equation: ``"<input>,<kernel>-><output>"`` with one letter per axis
        (e.g. ``"abc,cde->abde"``).
      output_shape: the output shape without the batch axis (None for unknown sizes).
      activation: optional activation.
      bias_axes: letters of the output axes that have a bias (None: no bias).
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        self.equation = equation
        if isinstance(output_shape, (int, np.integer)):
            output_shape = (int(output_shape),)
        self.partial_output_shape = tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def _specs(self):
        lhs, out = self.equation.replace(" ", "").split("->")
        inp, ker = lhs.split(",")
        if "." in self.equation:
            raise ValueError(f"EinsumDense: ellipses are not supported. Received: "
                             f"equation={self.equation}")
        return inp, ker, out

    def build(self, input_shape):
        inp, ker, out = self._specs()
        input_shape = tuple(input_shape)
        partial = self.partial_output_shape
        if len(partial) == len(out) - 1:  # the output shape leaves out the batch axis
            full_out = (input_shape[0],) + partial
        else:
            full_out = partial
        sizes = {}
        for c, d in zip(inp, input_shape):
            sizes[c] = d
        for c, d in zip(out, full_out):
            if d is not None:
                sizes.setdefault(c, d)
        kernel_shape = tuple(sizes[c] for c in ker)
        self.full_output_shape = tuple(sizes.get(c) if c in inp and sizes.get(c) is not None
                                       else d for c, d in zip(out, full_out))
        self.kernel = self.add_weight(
            shape=kernel_shape, initializer=self.kernel_initializer, name="kernel",
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.bias_axes:
            first = min(out.find(c) for c in self.bias_axes)
            bias_shape = tuple(sizes[c] if c in self.bias_axes else 1 for c in out[first:])
            self.bias = self.add_weight(
                shape=bias_shape, initializer=self.bias_initializer, name="bias",
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def call(self, inputs, training=None):
        y = einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            y = M.add(y, self.bias)
        if self.activation is not activations.linear:
            y = self.activation(y)
        return y

    def compute_output_shape(self, input_shape):
        # Keras 3: the batch size, then ``output_shape`` as given (a None stays None even
        # where the equation carries the input's size through).
        _, _, out = self._specs()
        partial = self.partial_output_shape
        if len(partial) == len(out) - 1:
            return (tuple(input_shape)[0],) + partial
        return partial

    def get_config(self):
        config = super().get_config()
        config.update({
            "output_shape": self.partial_output_shape, "equation": self.equation,
            "activation": activations.serialize(self.activation), "bias_axes": self.bias_axes,
            "kernel_initializer": _ser_init(self.kernel_initializer),
            "bias_initializer": _ser_init(self.bias_initializer),
            "kernel_regularizer": _ser_reg(self.kernel_regularizer),
            "bias_regularizer": _ser_reg(self.bias_regularizer),
            "activity_regularizer": _ser_reg(self.activity_regularizer),
            "kernel_constraint": _ser_con(self.kernel_constraint),
            "bias_constraint": _ser_con(self.bias_constraint),
            "quantization_config": None})
        return config


def _projection_equation(free_dims, bound_dims, output_dims):
    """Returns ``(equation, bias_axes, output_rank)`` of a projection (Keras's layout).

    The input has ``free_dims`` kept axes then ``bound_dims`` contracted axes;
    the kernel maps the contracted axes to ``output_dims`` new axes.
    """
    free = _LETTERS[:free_dims]
    bound = _LETTERS[free_dims:free_dims + bound_dims]
    new = _LETTERS[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    equation = f"{free}{bound},{bound}{new}->{free}{new}"
    return equation, new, free_dims + output_dims


def _attention_equations(rank, attn_axes):
    """Returns ``(dot_product_equation, combine_equation, scores_rank)``.

    ``rank`` is the rank of the projected query ``(batch..., T..., heads, dim)``.
    The scores have axes ``(batch..., heads, T..., S...)``.
    """
    target = _LETTERS[:rank]
    batch_dims = [i for i in range(rank) if i not in attn_axes and i != rank - 1]
    source = list(target)
    offset = rank
    for i in attn_axes:
        source[i] = _LETTERS[offset]
        offset += 1
    source = "".join(source)
    product = ("".join(target[i] for i in batch_dims) + "".join(target[i] for i in attn_axes)
               + "".join(source[i] for i in attn_axes))
    dot = f"{source},{target}->{product}"
    combine = f"{product},{source}->{target}"
    return dot, combine, len(product)


class MultiHeadAttention(Layer):
    """Multi-head attention (``keras.layers.MultiHeadAttention``, "Attention Is All You Need").

    Args:
      num_heads: number of attention heads.
      key_dim: size of each head for query and key.
      value_dim: size of each head for value (default ``key_dim``).
      dropout: dropout rate on the attention probabilities (training only).
      use_bias: whether the projections have biases.
      output_shape: size(s) of the output's last axes (default the query's last size).
      attention_axes: the axes attention runs over (default all but batch, heads and features).
      kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
      activity_regularizer, kernel_constraint, bias_constraint: for the projections.
      seed: seed of the dropout.

    Call arguments:
      query: ``(B, T, dim)``; value: ``(B, S, dim)``; key: ``(B, S, dim)``
      (default ``value``); attention_mask: boolean ``(B, T, S)``, True where
      attention is allowed; return_attention_scores: also return the
      ``(B, num_heads, T, S)`` probabilities; use_causal_mask: forbid
      attending to later positions. Keras masks on query/value/key are applied.

    Returns:
      The ``(B, T, dim)`` output, or ``(output, scores)``.
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False,
                 sliding_window=None, seed=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if use_gate or sliding_window is not None:
            raise NotImplementedError("MultiHeadAttention(use_gate=True) and sliding_window "
                                      "are not supported by tapeflow.")
        self._use_gate = False
        self._sliding_window = None
        self.supports_masking = True
        self._num_heads = int(num_heads)
        self._key_dim = int(key_dim)
        self._value_dim = int(value_dim) if value_dim is not None else int(key_dim)
        self._dropout = dropout
        self._use_bias = use_bias
        if isinstance(output_shape, (int, np.integer)):
            output_shape = (int(output_shape),)  # Keras 3 keeps (and shows) a tuple
        elif output_shape is not None:
            output_shape = tuple(output_shape)
        self._output_shape = output_shape
        if isinstance(attention_axes, (int, np.integer)):
            attention_axes = (int(attention_axes),)
        elif attention_axes is not None:
            attention_axes = tuple(attention_axes)
        self._attention_axes = attention_axes
        self._flash_attention = flash_attention
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)

    @property
    def query_dense(self):
        """Returns the query projection (an EinsumDense)."""
        return self._query_dense

    @property
    def key_dense(self):
        """Returns the key projection (an EinsumDense)."""
        return self._key_dense

    @property
    def value_dense(self):
        """Returns the value projection (an EinsumDense)."""
        return self._value_dense

    @property
    def output_dense(self):
        """Returns the output projection (an EinsumDense)."""
        return self._output_dense

    def _sublayer_kwargs(self):
        def fresh(init):
            return init.__class__.from_config(init.get_config())
        return dict(kernel_initializer=fresh(self._kernel_initializer),
                    bias_initializer=fresh(self._bias_initializer),
                    kernel_regularizer=self._kernel_regularizer,
                    bias_regularizer=self._bias_regularizer,
                    kernel_constraint=self._kernel_constraint,
                    bias_constraint=self._bias_constraint, dtype=self._policy)

    def _projection(self, shape, heads_dims, name):
        eq, bias_axes, out_rank = _projection_equation(len(shape) - 1, 1, 2)
        layer = EinsumDense(eq, output_shape=(None,) * (out_rank - 3) + heads_dims,
                            bias_axes=bias_axes if self._use_bias else None, name=name,
                            **self._sublayer_kwargs())
        layer._build_with(shape)
        return layer

    def build(self, query_shape, value_shape=None, key_shape=None):
        """Creates the four projections for the given query, value and key shapes."""
        if value_shape is None:
            raise ValueError("MultiHeadAttention needs the value shape to build: call it as "
                             "`layer(query, value)` or `layer.build(query_shape, value_shape)`.")
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        heads = self._num_heads
        self._query_dense = self._projection(query_shape, (heads, self._key_dim), "query")
        self._key_dense = self._projection(key_shape, (heads, self._key_dim), "key")
        self._value_dense = self._projection(value_shape, (heads, self._value_dim), "value")
        rank = len(query_shape) + 1  # projected: (batch, T..., heads, dim)
        axes = self._attention_axes
        if axes is None:
            axes = tuple(range(1, rank - 2))
            self._attention_axes = axes  # Keras 3's config shows the axes once built
        else:
            axes = tuple(a % (rank - 1) for a in axes)
        self._attn_axes = axes
        self._dot_eq, self._combine_eq, scores_rank = _attention_equations(rank, axes)
        self._norm_axes = tuple(range(scores_rank - len(axes), scores_rank))
        if self._output_shape is None:
            out_dims = (query_shape[-1],)
        elif isinstance(self._output_shape, (int, np.integer)):
            out_dims = (int(self._output_shape),)
        else:
            out_dims = tuple(self._output_shape)
        eq, bias_axes, out_rank = _projection_equation(len(query_shape) - 1, 2, len(out_dims))
        self._output_dense = EinsumDense(
            eq, output_shape=(None,) * (out_rank - len(out_dims) - 1) + out_dims,
            bias_axes=bias_axes if self._use_bias else None, name="attention_output",
            **self._sublayer_kwargs())
        self._output_dense._build_with(query_shape[:-1] + (heads, self._value_dim))
        self._dropout_layer = Dropout(rate=self._dropout, seed=self.seed)
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
            raise ValueError("MultiHeadAttention requires a `value` argument: call it as "
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
        mask = self._compute_attention_mask(query, value, query_mask, value_mask, key_mask,
                                            attention_mask, use_causal_mask)
        q = self._query_dense(query)
        k = self._key_dense(key)
        v = self._value_dense(value)
        out, scores = self._compute_attention(q, k, v, mask, training,
                                              return_attention_scores)
        out = self._output_dense(out)
        if return_attention_scores:
            return out, scores
        return out

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        """Returns the output shape: the query's shape with the last axis ``output_shape``.

        Raises:
          ValueError: if the last sizes of query and value differ.
        """
        if value_shape is None:
            # Symbolic calls ask with the query shape alone; returning None makes them
            # run the layer, which also covers ``return_attention_scores=True``.
            return None
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(
                f"The last dimension of `query_shape` and `value_shape` must be equal, but are "
                f"{query_shape[-1]}, {value_shape[-1]}. Received: query_shape={query_shape}, "
                f"value_shape={value_shape}")
        if key_shape is not None and value_shape[1:-1] != tuple(key_shape)[1:-1]:
            raise ValueError(
                f"All dimensions of `value` and `key`, except the last one, must be equal. "
                f"Received: value_shape={value_shape} and key_shape={tuple(key_shape)}")
        out = self._output_shape
        if out is None:
            return query_shape
        return query_shape[:-1] + ((int(out),) if isinstance(out, (int, np.integer))
                                   else tuple(out))

    def _compute_attention_mask(self, query, value, query_mask, value_mask, key_mask,
                                attention_mask, use_causal_mask):
        """Returns the boolean ``(B, T, S)`` mask combining all masks, or None."""
        mask = None
        if query_mask is not None:
            mask = np.asarray(query_mask, dtype=bool)[:, :, None]
        for m in (value_mask, key_mask):
            if m is not None:
                m = np.asarray(m, dtype=bool)[:, None, :]
                mask = m if mask is None else mask & m
        if use_causal_mask:
            t, s = query.array.shape[1], value.array.shape[1]
            causal = np.tril(np.ones((1, t, s), dtype=bool))
            mask = causal if mask is None else mask & causal
        if attention_mask is not None:
            am = np.asarray(attention_mask).astype(bool)
            mask = am if mask is None else mask & am
        return mask

    def _masked_softmax(self, scores, mask, zero_masked_rows=True):
        if mask is None:
            if len(self._norm_axes) == 1:
                return softmax(scores, axis=self._norm_axes[0])
            return _softmax_axes(scores, self._norm_axes)
        nd = scores.array.ndim
        axis = -len(self._attn_axes) * 2 - 1
        while mask.ndim < nd:  # broadcast over the heads axis
            mask = np.expand_dims(mask, axis)
        dt = scores.array.dtype
        big = -3e4 if dt == np.float16 else -1e9
        keep = mask.astype(dt)
        x = M.add(scores, Tensor((1.0 - keep) * dt.type(big)))
        if len(self._norm_axes) == 1:
            p = softmax(x, axis=self._norm_axes[0])
        else:
            p = _softmax_axes(x, self._norm_axes)
        if not zero_masked_rows:
            return p
        return M.multiply(p, Tensor(np.broadcast_to(keep, p.array.shape).copy()
                                    if keep.shape != p.array.shape else keep))

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           return_attention_scores=False):
        """Returns ``(attention_output, attention_scores)`` from projected q, k, v.

        As Keras 3: a query row whose keys are all masked gets all-zero scores when the scores
        are returned or dropout is set, and otherwise (Keras's fused dot-product attention)
        attends uniformly to every key.
        """
        fusable = (FUSED and len(query.shape) == 4 and tuple(self._attn_axes) == (1,)
                   and query.dtype.name in attention_ops.FUSED_DTYPES
                   and key.dtype == query.dtype == value.dtype)
        if fusable and not (return_attention_scores or self._dropout):
            # Keras's dot-product-attention path: the scale multiplies the logits, and a
            # row with every key masked attends uniformly.
            out, _ = attention_ops.dot_product_attention(
                query, key, value, mask=_expand_mask(attention_mask),
                scale=self._inverse_sqrt_key_dim)
            return out, None
        query = M.multiply(query, Tensor(query.array.dtype.type(self._inverse_sqrt_key_dim)))
        if fusable and not (training and self._dropout):
            # The explicit-scores path (masked Softmax: masked weights are zeros), one op.
            out, scores = attention_ops.dot_product_attention(
                query, key, value, mask=_expand_mask(attention_mask), zero_masked_rows=True)
            return out, scores
        scores = einsum(self._dot_eq, key, query)
        fused = not (self._dropout or return_attention_scores) and query.array.ndim == 4
        scores = self._masked_softmax(scores, attention_mask, zero_masked_rows=not fused)
        dropped = self._dropout_layer(scores, training=training) if self._dropout else scores
        return einsum(self._combine_eq, dropped, value), scores

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_heads": self._num_heads, "key_dim": self._key_dim,
            "value_dim": self._value_dim, "dropout": self._dropout, "use_bias": self._use_bias,
            "use_gate": self._use_gate, "output_shape": self._output_shape,
            "attention_axes": self._attention_axes, "sliding_window": self._sliding_window,
            "kernel_initializer": _ser_init(self._kernel_initializer),
            "bias_initializer": _ser_init(self._bias_initializer),
            "kernel_regularizer": _ser_reg(self._kernel_regularizer),
            "bias_regularizer": _ser_reg(self._bias_regularizer),
            "activity_regularizer": _ser_reg(self.activity_regularizer),
            "kernel_constraint": _ser_con(self._kernel_constraint),
            "bias_constraint": _ser_con(self._bias_constraint),
            "seed": self.seed})
        return config


class Attention(Layer):
    """Dot-product (Luong-style) attention: ``softmax(query @ key^T) @ value``.

    Args:
      use_scale: learn a scalar ``scale`` multiplying the scores.
      score_mode: ``"dot"`` or ``"concat"`` (``sum(tanh(query + key))``
        times a learned ``concat_score_weight``).
      dropout: dropout rate on the attention probabilities (training only).
      seed: seed of the dropout.

    Call arguments:
      inputs: ``[query, value]`` or ``[query, value, key]``, shapes
      ``(B, Tq, dim)`` and ``(B, Tv, dim)``; mask: optional
      ``[query_mask, value_mask]`` (Keras masks are used by default);
      return_attention_scores; use_causal_mask.

    Returns:
      The ``(B, Tq, dim)`` output, or ``(output, scores)``.
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Invalid value for argument score_mode. Expected one of "
                             f"{{'dot', 'concat'}}. Received: score_mode={score_mode}")
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        self.supports_masking = True
        self.scale = None
        self.concat_score_weight = None

    def build(self, input_shape):
        if self.use_scale:
            self.scale = self.add_weight(shape=(), initializer="ones", name="scale")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(shape=(), initializer="ones",
                                                       name="concat_score_weight")
        self._dropout_layer = Dropout(rate=self.dropout, seed=self.seed)
        self.built = True

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = einsum("bqd,bvd->bqv", query, key)
            if self.scale is not None:
                scores = M.multiply(scores, self.scale)
            return scores
        summed = M.add(A.expand_dims(query, -2), A.expand_dims(key, -3))
        if self.scale is not None:
            summed = M.multiply(summed, self.scale)
        return M.multiply(self.concat_score_weight,
                          M.reduce_sum(M.tanh(summed), axis=-1))

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
            raise ValueError(f"Attention layer must be called on a list of inputs, namely "
                             f"[query, value] or [query, value, key]. Received: "
                             f"inputs={inputs}.")
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) == 3 else value
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask and len(mask) > 1 else None
        scores = self._calculate_scores(query, key)
        keep = None
        if v_mask is not None:
            keep = np.asarray(v_mask, dtype=bool)[:, None, :]
        if use_causal_mask:
            tq, tv = scores.array.shape[-2:]
            causal = np.tril(np.ones((1, tq, tv), dtype=bool))
            keep = causal if keep is None else keep & causal
        dt = scores.array.dtype
        if keep is not None:
            big = 65504.0 if dt == np.float16 else 1.0e9
            scores = M.subtract(scores, Tensor((~keep).astype(dt) * dt.type(big)))
        weights = softmax(scores, axis=-1)
        dropped = weights
        if training and self.dropout > 0:
            dropped = self._dropout_layer(weights, training=training)
        result = einsum("bqv,bvd->bqd", dropped, value)
        if q_mask is not None:
            result = M.multiply(result, Tensor(np.asarray(q_mask).astype(dt)[..., None]))
        if return_attention_scores:
            return result, weights
        return result

    def compute_mask(self, inputs, mask=None):
        if not mask or mask[0] is None:
            return None
        return mask[0]

    def get_config(self):
        config = super().get_config()
        config.update({"use_scale": self.use_scale, "score_mode": self.score_mode,
                       "dropout": self.dropout})
        return config


def _expand_mask(mask):
    """Returns the ``(batch, T, S)`` mask with the heads axis inserted (rank 4), or None."""
    if mask is None:
        return None
    while mask.ndim < 4:
        mask = np.expand_dims(mask, -3)
    return mask


def _softmax_axes(x, axes):
    """Softmax over several axes: ``exp(x - logsumexp(x, axes))``."""
    m = np.max(x.array, axis=axes, keepdims=True)
    shifted = M.subtract(x, Tensor(m))
    e = M.exp(shifted)
    return M.divide(e, M.reduce_sum(e, axis=list(axes), keepdims=True))


__all__ = ["Attention", "EinsumDense", "MultiHeadAttention"]
