"""``keras.utils.to_categorical`` and ``keras.utils.normalize``."""
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.framework.variable import array_of


def to_categorical(x, num_classes=None):
    """Converts a class vector (integers) to a one-hot matrix.

    Args:
      x: array-like of class indices in ``[0, num_classes)``.
      num_classes: the number of classes; ``max(x) + 1`` when None.

    Returns:
      A NumPy array (float64, as Keras 3 returns for NumPy input) with the class axis
      last; a trailing axis of size 1 in ``x`` is replaced. For a Tensor input, a
      float32 one-hot Tensor.

    >>> to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    if isinstance(x, Tensor):
        v = array_of(x)
        if num_classes is None:
            num_classes = int(np.max(v)) + 1
        return Tensor(np.eye(num_classes, dtype=np.float32)[np.asarray(v, dtype=np.intp)])
    x = np.array(x, dtype="int64")
    input_shape = x.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    x = x.reshape(-1)
    if not num_classes:
        num_classes = np.max(x) + 1
    n = x.shape[0]
    categorical = np.zeros((n, num_classes))
    categorical[np.arange(n), x] = 1
    return categorical.reshape(input_shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """Normalizes an array along ``axis`` to unit ``order``-norm (zero norms left as is).

    Returns:
      A normalized copy (a NumPy array for NumPy input, a Tensor for a Tensor).
    """
    is_tensor = isinstance(x, Tensor)
    v = np.asarray(array_of(x) if is_tensor else x)
    norm = np.atleast_1d(np.linalg.norm(v, order, axis))
    norm[norm == 0] = 1
    out = v / np.expand_dims(norm, axis or -1)
    return Tensor(out.astype(v.dtype) if v.dtype.kind == "f" else out) if is_tensor else out
