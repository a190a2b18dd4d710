"""Layer assets in a ``.keras`` zip, where Keras 3 puts them: ``assets/<object path>/``.

A layer that defines ``save_assets(dir)`` / ``load_assets(dir)`` (``TextVectorization``'s
vocabulary) gets a folder named by its path in the model (``saveable_tree``), e.g.
``assets/layers/text_vectorization/vocabulary.txt``.
"""
import os
import tempfile

from tapeflow.keras.saving import saveable_tree

ASSETS = "assets"


def _defines(obj, method):
    from tapeflow.keras.layers.layer import Layer
    impl = getattr(type(obj), method, None)
    return impl is not None and impl is not getattr(Layer, method, None)


def _folder(path):
    return f"{ASSETS}/{path}/" if path else f"{ASSETS}/"


def write(model, zf):
    """Writes the assets of every layer of ``model`` into the open zip ``zf``."""
    for node in saveable_tree.walk(model, include_optimizer=False):
        owner = node.obj.owner if node.virtual else node.obj
        if not _defines(owner, "save_assets"):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            node.obj.save_assets(tmp)
            for name in sorted(os.listdir(tmp)):
                path = os.path.join(tmp, name)
                if os.path.isfile(path):
                    zf.write(path, _folder(node.path) + name)


def read(model, zf, read_member):
    """Gives each layer of ``model`` the asset files stored at its path in the zip.

    ``read_member(zf, name)`` returns a member's bytes (with whatever size checks the
    caller applies). Only files directly in a layer's folder are given to it, each under
    its base name in a fresh temporary folder.

    Returns:
      True if some layer had assets in the zip.
    """
    names = [n for n in zf.namelist() if n.startswith(ASSETS + "/") and not n.endswith("/")]
    found = False
    for node in saveable_tree.walk(model, include_optimizer=False):
        if node.virtual or not _defines(node.obj, "load_assets"):
            continue
        prefix = _folder(node.path)
        files = [n for n in names if n.startswith(prefix) and "/" not in n[len(prefix):]]
        if not files:
            continue
        found = True
        with tempfile.TemporaryDirectory() as tmp:
            for n in files:
                with open(os.path.join(tmp, os.path.basename(n)), "wb") as f:
                    f.write(read_member(zf, n))
            node.obj.load_assets(tmp)
    return found
