"""tnp shape manipulation and indexing against NumPy, with gradients."""
import numpy as np
import pytest

import tapeflow as tf
import tapeflow.experimental.numpy as tnp
from tests.gradcheck import check_grads

A = np.arange(24.0).reshape(2, 3, 4) / 7.0
S = np.array([[1.5, -2.0, 3.0], [0.25, 5.0, -6.5]])

CASES = [
    ("reshape", (A, (4, 6)), {}), ("reshape", (A, (6, -1)), {"order": "F"}),
    ("ravel", (A,), {}), ("transpose", (A, (2, 0, 1)), {}), ("swapaxes", (A, 0, 2), {}),
    ("moveaxis", (A, [0, 1], [-1, -2]), {}), ("squeeze", (A[:1],), {}),
    ("expand_dims", (S, 1), {}), ("atleast_3d", (S,), {}), ("tile", (S, (2, 1, 2)), {}),
    ("repeat", (S, [1, 2], 0), {}), ("flip", (A,), {}), ("flip", (A, 1), {}),
    ("fliplr", (S,), {}), ("flipud", (S,), {}), ("rot90", (S,), {}),
    ("rot90", (S, 3), {}), ("rot90", (A, 2, (1, 2)), {}), ("roll", (S, 2), {}),
    ("roll", (A, -1, 2), {}), ("broadcast_to", (S[0], (4, 3)), {}),
    ("take", (S, [2, 0], 1), {}), ("take_along_axis", (S, np.array([[1, 0, 1]]), 0), {}),
    ("compress", ([False, True], S, 0), {}), ("diagonal", (A, 1, 1, 2), {}),
    ("diagonal", (S, -1), {}), ("diag", (S[0],), {}), ("diag", (S[0], 2), {}),
    ("diag", (S, 1), {}), ("diagflat", (S, -1), {}), ("tril", (A,), {}),
    ("triu", (A, 1), {}), ("pad", (S, [[1, 0], [2, 1]], "reflect"), {}),
    ("pad", (S, 1, "symmetric"), {}), ("pad", (S, ((1, 0), (0, 2)), "constant"),
                                       {"constant_values": 9}),
    ("vander", (S[0],), {}), ("vander", (S[0], 4), {"increasing": True}),
    ("select", ([S > 0, S < -3], [S, S * 2], 9.0), {}),
]


@pytest.mark.parametrize("name, args, kwargs", CASES, ids=lambda c: str(c)[:20])
def test_values_match_numpy(name, args, kwargs):
    ours = getattr(tnp, name)(*args, **kwargs)
    np.testing.assert_allclose(ours.numpy(), getattr(np, name)(*args, **kwargs), rtol=1e-12)


@pytest.mark.parametrize("name, args, kwargs", [c for c in CASES if isinstance(c[1][0], np.ndarray)
                                                 and c[0] not in ("take_along_axis",)],
                         ids=lambda c: str(c)[:20])
def test_gradients(name, args, kwargs):
    check_grads(lambda x: getattr(tnp, name)(x, *args[1:], **kwargs), [args[0]], order=2,
                name=name)


def test_joining_and_splitting():
    np.testing.assert_array_equal(tnp.concatenate([[1], [2.0]]).numpy(), [1.0, 2.0])
    assert tnp.concatenate([[1], [2.0]]).dtype == tf.float64
    for name in ("hstack", "vstack", "dstack"):
        np.testing.assert_array_equal(getattr(tnp, name)([S, S]).numpy(),
                                      getattr(np, name)([S, S]))
    np.testing.assert_array_equal(tnp.append([[1]], [2, 3]).numpy(), [1, 2, 3])
    parts = tnp.split(tnp.arange(6), [1, 4])
    assert [p.numpy().tolist() for p in parts] == [[0], [1, 2, 3], [4, 5]]
    assert len(tnp.hsplit(tnp.ones((2, 4)), 2)) == 2
    with pytest.raises(tf.errors.InvalidArgumentError):
        tnp.split(tnp.arange(5), 2)
    with pytest.raises(ValueError):   # TensorFlow's tnp refuses axis=None
        tnp.concatenate([[1], [2]], axis=None)
    check_grads(lambda x: tnp.stack([x, 2 * x], axis=1), [S], order=2)


def test_grids_and_queries():
    xs, ys = tnp.meshgrid([1, 2], [3, 4, 5])
    assert xs.shape.as_list() == [3, 2]
    assert [t.shape.as_list() for t in tnp.ix_([0, 1], [2, 3, 4])] == [[2, 1], [1, 3]]
    assert [t.dtype for t in tnp.diag_indices(2)] == [tf.int32, tf.int32]
    assert tnp.shape([[1, 2]]).as_list() == [1, 2] and tnp.ndim([[1, 2]]) == 2
    assert tnp.size([[1, 2]]) == 2 and isinstance(tnp.size([[1, 2]]), np.int64)
    assert tnp.isscalar(1) and not tnp.isscalar([1])
    assert tnp.iscomplexobj([1j]) and tnp.isrealobj([1.0])
    b = tnp.broadcast_arrays([1, 2], [[1], [2]])
    assert [t.shape.as_list() for t in b] == [[2, 2], [2, 2]]
    assert tnp.take([1, 2, 3], [5, -1]).numpy().tolist() == [3, 1]   # TF clips by default
    assert tnp.take([1, 2, 3], [4, -1], mode="wrap").numpy().tolist() == [2, 3]
    with pytest.raises(ValueError):
        tnp.diag(tnp.ones((2, 2, 2)))
