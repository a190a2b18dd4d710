"""An import hook that maps ``tensorflow`` and ``keras`` module names onto tapeflow's."""
import contextlib
import importlib
import importlib.abc
import importlib.util
import sys

# Module-name prefixes and the tapeflow modules they resolve to (longest match first).
ALIASES = {
    "tensorflow.keras": "tapeflow.keras",
    "tensorflow": "tapeflow",
    "keras": "tapeflow.keras",
    "tf_keras": "tapeflow.keras",
}


def target_name(fullname):
    """Returns the tapeflow module name for an aliased module name, or None."""
    for prefix in sorted(ALIASES, key=len, reverse=True):
        if fullname == prefix or fullname.startswith(prefix + "."):
            return ALIASES[prefix] + fullname[len(prefix):]
    return None


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module):
        pass


class _AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        name = target_name(fullname)
        if name is None:
            return None
        try:
            found = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            found = None
        if found is None:
            # A sub-module tapeflow lacks: maybe an attribute (tf.keras.layers.Dense style).
            parent, _, attr = name.rpartition(".")
            try:
                if hasattr(importlib.import_module(parent), attr):
                    return importlib.util.spec_from_loader(fullname, _AttrLoader(parent, attr))
            except ImportError:
                pass
            return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(name))


class _AttrLoader(importlib.abc.Loader):
    def __init__(self, parent, attr):
        self.parent, self.attr = parent, attr

    def create_module(self, spec):
        return getattr(importlib.import_module(self.parent), self.attr)

    def exec_module(self, module):
        pass


@contextlib.contextmanager
def tensorflow_aliases():
    """Context manager: inside it, ``import tensorflow``/``keras`` give tapeflow modules."""
    finder = _AliasFinder()
    saved = {k: v for k, v in sys.modules.items() if target_name(k) is not None}
    for k in saved:
        del sys.modules[k]
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
        for k in [k for k in sys.modules if target_name(k) is not None]:
            del sys.modules[k]
        sys.modules.update(saved)
