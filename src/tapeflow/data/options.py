"""``tf.data.Options``: accepted for compatibility; they change nothing here."""


class _OptionGroup:
    def __init__(self, **defaults):
        self.__dict__.update(defaults)

    def __repr__(self):
        return f"{type(self).__name__}({self.__dict__})"


class Options:
    """Options for a dataset (``deterministic``, ``experimental_optimization`` ...).

    Every attribute can be set; tapeflow's pipelines are deterministic and unoptimised.
    """

    def __init__(self):
        self.deterministic = None
        self.experimental_deterministic = None
        self.experimental_optimization = _OptionGroup()
        self.experimental_distribute = _OptionGroup(auto_shard_policy=None)
        self.threading = _OptionGroup(private_threadpool_size=None, max_intra_op_parallelism=None)
        self.autotune = _OptionGroup(enabled=True)

    def merge(self, options):
        """Returns a new ``Options`` with ``options``' set values on top of these."""
        out = Options()
        out.__dict__.update(self.__dict__)
        out.__dict__.update({k: v for k, v in options.__dict__.items() if v is not None})
        return out
