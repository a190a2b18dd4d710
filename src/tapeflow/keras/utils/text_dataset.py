"""``keras.utils.text_dataset_from_directory``: folders of ``.txt`` files to a string Dataset."""
import numpy as np

from tapeflow.data import Dataset, AUTOTUNE
from tapeflow.data.transformations import _MapDataset
from tapeflow.framework import dtypes
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.tensor_spec import TensorSpec
from tapeflow.framework.variable import array_of
from tapeflow.keras.utils import dataset_utils


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False, verbose=True):
    """Generates a ``tf.data.Dataset`` from the ``.txt`` files in a directory.

    With ``labels="inferred"`` each subfolder is a class (sorted names). Files are
    read only when the pipeline reaches them.

    Args:
      directory: the folder.
      labels: ``"inferred"``, None, or a list of int labels in sorted file order.
      label_mode: ``"int"``, ``"categorical"``, ``"binary"`` or None.
      class_names: explicit class order (with ``labels="inferred"``).
      batch_size: batch size, or None for single texts.
      max_length: keep at most this many bytes of each text.
      shuffle: shuffle the files (else alphanumeric order).
      seed: the shuffle seed (required with ``validation_split`` and ``shuffle``).
      validation_split: fraction of the files kept for validation.
      subset: ``"training"``, ``"validation"`` or ``"both"``.
      follow_links: follow symbolic links to subfolders.
      verbose: print how many files and classes were found.

    Returns:
      A ``tf.data.Dataset`` of ``(texts, labels)`` (texts alone without labels); texts
      are ``tf.string`` tensors of bytes. It has a ``class_names`` attribute. A pair of
      datasets for ``subset="both"``.
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError("`labels` argument should be a list/tuple of integer labels, of "
                             "the same size as the number of text files in the target "
                             "directory. If you wish to infer the labels from the subdirectory "
                             'names in the target directory, pass `labels="inferred"`. If you '
                             "wish to get a dataset that only contains text samples (no "
                             f"labels), pass `labels=None`. Received: labels={labels}")
        if class_names:
            raise ValueError('You can only pass `class_names` if `labels="inferred"`. '
                             f"Received: labels={labels}, and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", '
                         f"or None. Received: label_mode={label_mode}")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=(".txt",), class_names=class_names, shuffle=shuffle,
        seed=seed, follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")
    buffer = batch_size * 8 if batch_size is not None else 1024
    num_classes = len(class_names) if class_names else 0

    def read(path):
        p = array_of(path)[()]
        with open(p.decode() if isinstance(p, bytes) else p, "rb") as f:
            data = f.read() if max_length is None else f.read(max_length)
        return Tensor(np.array(data, dtype=object))

    text_spec = TensorSpec((), dtypes.string)

    def make(subset_name, do_shuffle):
        p, lab = dataset_utils.get_training_or_validation_split(
            paths, labels, validation_split, subset_name)
        if not p:
            raise ValueError(f"No text files found in directory {directory}. "
                             "Allowed format: .txt")
        path_ds = Dataset.from_tensor_slices(np.asarray(p, dtype=object))
        if label_mode:
            y = Dataset.from_tensor_slices(dataset_utils.encode_labels(lab, label_mode,
                                                                       num_classes))
            ds = Dataset.zip((path_ds, y))
            if do_shuffle:
                ds = ds.shuffle(buffer, seed=seed)
            ds = _MapDataset(ds, lambda x, t: (read(x), t), AUTOTUNE,
                             output_spec=((None, None), [text_spec, y._specs[0]]))
        else:
            if do_shuffle:
                path_ds = path_ds.shuffle(buffer, seed=seed)
            ds = _MapDataset(path_ds, read, AUTOTUNE, output_spec=(None, [text_spec]))
        if batch_size is not None:
            ds = ds.batch(batch_size)
        ds = ds.prefetch(AUTOTUNE)
        ds.class_names = class_names
        return ds

    if subset == "both":
        return make("training", shuffle), make("validation", False)
    return make(subset, shuffle)
