"""Keras 3's augmentation policies: ``RandAugment`` and ``AugMix``.

Both are built from the other augmentation layers (shear, translation, rotation,
posterization, solarization, auto-contrast, equalization, and with ``all_ops`` / in
RandAugment also brightness, color degeneration, contrast and sharpness), created with
Keras's strengths for a given ``factor``. RandAugment applies ``num_ops`` of them,
chosen at random for the batch; AugMix mixes ``num_chains`` chains of up to
``chain_depth`` random operations with Dirichlet weights, then mixes the result with the
original by a Beta-distributed weight (Hendrycks et al., 2019).
"""
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.layers.image_color import _ColorLayer, _rng

_BASIC = ["random_shear", "random_translation", "random_rotation", "random_posterization",
          "solarization", "auto_contrast", "equalization"]
_COLOR = ["random_brightness", "random_color_degeneration", "random_contrast",
          "random_sharpness"]
_RAND_AUGMENT = ["random_shear", "random_translation", "random_rotation",
                 "random_brightness", "random_color_degeneration", "random_contrast",
                 "random_sharpness", "random_posterization", "solarization", "auto_contrast",
                 "equalization"]


def _make(name, factor, value_range, interpolation, seed):
    """Returns the sublayer ``name`` configured as Keras's policies configure it (working on
    channels_last float batches: the policy converts layouts once)."""
    from tapeflow.keras import layers
    last = "channels_last"
    if name == "random_shear":
        return layers.RandomShear(x_factor=factor, y_factor=factor,
                                  interpolation=interpolation, seed=seed, data_format=last)
    if name == "random_translation":
        return layers.RandomTranslation(height_factor=factor, width_factor=factor,
                                        interpolation=interpolation, seed=seed)
    if name == "random_rotation":
        return layers.RandomRotation(factor=factor, interpolation=interpolation, seed=seed)
    if name == "random_brightness":
        return layers.RandomBrightness(factor=factor, value_range=value_range, seed=seed)
    if name == "random_color_degeneration":
        return layers.RandomColorDegeneration(factor=factor, value_range=value_range,
                                              seed=seed, data_format=last)
    if name == "random_contrast":
        return layers.RandomContrast(factor=factor, value_range=value_range, seed=seed)
    if name == "random_sharpness":
        return layers.RandomSharpness(factor=factor, value_range=value_range, seed=seed,
                                      data_format=last)
    if name == "random_posterization":
        return layers.RandomPosterization(factor=max(1, int(8 * factor[1])),
                                          value_range=value_range, seed=seed, data_format=last)
    if name == "solarization":
        return layers.Solarization(addition_factor=factor, threshold_factor=factor,
                                   value_range=value_range, seed=seed)
    if name == "auto_contrast":
        return layers.AutoContrast(value_range=value_range)
    return layers.Equalization(value_range=value_range, data_format=last)


class _Policy(_ColorLayer):
    _bounds = (0, 1)
    _names = ()

    def _build_sublayers(self, value_range, interpolation, seed):
        for name in self._names:
            layer = _make(name, self.factor, value_range, interpolation, seed)
            # Boxes in dict inputs move with the operations that move pixels.
            layer.__dict__["bounding_box_format"] = self.bounding_box_format
            setattr(self, name, layer)

    def _apply_op(self, name, x):
        out = getattr(self, name)(Tensor(np.ascontiguousarray(x, dtype=np.float32)),
                                  training=True)
        return out.numpy().astype(np.float32, copy=False)


class RandAugment(_Policy):
    """Applies ``num_ops`` augmentations chosen at random (one choice per batch) from
    Keras's eleven, each with strength ``factor`` (a number ``f`` means ``(0, f)``).

    Args:
      value_range: the images' value range.
      num_ops: how many operations to apply in sequence.
      factor: strength range in [0, 1].
      interpolation: for the geometric operations.
    """

    _names = _RAND_AUGMENT
    _boxes_pass_through = False   # its geometric operations would move boxes

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear",
                 seed=None, data_format=None, **kwargs):
        super().__init__(factor=factor, value_range=None, seed=seed, data_format=data_format,
                         **kwargs)
        self.value_range = value_range
        self.num_ops = num_ops
        self.interpolation = interpolation
        self._build_sublayers(value_range, interpolation, seed)

    def _transform(self, x, dtype):
        picks = _rng(self).integers(0, len(self._names), self.num_ops)
        for idx in picks:
            x = self._apply_op(self._names[int(idx)], x)
        return x

    def __call__(self, inputs, *args, **kwargs):
        if not isinstance(inputs, dict):
            return super().__call__(inputs, *args, **kwargs)
        if "bounding_boxes" in inputs and not self.bounding_box_format:
            raise ValueError(
                "You passed an input with a 'bounding_boxes' key, but you didn't specify a "
                "bounding box format. Pass a `bounding_box_format` argument to your "
                f"{self.__class__.__name__} layer, e.g. `bounding_box_format='xyxy'`.")
        if not kwargs.get("training", True):
            return dict(inputs)
        data = dict(inputs)
        for idx in _rng(self).integers(0, len(self._names), self.num_ops):
            data = getattr(self, self._names[int(idx)])(data, training=True)
        return data

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "num_ops": self.num_ops,
                       "factor": self.factor, "interpolation": self.interpolation,
                       "seed": self.seed})
        return config


class AugMix(_Policy):
    """AugMix: a Beta(alpha, alpha)-weighted mix of the image and a Dirichlet(alpha)-weighted
    mix of ``num_chains`` chains of up to ``chain_depth`` random operations; clipped to
    ``value_range``.

    Args:
      value_range, factor, interpolation: as in ``RandAugment`` (``factor`` default 0.3).
      num_chains: number of augmentation chains.
      chain_depth: operations per chain (each step may also do nothing).
      alpha: concentration of the Dirichlet and Beta distributions.
      all_ops: also use brightness, color degeneration, contrast and sharpness.
    """

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3,
                 alpha=1.0, all_ops=True, interpolation="bilinear", seed=None,
                 data_format=None, **kwargs):
        super().__init__(factor=factor, value_range=None, seed=seed, data_format=data_format,
                         **kwargs)
        self.value_range = value_range
        self.num_chains = num_chains
        self.chain_depth = chain_depth
        self.alpha = alpha
        self.all_ops = all_ops
        self.interpolation = interpolation
        self._names = _BASIC + _COLOR if all_ops else list(_BASIC)
        self._build_sublayers(value_range, interpolation, seed)

    def _transform(self, x, dtype):
        rng = _rng(self)
        gamma = np.array([rng.gamma(self.alpha) if hasattr(rng, "gamma")
                          else np.random.gamma(self.alpha) for _ in range(self.num_chains)])
        weights = (gamma / gamma.sum()).astype(np.float32)
        mix = np.float32(rng.beta(self.alpha, self.alpha))
        choices = self._names + [None]
        augmented = np.zeros_like(x)
        for c in range(self.num_chains):
            chain = x.copy()
            for _ in range(self.chain_depth):
                name = choices[int(rng.integers(0, len(choices)))]
                if name is not None:
                    chain = self._apply_op(name, chain)
            augmented += chain * weights[c]
        out = mix * x + (1 - mix) * augmented
        lo, hi = self.value_range
        return np.clip(out, lo, hi).astype(np.float32)

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "num_chains": self.num_chains,
                       "chain_depth": self.chain_depth, "factor": self.factor,
                       "alpha": self.alpha, "all_ops": self.all_ops,
                       "interpolation": self.interpolation, "seed": self.seed})
        return config
