"""IMDB movie reviews (25,000 train / 25,000 test) as word-index sequences, labelled 0/1."""
import json

import numpy as np

from tapeflow.keras.datasets._common import (ORIGIN_FOLDER, load_npz_verified, object_array,
                                             remove_long_seq)
from tapeflow.keras.utils.file_utils import get_file

ORIGIN = ORIGIN_FOLDER + "imdb.npz"
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_ORIGIN = ORIGIN_FOLDER + "imdb_word_index.json"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """Loads the IMDB dataset.

    Args:
      path: file name in the cache.
      num_words: keep only the ``num_words`` most frequent words (others become
        ``oov_char``); None keeps all.
      skip_top: also replace the ``skip_top`` most frequent words by ``oov_char``.
      maxlen: drop sequences of ``maxlen`` or more words.
      seed: seed of the shuffle of each split.
      start_char: index marking the start of a sequence (None: no marker).
      oov_char: index of dropped words (None: drop them).
      index_from: offset added to word indices.

    Returns:
      ``(x_train, y_train), (x_test, y_test)``: object arrays of lists of ints, and
      label arrays.

    Raises:
      ValueError: if ``maxlen`` leaves no sequence.
    """
    path = get_file(fname=path, origin=ORIGIN, file_hash=FILE_HASH)
    x_train, labels_train, x_test, labels_test = load_npz_verified(
        path, FILE_HASH, ["x_train", "y_train", "x_test", "y_test"])
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]
    x_train, x_test = _offset(x_train, start_char, index_from), _offset(x_test, start_char,
                                                                       index_from)
    if maxlen:
        x_train, labels_train = remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = remove_long_seq(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError("After filtering for sequences shorter than maxlen="
                             f"{maxlen}, no sequence was kept. Increase maxlen.")
    xs = x_train + x_test
    labels = np.concatenate([labels_train, labels_test])
    xs = _cut(xs, num_words, skip_top, oov_char)
    idx = len(x_train)
    return (object_array(xs[:idx]), labels[:idx]), (object_array(xs[idx:]), labels[idx:])


def _offset(seqs, start_char, index_from):
    if start_char is not None:
        return [[start_char] + [int(w) + index_from for w in x] for x in seqs]
    return [[int(w) + index_from for w in x] for x in seqs]


def _cut(xs, num_words, skip_top, oov_char):
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def get_word_index(path="imdb_word_index.json"):
    """Returns the dict mapping words to their index in the IMDB dataset."""
    path = get_file(fname=path, origin=WORD_INDEX_ORIGIN, file_hash=WORD_INDEX_HASH)
    with open(path) as f:
        return json.load(f)
