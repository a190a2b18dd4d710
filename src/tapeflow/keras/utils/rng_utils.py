"""``keras.utils.set_random_seed``: one call that seeds every random source."""
import random

import numpy as np


def set_random_seed(seed):
    """Seeds Python's ``random``, NumPy, ``tf.random`` and the Keras initializers/dropout.

    Raises:
      ValueError: if ``seed`` is not an integer.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} "
                         f"(of type {type(seed)})")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)  # also drives unseeded Keras initializers, Dropout and augmentation
    try:
        import tapeflow.random as tf_random
    except ImportError:
        return
    set_seed = getattr(tf_random, "set_seed", None)
    if set_seed is not None:
        set_seed(seed)
