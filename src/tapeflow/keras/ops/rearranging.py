"""einops-style ``rearrange`` (``"b (h w) c -> b h w c"``) as reshape + transpose + reshape."""
import math

import tapeflow as tf
from tapeflow.keras.keras_tensor import KerasTensor
from tapeflow.keras.ops.operation import symbolic_op
from tapeflow.keras.ops.promotion import to_tensor


def _parse(side):
    groups, cur, depth = [], None, 0
    for tok in side.replace("(", " ( ").replace(")", " ) ").split():
        if tok == "(":
            cur, depth = [], 1
        elif tok == ")":
            groups.append(cur)
            cur, depth = None, 0
        elif depth:
            cur.append(tok)
        else:
            groups.append([tok])
    return groups


def rearrange(tensor, pattern, **axes_lengths):
    """Returns ``tensor`` with its axes split, permuted and merged as ``pattern`` says."""
    if type(tensor) is KerasTensor:
        return symbolic_op("rearrange", (tensor, pattern), dict(axes_lengths))
    x = to_tensor(tensor)
    left, right = (s.strip() for s in pattern.split("->"))
    lg, rg = _parse(left), _parse(right)
    if len(lg) != len(x.shape):
        raise ValueError(f"Pattern {pattern!r} names {len(lg)} axes; the tensor has "
                         f"{len(x.shape)}: {tuple(x.shape)}")
    sizes = dict(axes_lengths)
    for group, dim in zip(lg, x.shape):
        unknown = [n for n in group if n not in sizes]
        known = math.prod(sizes[n] for n in group if n in sizes)
        if len(unknown) == 1:
            sizes[unknown[0]] = dim // known
        elif len(unknown) > 1:
            raise ValueError(f"Cannot infer the sizes of {unknown} in {pattern!r}")
    names = [n for g in lg for n in g]
    y = tf.reshape(x, [sizes[n] for n in names])
    order = [names.index(n) for g in rg for n in g]
    y = tf.transpose(y, order)
    return tf.reshape(y, [math.prod(sizes[n] for n in g) for g in rg])
