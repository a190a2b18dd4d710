"""``keras.layers.TFSMLayer``: a SavedModel's endpoint as a Keras layer (Keras 3's API).

The SavedModel is loaded with ``tf.saved_model.load`` (tapeflow's loader: TensorFlow's
files or tapeflow's, computations run through its op allow-list); calling the layer
calls the endpoint. The variables the endpoint captures are the layer's weights
(trainable as saved, none when ``trainable=False``), so the layer can be fine-tuned:
gradients flow through the loaded graph to them.
"""
from tapeflow.framework.variable import set_trainable
from tapeflow.keras.layers.layer import Layer


class TFSMLayer(Layer):
    """Reloads a SavedModel endpoint (``serve`` by default) as a layer."""

    def __init__(self, filepath, call_endpoint="serve", call_training_endpoint=None,
                 trainable=True, name=None, dtype=None):
        super().__init__(trainable=trainable, name=name, dtype=dtype)
        from tapeflow.tracking import saved_model
        self._reloaded_obj = saved_model.load(filepath)
        self.filepath = filepath
        self.call_endpoint = call_endpoint
        self.call_training_endpoint = call_training_endpoint
        self.call_endpoint_fn = self._endpoint(call_endpoint, "call_endpoint")
        self.call_training_endpoint_fn = self._endpoint(
            call_training_endpoint, "call_training_endpoint") if call_training_endpoint \
            else None
        seen, found = set(), []
        for fn in (self.call_endpoint_fn, self.call_training_endpoint_fn):
            for vs in getattr(fn, "_variables", {}).values():
                for v in vs:
                    if getattr(v, "_is_variable", False) and id(v) not in seen:
                        seen.add(id(v))
                        found.append(v)
        self._tfsm_variables = [v for v in found if v.trainable] + \
            [v for v in found if not v.trainable]
        if not trainable:
            for v in self._tfsm_variables:
                set_trainable(v, False)
        self.built = True

    def _endpoint(self, endpoint, arg):
        obj = self._reloaded_obj
        if endpoint in vars(obj) and endpoint != "signatures":
            return getattr(obj, endpoint)
        if endpoint in obj.signatures:
            return obj.signatures[endpoint]
        raise ValueError(
            f"The endpoint '{endpoint}' is neither an attribute of the reloaded SavedModel, "
            "nor an entry in the `signatures` field of the reloaded SavedModel. Select another "
            f"endpoint via the `{arg}` argument. Available endpoints for this SavedModel: "
            f"{list(obj.signatures.keys())}")

    def call(self, inputs, training=False, **kwargs):
        """Returns what the endpoint returns for ``inputs``."""
        if training and self.call_training_endpoint_fn is not None:
            return self.call_training_endpoint_fn(inputs, **kwargs)
        return self.call_endpoint_fn(inputs, **kwargs)

    def get_config(self):
        """Returns the layer's config (Keras 3's keys)."""
        config = super().get_config()
        config.update({"filepath": self.filepath, "call_endpoint": self.call_endpoint,
                       "call_training_endpoint": self.call_training_endpoint})
        return config
