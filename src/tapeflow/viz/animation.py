"""Turning matplotlib figures into frames, and frames into GIFs (written with Pillow)."""
import os
import tempfile

import numpy as np

from tapeflow.viz._deps import pil_image


def figure_to_image(fig):
    """Renders a matplotlib figure; returns it as an RGB ``PIL.Image``."""
    image = pil_image()
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    return image.fromarray(rgba[..., :3].copy(), "RGB")


def _to_image(frame):
    image = pil_image()
    if isinstance(frame, image.Image):
        return frame.convert("RGB")
    arr = np.asarray(frame)
    if arr.dtype.kind == "f":
        arr = np.clip(arr * 255.0 if arr.max() <= 1.0 else arr, 0, 255)
    arr = arr.astype(np.uint8)
    if arr.ndim == 2:
        return image.fromarray(arr, "L").convert("RGB")
    if arr.shape[-1] == 4:
        arr = arr[..., :3]
    return image.fromarray(np.ascontiguousarray(arr), "RGB")


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def make_gif(frames, to_file, duration=0.2, loop=0):
    """Writes ``frames`` (PIL images or HxWx3/4 arrays) as an animated GIF.

    The file is written to a temporary name and renamed, so a failure leaves any
    previous file intact.

    Args:
      frames: a non-empty sequence of frames of one size.
      to_file: the path of the GIF.
      duration: seconds per frame.
      loop: how many times to loop (0: forever).

    Returns:
      ``to_file``.

    Raises:
      ValueError: if there are no frames.
    """
    images = [_to_image(f) for f in frames]
    if not images:
        raise ValueError("make_gif() needs at least one frame.")
    folder = os.path.dirname(os.path.abspath(to_file))
    fd, tmp = tempfile.mkstemp(suffix=".gif", dir=folder)
    os.close(fd)
    try:
        images[0].save(tmp, format="GIF", save_all=True, append_images=images[1:],
                       duration=int(round(duration * 1000)), loop=loop, optimize=False)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, to_file)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return to_file
