"""``keras.utils.timeseries_dataset_from_array``: sliding windows over an array, by index."""
import numpy as np

from tapeflow.data import Dataset, AUTOTUNE
from tapeflow.data import structure as st
from tapeflow.data.transformations import _MapDataset
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.tensor_spec import TensorSpec
from tapeflow.framework.variable import array_of


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """Creates a dataset of sliding windows over a timeseries array.

    Window ``i`` starts at ``start_index + i * sequence_stride`` and holds
    ``sequence_length`` steps spaced by ``sampling_rate``; its target is
    ``targets[start_index + i * sequence_stride]``. Windows are gathered whole-batch
    with NumPy indexing.

    Args:
      data: array (or tensor); axis 0 is time.
      targets: targets per window start, or None.
      sequence_length: steps per window.
      sequence_stride: steps between window starts.
      sampling_rate: steps between samples inside a window.
      batch_size: windows per batch, or None for single windows.
      shuffle: shuffle the windows.
      seed: the shuffle seed.
      start_index: first step used (inclusive).
      end_index: last step used (exclusive).

    Returns:
      A ``tf.data.Dataset`` of ``(windows, targets)`` (windows alone without targets);
      windows have shape ``(batch, sequence_length) + data.shape[1:]`` and data's dtype.

    Raises:
      ValueError: for out-of-range indices, strides or rates.
    """
    data = st.to_array(data)
    n = len(data)
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: "
                             f"start_index={start_index}")
        if start_index >= n:
            raise ValueError("`start_index` must be lower than the length of the data. "
                             f"Received: start_index={start_index}, for data of length {n}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError("`end_index` must be higher than `start_index`. Received: "
                             f"start_index={start_index}, and end_index={end_index} ")
        if end_index >= n:
            raise ValueError("`end_index` must be lower than the length of the data. "
                             f"Received: end_index={end_index}, for data of length {n}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    if sampling_rate <= 0:
        raise ValueError(f"`sampling_rate` must be higher than 0. Received: "
                         f"sampling_rate={sampling_rate}")
    if sampling_rate >= n:
        raise ValueError("`sampling_rate` must be lower than the length of the data. "
                         f"Received: sampling_rate={sampling_rate}, for data of length {n}")
    if sequence_stride <= 0:
        raise ValueError(f"`sequence_stride` must be higher than 0. Received: "
                         f"sequence_stride={sequence_stride}")
    if sequence_stride >= n:
        raise ValueError("`sequence_stride` must be lower than the length of the data. "
                         f"Received: sequence_stride={sequence_stride}, for data of length {n}")
    start_index = start_index or 0
    end_index = end_index if end_index is not None else n
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    tgt = None
    if targets is not None:
        tgt = st.to_array(targets)[start_index:end_index]
        num_seqs = min(num_seqs, len(targets))
    index_dtype = np.int32 if num_seqs < 2147483647 else np.int64
    starts = np.arange(0, max(num_seqs, 0), sequence_stride, dtype=index_dtype)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(starts)
    steps = data[start_index:end_index]
    offsets = np.arange(sequence_length, dtype=np.intp) * sampling_rate

    ds = Dataset.from_tensor_slices(starts)
    if shuffle:
        ds = ds.shuffle(batch_size * 8 if batch_size is not None else 1024, seed=seed)
    if batch_size is not None:
        ds = ds.batch(batch_size)
    lead = [None] if batch_size is not None else []
    # As Keras's element_spec: the window length is left unknown.
    x_spec = TensorSpec(lead + [None] + list(steps.shape[1:]), st.spec_of(steps).dtype)

    def windows(p):
        pos = array_of(p).astype(np.intp)
        x = Tensor(steps[pos[..., None] + offsets])
        if tgt is None:
            return x
        return x, Tensor(tgt[pos])

    if tgt is None:
        out = _MapDataset(ds, windows, AUTOTUNE, output_spec=(None, [x_spec])).prefetch(AUTOTUNE)
    else:
        y_spec = TensorSpec(lead + list(tgt.shape[1:]), st.spec_of(tgt).dtype)
        out = _MapDataset(ds, windows, AUTOTUNE,
                          output_spec=((None, None), [x_spec, y_spec])).prefetch(AUTOTUNE)
    # Keras's pipeline ends with its batch (or shuffle) step; its repr names that step.
    if batch_size is not None:
        out._tf_name = "_BatchDataset"
    elif shuffle:
        out._tf_name = "_ShuffleDataset"
    return out
