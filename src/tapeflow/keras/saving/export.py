"""``model.export(filepath)``: a SavedModel with a ``serve`` endpoint, as Keras 3 writes it.

The directory layout and the variables are as ``tf.saved_model.save`` writes them; the
``serve`` endpoint is traced for its input signature and written as TensorFlow
``FunctionDef``s, also as the ``serve`` and ``serving_default`` signatures, as Keras 3 does
(see ``tapeflow.tracking.sm_functions``); a model whose graph uses an op outside
``tracking.sm_ops`` is saved without it (with a warning).
"""
from tapeflow.framework import dtypes
from tapeflow.framework.function import function
from tapeflow.framework.tensor_spec import TensorSpec
from tapeflow.tracking import trackable


class ExportArchive:
    """What ``model.export`` saves: the model's variables and its ``serve`` endpoint."""

    def _trackable_children(self):
        return [(k, v) for k, v in vars(self).items()
                if isinstance(v, list) or trackable.is_trackable(v)]


def _input_signature(model, input_signature):
    if input_signature is not None:
        return list(input_signature) if isinstance(input_signature, (list, tuple)) \
            else [input_signature]
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):  # a subclassed model; an unbuilt Sequential
        inputs = None
    if inputs:
        specs = [TensorSpec(tuple(x.shape), dtypes.as_dtype(x.dtype), "keras_tensor")
                 for x in inputs]
        return [specs[0]] if len(specs) == 1 else [specs]
    shape = model.__dict__.get("_build_shapes_dict")
    if shape is None:
        raise ValueError("The model provided has not yet been built. It must be built "
                         "before export.")
    return [TensorSpec(tuple(shape), dtypes.as_dtype(model.compute_dtype), "keras_tensor")]


def export_model(model, filepath, format="tf_saved_model", verbose=None,
                 input_signature=None, **kwargs):
    """Writes ``model`` as a SavedModel at ``filepath``; returns None.

    Raises:
      ValueError: for a format other than ``"tf_saved_model"`` or an unbuilt model.
    """
    if format != "tf_saved_model":
        raise ValueError(f"Unrecognized format={format}. tapeflow exports only "
                         "format='tf_saved_model'.")
    from tapeflow.tracking import saved_model
    signature = _input_signature(model, input_signature)
    archive = ExportArchive()
    archive._all_variables = list(model.variables)
    archive.variables = list(model.variables)
    archive.trainable_variables = list(model.trainable_variables)
    archive.non_trainable_variables = list(model.non_trainable_variables)

    def serve(*args):
        return model(*args, training=False) if "training" in _call_params(model) \
            else model(*args)
    archive.serve = function(serve, input_signature=signature)
    saved_model.save(archive, filepath, signatures={"serve": archive.serve,
                                                    "serving_default": archive.serve})
    if verbose is None or verbose:
        args = "\n".join(f"  args_{i} (POSITIONAL_ONLY): {s!r}"
                         for i, s in enumerate(signature))
        out = _output_spec(model, signature)
        captures = "\n".join(f"  {id(v)}: TensorSpec(shape=(), dtype=tf.resource, name=None)"
                             for v in model.variables)
        print(f"Saved artifact at '{filepath}'. The following endpoints are available:\n\n"
              f"* Endpoint 'serve'\n{args}\nOutput Type:\n  {out}\nCaptures:\n{captures}")


def default_save_signature(model):
    """Returns a ``tf.function`` calling ``model`` on one input named after ``call``'s first
    parameter (``inputs``), for ``tf.saved_model.save``'s ``serving_default``; None when the
    model is not built or takes several inputs."""
    try:
        signature = _input_signature(model, None)
    except ValueError:
        return None
    if len(signature) != 1 or not isinstance(signature[0], TensorSpec):
        return None
    params = [p for p in _call_params(model) if p not in ("training", "mask", "kwargs")]
    name = params[0] if params else "inputs"
    spec = TensorSpec(signature[0].shape, signature[0].dtype, name)
    training = "training" in _call_params(model)

    def serve(inputs):
        return model(inputs, training=False) if training else model(inputs)
    return function(serve, input_signature=[spec])


def _call_params(model):
    import inspect
    try:
        return inspect.signature(model.call).parameters
    except (TypeError, ValueError):
        return {}


def _output_spec(model, signature):
    try:
        outputs = model.outputs
    except (AttributeError, ValueError):
        outputs = None
    if outputs:
        specs = [TensorSpec(tuple(x.shape), dtypes.as_dtype(x.dtype)) for x in outputs]
        return specs[0] if len(specs) == 1 else specs
    try:
        shape = model.compute_output_shape(tuple(signature[0].shape))
    except Exception:  # noqa: BLE001  (only the printed text needs it)
        return "unknown"
    return TensorSpec(tuple(shape), dtypes.as_dtype(model.compute_dtype))
