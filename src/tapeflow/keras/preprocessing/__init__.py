"""``keras.preprocessing``: the helpers Keras 3 still exports (``image``, ``sequence``, ``text``)
and the dataset builders."""
from tapeflow.keras.preprocessing import image, sequence, text  # noqa: F401


def __getattr__(name):
    from tapeflow.keras import utils
    if name in ("image_dataset_from_directory", "text_dataset_from_directory",
                "timeseries_dataset_from_array"):
        return getattr(utils, name)
    raise AttributeError(f"module 'tapeflow.keras.preprocessing' has no attribute {name!r}")
