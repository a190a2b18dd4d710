"""Keras 3.15's public names against tapeflow's: every name ``dir()`` shows in the real
``keras.<module>`` must exist in ``tapeflow.keras.<module>``, except the absences listed (and
explained) here. A name added on either side without updating this list fails the test."""
import pytest

from tapeflow import keras

# Absent on purpose: backends, quantization and services tapeflow does not provide.
ABSENT = {
    "": {
        "Function", "Operation", "Quantizer", "RematScope", "StatelessScope",
        "SymbolicScope", "remat",            # JAX/graph-tracing machinery of Keras's core
        "distillation", "distribution",      # knowledge distillation, JAX sharding APIs
        "export",                            # ExportArchive (model.export and TFSMLayer are there)
        "legacy", "quantizers", "src", "visualization", "wrappers",
    },
    "layers": {"FlaxLayer", "JaxLayer", "TorchModuleWrapper"},   # other backends
    "optimizers": {"legacy"},
    "callbacks": {"OrbaxCheckpoint"},        # JAX Orbax checkpoints
    "utils": {"FeatureSpace", "legacy"},
    "saving": {"KerasFileEditor"},
    "dtype_policies": {"AWQDTypePolicy", "DTypePolicyMap", "GPTQDTypePolicy",
                       "Int4DTypePolicy", "QuantizedDTypePolicy",
                       "QuantizedFloat8DTypePolicy"},   # quantization
}

MODULES = ["", "layers", "optimizers", "optimizers.schedules", "losses", "metrics",
           "callbacks", "ops", "ops.nn", "ops.numpy", "ops.linalg", "ops.image", "utils",
           "utils.bounding_boxes", "random", "activations", "initializers", "regularizers",
           "constraints", "applications", "saving", "config", "backend", "models", "tree",
           "dtype_policies", "mixed_precision", "preprocessing", "preprocessing.image",
           "preprocessing.sequence", "datasets"]


def _module(root, path):
    for part in filter(None, path.split(".")):
        root = getattr(root, part)
    return root


@pytest.mark.parametrize("path", MODULES)
def test_public_names_match_keras(rkeras, path):
    real = {n for n in dir(_module(rkeras, path)) if not n.startswith("_")}
    mine = _module(keras, path)
    missing = {n for n in real if not hasattr(mine, n)}
    absent = ABSENT.get(path, set())
    assert missing == absent & real, (
        f"keras.{path}: missing {sorted(missing - absent)}; listed as absent but present "
        f"{sorted(absent - missing)}")
    if path in ("layers", "utils", "optimizers", "losses", "metrics", "callbacks"):
        listed = {n for n in dir(mine) if not n.startswith("_")}
        assert (real - absent) <= listed, sorted((real - absent) - listed)


def test_remote_monitor_defaults_match_keras(rkeras):
    real, mine = rkeras.callbacks.RemoteMonitor(), keras.callbacks.RemoteMonitor()
    for attr in ("root", "path", "field", "headers", "send_as_json"):
        assert getattr(mine, attr) == getattr(real, attr)
