"""``keras.name_scope`` and ``keras.device``: context managers, as Keras 3 exports them."""
import contextlib
import threading

_STATE = threading.local()


class name_scope:  # noqa: N801 (Keras's name)
    """A context manager that prefixes names made inside it with ``name/``.

    Args:
      name: the scope's name.
      caller: accepted, as in Keras.
      deduplicate: accepted, as in Keras.
      override_parent: restart from this scope instead of nesting.
    """

    def __init__(self, name, caller=None, deduplicate=True, override_parent=None):
        if not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain character "
                             f"`/`. Received: name={name}")
        self.name = name
        self.caller = caller
        self.deduplicate = deduplicate
        self.override_parent = override_parent

    def __enter__(self):
        stack = _stack()
        parent = None if self.override_parent or not stack else stack[-1]
        self._path = f"{parent}/{self.name}" if parent else self.name
        stack.append(self._path)
        return self

    def __exit__(self, *exc):
        _stack().pop()
        return False


def _stack():
    if not hasattr(_STATE, "stack"):
        _STATE.stack = []
    return _STATE.stack


def current_path():
    """Returns the current name-scope path (``""`` outside any scope)."""
    stack = _stack()
    return stack[-1] if stack else ""


@contextlib.contextmanager
def device(device_name):
    """A context manager placing ops on ``device_name`` (tapeflow runs on the CPU)."""
    from tapeflow.framework.device_context import device as _device
    with _device(device_name):
        yield
