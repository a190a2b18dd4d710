"""``keras.utils``: each name is defined in the module listed here and loaded on first use."""
import importlib

_NAMES = {
    # numbers and arrays
    "to_categorical": "numerical_utils", "normalize": "numerical_utils",
    # data sets from arrays, folders and files
    "image_dataset_from_directory": "image_dataset",
    "text_dataset_from_directory": "text_dataset",
    "audio_dataset_from_directory": "audio_dataset",
    "timeseries_dataset_from_array": "timeseries_dataset",
    "split_dataset": "dataset_utils",
    "get_file": "file_utils",
    # images
    "load_img": "image_utils", "img_to_array": "image_utils", "array_to_img": "image_utils",
    "save_img": "image_utils",
    # models
    "plot_model": "model_visualization", "model_to_dot": "model_visualization",
    "set_random_seed": "rng_utils",
    "clear_session": "backend", "is_keras_tensor": "backend", "standardize_dtype": "backend",
    "pack_x_y_sample_weight": "data_utils", "unpack_x_y_sample_weight": "data_utils",
    "Progbar": "progbar",
    "PyDataset": "py_dataset", "Sequence": "py_dataset",
    "pad_sequences": "sequence_utils",
    "register_keras_serializable": "serialization",
    "get_custom_objects": "serialization",
    "custom_object_scope": "serialization",
    "CustomObjectScope": "serialization",
    "serialize_keras_object": "serialization",
    "deserialize_keras_object": "serialization",
    "get_registered_name": "serialization",
    "get_registered_object": "serialization",
    "get_source_inputs": "graph_utils",
    "Config": "config",
    "enable_interactive_logging": "keras_config",
    "disable_interactive_logging": "keras_config",
    "is_interactive_logging_enabled": "keras_config",
}

# Where each module lives (serialization is shared with keras.saving).
_MODULE_PATHS = {"serialization": "tapeflow.keras.saving.serialization",
                 "backend": "tapeflow.keras.backend",
                 "keras_config": "tapeflow.keras.config"}


def __getattr__(name):
    if name == "bounding_boxes":
        value = importlib.import_module("tapeflow.keras.utils.bounding_boxes")
        globals()[name] = value
        return value
    if name in _NAMES:
        mod_name = _NAMES[name]
        path = _MODULE_PATHS.get(mod_name, f"tapeflow.keras.utils.{mod_name}")
        value = getattr(importlib.import_module(path), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tapeflow.keras.utils' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_NAMES) | {"bounding_boxes"})
