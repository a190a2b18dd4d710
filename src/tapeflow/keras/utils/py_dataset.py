"""``keras.utils.PyDataset`` (and its old name ``Sequence``): batches by index, for ``fit``."""


class PyDataset:
    """Base class for a dataset of batches: subclasses define ``__len__`` (batches per epoch)
    and ``__getitem__(index)`` (one batch: ``x``, ``(x, y)`` or ``(x, y, sample_weight)``).

    ``fit``, ``evaluate`` and ``predict`` read the batches in order, once per epoch, and call
    ``on_epoch_end()`` after each epoch.

    Args:
      workers, use_multiprocessing, max_queue_size: accepted, as in Keras; batches are read
        in the calling thread (tapeflow's kernels already use NumPy's threads).
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self):
        """Returns the ``workers`` argument."""
        return self.__dict__.get("_workers", 1)

    @property
    def use_multiprocessing(self):
        """Returns the ``use_multiprocessing`` argument."""
        return self.__dict__.get("_use_multiprocessing", False)

    @property
    def max_queue_size(self):
        """Returns the ``max_queue_size`` argument."""
        return self.__dict__.get("_max_queue_size", 10)

    def __getitem__(self, index):
        """Returns batch ``index``."""
        raise NotImplementedError

    def __len__(self):
        """Returns the number of batches per epoch (``num_batches`` when defined)."""
        n = self.num_batches
        if n is None:
            raise TypeError(f"{type(self).__name__} defines neither __len__ nor num_batches")
        return n

    @property
    def num_batches(self):
        """Returns the number of batches (``len(self)`` for a subclass defining ``__len__``)."""
        if type(self).__len__ is not PyDataset.__len__:
            return len(self)
        return None

    def on_epoch_begin(self):
        """Called before each epoch; override to prepare it."""

    def on_epoch_end(self):
        """Called after each epoch; override to shuffle and the like."""

    def __iter__(self):
        self.on_epoch_begin()
        for i in range(len(self)):
            yield self[i]
        self.on_epoch_end()


Sequence = PyDataset
