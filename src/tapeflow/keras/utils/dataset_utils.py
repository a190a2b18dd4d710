"""``keras.utils.split_dataset`` and the folder-indexing helpers the ``*_dataset_from_directory``
utilities share (class names from sorted subfolders, training/validation splits)."""
import os
import random

import numpy as np

from tapeflow.data import Dataset, AUTOTUNE
from tapeflow.data import structure as st


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Splits a dataset (or arrays) into a left and a right part, e.g. train and test.

    Args:
      dataset: a ``tf.data.Dataset``, a NumPy array, or a list/tuple of arrays of
        the same length.
      left_size: a float fraction in (0, 1) or an int count for the left part;
        None means the complement of ``right_size``.
      right_size: the same for the right part.
      shuffle: shuffle the samples before splitting.
      seed: the random seed of the shuffle.

    Returns:
      A tuple of two ``tf.data.Dataset`` (the left and right splits). A batched input
      dataset gives batched splits of the same batch size.

    Raises:
      TypeError: for an unsupported ``dataset`` or size types.
      ValueError: for sizes out of range or an empty dataset.
    """
    batch_size = None
    if isinstance(dataset, Dataset):
        batch_size = getattr(dataset, "_batch_size", None)
        src = dataset.unbatch() if batch_size is not None else dataset
        tmpl = src._template
        rows = [flat for flat in src._gen()]
        if not rows:
            raise ValueError("Received an empty dataset. Argument `dataset` must be a "
                             "non-empty list/tuple of `numpy.ndarray` objects or "
                             "`tf.data.Dataset` objects.")
        columns = [np.stack([r[j] for r in rows]) for j in range(len(rows[0]))]
    elif isinstance(dataset, np.ndarray):
        tmpl, columns = None, [dataset]
    elif isinstance(dataset, (list, tuple)):
        if len(dataset) == 0:
            raise ValueError("Received an empty list dataset. Please provide a non-empty "
                             "list of arrays.")
        columns = []
        for i, a in enumerate(dataset):
            if not isinstance(a, np.ndarray):
                raise ValueError(f"Expected a {type(dataset).__name__} of `numpy.ndarray` "
                                 f"objects, Received: {type(a)} at index {i}.")
            if len(a) != len(dataset[0]):
                raise ValueError(f"Received a {type(dataset).__name__} of NumPy arrays with "
                                 f"different lengths. Mismatch found at index {i}, Expected "
                                 f"shape={dataset[0].shape} Received shape={a.shape}.")
            columns.append(a)
        tmpl = tuple([None] * len(columns))
    else:
        raise TypeError("The `dataset` argument must be either a `tf.data.Dataset` object, "
                        f"or a list/tuple of arrays. Received: dataset={dataset} of type "
                        f"{type(dataset)}")
    if left_size is None and right_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    total = len(columns[0])
    order = list(range(total))
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        random.Random(seed).shuffle(order)
    left, right = _split_sizes(left_size, right_size, total)
    order = np.asarray(order, dtype=np.intp)
    parts = []
    for idx in (order[:left], order[total - right:]):
        cols = [c[idx] for c in columns]
        ds = Dataset.from_tensor_slices(st.pack(tmpl, cols) if tmpl is not None else cols[0])
        if batch_size is not None:
            ds = ds.batch(batch_size)
        parts.append(ds.prefetch(AUTOTUNE))
    return tuple(parts)


def _split_sizes(left, right, total):
    for name, v in (("left_size", left), ("right_size", right)):
        if v is not None and type(v) not in (int, float):
            raise TypeError(f"Invalid `{name}` Type. Expected: int or float or None, "
                            f"Received: type({name})={type(v)}.")
    if left == 0 and right == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the "
                         "split sizes must be non-zero.")
    for name, v in (("left_size", left), ("right_size", right)):
        if (type(v) is int and (v <= 0 or v >= total)) or \
                (type(v) is float and (v <= 0 or v >= 1)):
            raise ValueError(f"`{name}` should be either a positive integer smaller than "
                             f"{total}, or a float within the range `[0, 1]`. Received: "
                             f"{name}={v}")
    if type(left) is float and type(right) is float and left + right > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must "
                         "be less than or equal to 1.")
    left = round(left * total) if type(left) is float else left
    right = round(right * total) if type(right) is float else right
    if left is None:
        left = total - right
    elif right is None:
        right = total - left
    if left + right > total:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than "
                         f"the {total}. Received: left_size + right_size = {left + right}"
                         f"and total_length = {total}")
    for v, side in ((left, "left"), (right, "right")):
        if v == 0:
            raise ValueError(f"With `dataset` of length={total}, `left_size`={left} and "
                             f"`right_size`={right}. Resulting {side} side dataset split "
                             "will be empty. Adjust any of the aforementioned parameters")
    return int(left), int(right)


# -- folders ----------------------------------------------------------------------------

def check_validation_split_arg(validation_split, subset, shuffle, seed):
    """Raises ValueError for inconsistent ``validation_split`` / ``subset`` / ``seed``."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: "
                         f"{validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError('`subset` must be either "training", "validation" or "both", '
                         f"received: {subset}")
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide "
                         "a `seed` argument, to make sure that there is no overlap between "
                         "the training and validation subset.")


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """Lists the files of ``directory`` with an allowed extension, and their labels.

    Returns:
      ``(file_paths, labels, class_names)``: paths (class subfolders in class order,
      files sorted within each), an int32 label array (or None) and the class names.
    """
    directory = os.fspath(directory)
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError("The `class_names` passed did not match the names of the "
                                 "subdirectories of the target directory. Expected: "
                                 f"{subdirs} (or a subset of it), but received: "
                                 f"class_names={class_names}")
            subdirs = list(class_names)
    else:
        if class_names is not None:
            if labels is None:
                raise ValueError("When `labels=None` (no labels), argument `class_names` "
                                 "cannot be specified.")
            raise ValueError("When argument `labels` is specified, argument `class_names` "
                             "cannot be specified (the `class_names` will be the sorted list "
                             "of labels).")
        subdirs = [""]
    class_names = subdirs
    paths, label_list = [], []
    for index, sub in enumerate(subdirs):
        root_dir = os.path.join(directory, sub) if sub else directory
        walk = sorted(os.walk(root_dir, followlinks=follow_links), key=lambda x: x[0])
        for root, _, files in walk:
            for fname in sorted(files):
                if fname.lower().endswith(formats):
                    paths.append(os.path.join(root, fname))
                    label_list.append(index)
    if labels == "inferred":
        labels = np.asarray(label_list, dtype=np.int32)
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(paths):
            raise ValueError("Expected the lengths of `labels` to match the number of files in "
                             f"the target directory. len(labels) is {len(labels)} while we "
                             f"found {len(paths)} files in directory {directory}.")
        class_names = [str(label) for label in sorted(set(labels))]
        labels = np.asarray(labels, dtype=np.int32)
    if verbose:
        if labels is None:
            print(f"Found {len(paths)} files.")
        else:
            print(f"Found {len(paths)} files belonging to {len(class_names)} classes.")
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return paths, labels, class_names


def get_training_or_validation_split(samples, labels, validation_split, subset):
    """Returns ``(samples, labels)`` restricted to the requested subset (all when no split)."""
    if not validation_split:
        return samples, labels
    num_val = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - num_val} files for training.")
        samples = samples[:len(samples) - num_val]
        labels = labels[:len(labels) - num_val] if labels is not None else None
    elif subset == "validation":
        print(f"Using {num_val} files for validation.")
        samples = samples[len(samples) - num_val:]
        labels = labels[len(labels) - num_val:] if labels is not None else None
    else:
        raise ValueError(f'`subset` must be either "training" or "validation", '
                         f"received: {subset}")
    return samples, labels


def encode_labels(labels, label_mode, num_classes):
    """Returns the label array for a label mode: int32, one-hot float32 or (n, 1) float32."""
    labels = np.asarray(labels, dtype=np.int32)
    if label_mode == "binary":
        return labels.astype(np.float32)[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype=np.float32)[labels]
    return labels
