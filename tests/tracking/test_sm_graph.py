"""tracking/sm_graph.py: the top-level graph and signatures of saved_model.pb (what TensorFlow
Serving and TF1 loaders run)."""
import numpy as np

import tapeflow as tf
from tests.tracking._sm_common import saved


def test_serving_signature_graph_is_written_and_runs_after_load(tmp_path):
    m, d, raw = saved(tmp_path)
    # one VarHandleOp per variable, a Placeholder per signature input, a call of the wrapper
    for needle in (b"VarHandleOp", b"serving_default_x", b"StatefulPartitionedCall",
                   b"serving_default"):
        assert needle in raw, needle
    loaded = tf.saved_model.load(d)
    out = loaded.signatures["serving_default"](x=tf.constant([[1.0, 1.0]]))
    (value,) = out.values()
    np.testing.assert_array_equal(value.numpy(), [[1.0, 2.0]])
