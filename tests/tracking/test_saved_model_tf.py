"""tracking/saved_model_tf.py: reading a saved_model.pb's object graph."""
import pytest

from tapeflow.tracking import saved_model_tf
from tapeflow.tracking import tensor_bundle as tb
from tests.tracking._sm_common import saved


def test_object_graph_nodes_and_writer_mark(tmp_path):
    _, _, raw = saved(tmp_path)
    assert saved_model_tf.written_by_tapeflow(raw)
    nodes = saved_model_tf.object_graph_nodes(raw)
    assert len(nodes) >= 2          # the root module and its variable at least


def test_garbage_is_refused():
    with pytest.raises(tb._Bad):
        saved_model_tf.object_graph_nodes(b"")
