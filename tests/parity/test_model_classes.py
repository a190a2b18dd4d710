"""The model classes as Keras 3 has them: ``keras.Model(inputs, outputs)`` is a Functional,
a Model subclass called that way gets Functional among its bases, a subclassed model stays a
plain Model, and a Sequential is a Model that builds a Functional (``_functional``); dicts of
inputs/outputs flatten in sorted key order."""
import numpy as np


def _names(k, functional_cls):
    """What a user can observe about each kind of model, in a way both libraries share."""
    L = k.layers
    out = {}
    inp = k.Input((3,), name="x")
    y = L.Dense(2, name="d")(inp)
    m = k.Model(inp, y)
    out["model"] = (type(m).__name__, isinstance(m, k.Model), isinstance(m, functional_cls),
                    m.name, m.get_build_config())

    class Custom(k.Model):
        pass
    c = Custom(inp, y)
    out["custom"] = (type(c).__name__, [b.__name__ for b in Custom.__bases__],
                     isinstance(c, functional_cls), c.get_build_config(),
                     sorted(c.get_config()))

    class Sub(k.Model):
        def __init__(self):
            super().__init__()
            self.d = L.Dense(2)

        def call(self, x):
            return self.d(x)
    s = Sub()
    out["sub"] = (type(s).__name__, [b.__name__ for b in Sub.__bases__],
                  isinstance(s, functional_cls), s.inputs if hasattr(s, "inputs") else "-")

    seq = k.Sequential([k.Input((3,)), L.Dense(4), L.Dense(2)])
    unbuilt = k.Sequential([L.Dense(2)])
    out["seq"] = ([b.__name__ for b in type(seq).__bases__], isinstance(seq, functional_cls),
                  type(seq._functional).__name__, seq._functional.name, unbuilt._functional,
                  [layer.name for layer in seq._functional.layers][1:] ==
                  [layer.name for layer in seq.layers], seq.get_build_config())
    # each build of a Sequential names a Functional: the next model's default name shows it
    nxt = k.Model(inp, y)
    out["next_name"] = nxt.name
    out["clone"] = (type(k.models.clone_model(m)).__name__,
                    type(k.models.clone_model(seq)).__name__)
    return out


def test_model_classes_match_keras(rkeras):
    from keras.src.models.functional import Functional as RFunctional
    from tapeflow import keras as tkeras
    from tapeflow.keras.models.functional import Functional
    rkeras.backend.clear_session()   # default names count from zero in both libraries
    want = _names(rkeras, RFunctional)
    tkeras.backend.clear_session()
    got = _names(tkeras, Functional)
    assert got == want


def _dict_model(k):
    b, a = k.Input((2,), name="b"), k.Input((3,), name="a")
    x = k.layers.Concatenate(name="cat")([b, a])
    m = k.Model({"b": b, "a": a}, {"q": k.layers.Dense(1, name="q")(x),
                                     "p": k.layers.Dense(2, name="p")(x)})
    out = m({"b": np.ones((1, 2), "float32"), "a": np.ones((1, 3), "float32")})
    config = m.get_config()
    return ([t.name for t in m.inputs], [t.shape for t in m.outputs], m.output_names,
            [layer.name for layer in m.layers], [w.shape for w in m.weights],
            {key: tuple(v.shape) for key, v in out.items()}, list(out),
            config["input_layers"], config["output_layers"],
            k.tree.flatten({"b": 1, "a": 2, "c": [3, (4, {"z": 5, "y": 6})]}))


def test_dict_inputs_and_outputs_flatten_in_sorted_key_order(rkeras):
    from tapeflow import keras as tkeras
    got, want = _dict_model(tkeras), _dict_model(rkeras)
    # inputs' KerasTensor names differ (Keras names them keras_tensor_N): compare the layers
    assert [n[:1] for n in got[0]] == ["a", "b"] and want[0] != ["b", "a"]
    assert got[1:] == tuple(tuple(w) if isinstance(w, tuple) else w for w in want[1:])
