"""``tf.saved_model``: ``save`` and ``load`` (TensorFlow's format: objects, variables and the traced
functions as FunctionDefs; see ``tapeflow.tracking.saved_model``)."""
from tapeflow.tracking.saved_model import load, save  # noqa: F401


class SaveOptions:
    """Options for ``tf.saved_model.save`` (accepted; none changes what is written)."""

    def __init__(self, namespace_whitelist=None, save_debug_info=False, function_aliases=None,
                 experimental_io_device=None, experimental_variable_policy=None,
                 experimental_custom_gradients=True, experimental_image_format=False,
                 experimental_skip_saver=False, experimental_sharding_callback=None,
                 extra_tags=None):
        self.function_aliases = function_aliases or {}


class LoadOptions:
    """Options for ``tf.saved_model.load`` (accepted; none changes what is read)."""

    def __init__(self, allow_partial_checkpoint=False, experimental_io_device=None,
                 experimental_load_function_aliases=False,
                 experimental_variable_policy=None, experimental_skip_checkpoint=False):
        self.allow_partial_checkpoint = allow_partial_checkpoint


SAVED_MODEL_FILENAME_PB = "saved_model.pb"
VARIABLES_DIRECTORY = "variables"
VARIABLES_FILENAME = "variables"
ASSETS_DIRECTORY = "assets"

__all__ = ["save", "load", "SaveOptions", "LoadOptions"]
