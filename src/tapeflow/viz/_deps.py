"""Imports matplotlib (non-interactive when there is no display) and Pillow on demand."""
import os
import sys

_HINT = 'tapeflow.viz needs matplotlib and Pillow: pip install "tapeflow[viz]"'


def pyplot():
    """Returns ``matplotlib.pyplot``, using the Agg backend when no display is available.

    Raises:
      ImportError: if matplotlib is not installed, with the install command.
    """
    try:
        import matplotlib
    except ImportError as e:
        raise ImportError(_HINT) from e
    if "matplotlib.pyplot" not in sys.modules:
        headless = not os.environ.get("DISPLAY") and sys.platform.startswith("linux")
        if headless or os.environ.get("MPLBACKEND") is None and not sys.stdout.isatty():
            matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def pil_image():
    """Returns the ``PIL.Image`` module.

    Raises:
      ImportError: if Pillow is not installed, with the install command.
    """
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError(_HINT) from e
    return Image
