"""tracking/trackable.py: the object graph a checkpoint saves (paths, aliases, key lookup)."""
import tapeflow as tf
from tapeflow.tracking import trackable


def test_escape_name_matches_tensorflow():
    assert trackable.escape_name("a.b/c") == "a..b.Sc"


def test_object_graph_paths_and_aliases():
    m = tf.Module()
    m.w = tf.Variable(1.0)
    m.layers = [tf.Module()]
    m.layers[0].b = tf.Variable(2.0)
    m.same = m.layers[0]
    aliases = {}
    paths = [p for p, _ in trackable.object_graph(m, aliases=aliases)]
    assert paths[0] == ""
    # breadth first: the shortest path ("same", depth 1) wins over "layers/0" (depth 2)
    assert paths == ["", "w", "layers", "same", "same/b"]
    assert aliases == {"layers/0": "same"}
    assert set(trackable.variables_by_path(m)) == {"w", "same/b"}
    assert trackable.variables_by_path(m)["w"] is m.w


def test_resolve_key_follows_aliases():
    keys = {"layers/0/b/.ATTRIBUTES/VARIABLE_VALUE"}
    assert trackable.resolve_key("layers/0/b", keys, {}) == \
        "layers/0/b/.ATTRIBUTES/VARIABLE_VALUE"
    assert trackable.resolve_key("same/b", keys, {"same": "layers/0"}) == \
        "layers/0/b/.ATTRIBUTES/VARIABLE_VALUE"
    assert trackable.resolve_key("other/b", keys, {"same": "layers/0"}) is None
