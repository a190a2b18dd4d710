"""Reuters newswires (11,228) as word-index sequences, labelled with 46 topics."""
import json

import numpy as np

from tapeflow.keras.datasets._common import (ORIGIN_FOLDER, load_npz_verified, object_array,
                                             remove_long_seq)
from tapeflow.keras.datasets.imdb import _cut, _offset
from tapeflow.keras.utils.file_utils import get_file

ORIGIN = ORIGIN_FOLDER + "reuters.npz"
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_ORIGIN = ORIGIN_FOLDER + "reuters_word_index.json"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3):
    """Loads the Reuters newswire classification dataset.

    Args:
      path: file name in the cache.
      num_words: keep only the ``num_words`` most frequent words; None keeps all.
      skip_top: replace the ``skip_top`` most frequent words by ``oov_char``.
      maxlen: drop sequences of ``maxlen`` or more words.
      test_split: fraction of the data used for the test split.
      seed: seed of the shuffle before splitting.
      start_char: index marking the start of a sequence (None: no marker).
      oov_char: index of dropped words (None: drop them).
      index_from: offset added to word indices.

    Returns:
      ``(x_train, y_train), (x_test, y_test)``: object arrays of lists of ints, and
      integer label arrays.
    """
    path = get_file(fname=path, origin=ORIGIN, file_hash=FILE_HASH)
    xs, labels = load_npz_verified(path, FILE_HASH, ["x", "y"])
    rng = np.random.RandomState(seed)
    indices = np.arange(len(xs))
    rng.shuffle(indices)
    xs, labels = xs[indices], labels[indices]
    if start_char is not None or index_from:
        xs = _offset(xs, start_char, index_from)
    else:
        xs = [[int(w) for w in x] for x in xs]
    if maxlen:
        xs, labels = remove_long_seq(maxlen, xs, labels)
    xs = _cut(xs, num_words, skip_top, oov_char)
    idx = int(len(xs) * (1 - test_split))
    return ((object_array(xs[:idx]), np.array(labels[:idx])),
            (object_array(xs[idx:]), np.array(labels[idx:])))


def get_word_index(path="reuters_word_index.json"):
    """Returns the dict mapping words to their index (indices start at 1; data adds 3)."""
    path = get_file(path, origin=WORD_INDEX_ORIGIN, file_hash=WORD_INDEX_HASH)
    with open(path) as f:
        return json.load(f)


def get_label_names():
    """Returns the 46 topic names, indexed like the labels."""
    return ("cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
            "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass",
            "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum",
            "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi",
            "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
            "dlr", "gas", "silver", "wpi", "hog", "lead")
