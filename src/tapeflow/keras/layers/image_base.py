"""Shared pieces of the image augmentation layers: the per-layer random generator, the
channels_last check, and ``_ImageLayer`` (batches single images, converts to the compute
dtype, applies ``_transform`` to NumPy arrays)."""
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.layers.layer import Layer

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def _rng(layer):
    from tapeflow.framework.graph import func_graph
    from tapeflow.keras import initializers
    if func_graph.current() is not None:   # random draws outside the op mechanism
        raise func_graph.Uncapturable(f"the random augmentation layer {layer.name}")
    if layer.seed is None:
        return initializers._GLOBAL["rng"]
    rng = layer.__dict__.get("_rng")
    if rng is None:
        rng = np.random.default_rng(layer.seed)
        layer.__dict__["_rng"] = rng
    return rng


def _channels_last(data_format):
    """Returns ``"channels_last"`` (the only layout supported) for None or that value.

    Raises:
      NotImplementedError: for ``"channels_first"``.
    """
    if data_format not in (None, "channels_last"):
        raise NotImplementedError("tapeflow's image layers support "
                                  f"data_format='channels_last' only. Received: {data_format}")
    return "channels_last"


class _ImageLayer(Layer):
    """Batches single images, converts to float, applies ``_transform`` to NumPy arrays."""

    always = False
    _boxes_pass_through = False   # True: dict inputs keep their boxes (color-only layers)

    def __init__(self, seed=None, **kwargs):
        if self._boxes_pass_through:
            self.__dict__["bounding_box_format"] = kwargs.pop("bounding_box_format", None)
        super().__init__(**kwargs)
        self.seed = seed

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, dict):
            if hasattr(self, "transform_bounding_boxes"):   # geometric: boxes move too
                from tapeflow.keras.layers.image_boxes import call_on_dict
                return call_on_dict(self, inputs, kwargs.get("training", True))
            if not self._boxes_pass_through:
                raise NotImplementedError(f"tapeflow's {type(self).__name__} takes image "
                                          "arrays only, not dicts of images and boxes.")
            if "bounding_boxes" in inputs and not self.bounding_box_format:
                raise ValueError(
                    "You passed an input with a 'bounding_boxes' key, but you didn't specify "
                    "a bounding box format. Pass a `bounding_box_format` argument to your "
                    f"{type(self).__name__} layer, e.g. `bounding_box_format='xyxy'`.")
            out = dict(inputs)
            out["images"] = super().__call__(inputs["images"], *args, **kwargs)
            return out
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs, training=True):
        if training is None:
            training = True
        if not (training or self.always):
            return inputs
        x = inputs.numpy()
        single = x.ndim == 3
        if single:
            x = x[None]
        if x.ndim != 4:
            raise ValueError(f"Layer {self.name} expects images of rank 3 or 4 (HWC or NHWC); "
                             f"received shape {x.shape}")
        out = self._transform(x.astype(self._np_dtype, copy=False))
        return Tensor(out[0] if single else out)
