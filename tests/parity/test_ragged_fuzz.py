"""RaggedTensor reductions (every kind, axis, axis pair, keepdims) and merge_dims (every
axis pair) against TensorFlow 2.21, on seeded random ragged tensors: ragged ranks 1-3,
empty rows, a uniform inner dimension, int and float values. Compared by repr (values,
dtype, shape, printing) or by exception class."""
import itertools

import numpy as np
import pytest

import tapeflow as tf

KINDS = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
         "reduce_any", "reduce_all"]


def _rows(rng, depth, inner):
    n = int(rng.integers(0, 4))
    if depth == 0:
        return rng.integers(-4, 6, size=[n] + inner).tolist()
    return [_rows(rng, depth - 1, inner) for _ in range(n)]


def _specs():
    out = []
    for seed, depth, inner, dtype in [(0, 1, [], "int32"), (1, 1, [], "float32"),
                                      (2, 2, [], "int32"), (3, 2, [], "float32"),
                                      (4, 1, [2], "float32"), (5, 3, [], "int32"),
                                      (6, 2, [3], "int32"), (7, 1, [], "float32")]:
        rng = np.random.default_rng(seed)
        rows = [_rows(rng, depth - 1, inner) for _ in range(int(rng.integers(2, 5)))]
        out.append((f"seed{seed}_d{depth}_{dtype}", rows, depth, len(inner), dtype))
    return out


SPECS = _specs()


def _make(lib, rows, depth, inner_rank, dtype):
    return lib.ragged.constant(rows, dtype=getattr(lib, dtype), ragged_rank=depth)


def _outcome(fn):
    try:
        return repr(fn())
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return "raises " + type(e).__name__


def _calls(rank):
    axes = [None] + list(range(-rank, rank)) + list(itertools.combinations(range(rank), 2))
    for kind, axis, keep in itertools.product(KINDS, axes, (False, True)):
        yield f"{kind}(axis={axis}, keepdims={keep})", \
            lambda lib, x, kind=kind, axis=axis, keep=keep: getattr(lib, kind)(
                x if kind not in ("reduce_any", "reduce_all") else lib.ragged.map_flat_values(
                    lib.greater, x, 0 if x.dtype.is_integer else 0.0),
                axis=axis, keepdims=keep)
    for a, b in itertools.product(range(-rank - 1, rank + 1), repeat=2):
        yield f"merge_dims({a}, {b})", lambda lib, x, a=a, b=b: x.merge_dims(a, b)


@pytest.mark.parametrize("spec", SPECS, ids=[s[0] for s in SPECS])
def test_reductions_and_merge_dims_match_tensorflow(rtf, spec):
    name, rows, depth, inner_rank, dtype = spec
    ours, theirs = _make(tf, *spec[1:]), _make(rtf, *spec[1:])
    assert repr(ours) == repr(theirs)
    rank = theirs.shape.rank
    bad = []
    for label, fn in _calls(rank):
        a, b = _outcome(lambda: fn(tf, ours)), _outcome(lambda: fn(rtf, theirs))
        if a != b:
            bad.append(f"{label}:\n  tapeflow:   {a}\n  TensorFlow: {b}")
    assert not bad, f"{name} {rows}: {len(bad)} mismatches\n" + "\n".join(bad[:8])
