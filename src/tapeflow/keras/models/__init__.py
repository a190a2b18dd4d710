"""``keras.models``: Model, Sequential, clone_model, and save/load (from ``keras.saving``)."""
from tapeflow.keras.models.cloning import clone_model
from tapeflow.keras.models.functional import Functional
from tapeflow.keras.models.model import Model
from tapeflow.keras.models.sequential import Sequential


def __getattr__(name):
    if name == "model_from_json":
        from tapeflow.keras.saving.json_api import model_from_json
        globals()[name] = model_from_json
        return model_from_json
    if name in ("load_model", "save_model"):
        import importlib
        value = getattr(importlib.import_module("tapeflow.keras.saving.saving_api"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tapeflow.keras.models' has no attribute {name!r}")


__all__ = ["Model", "Sequential", "Functional", "clone_model", "load_model", "save_model",
           "model_from_json"]
