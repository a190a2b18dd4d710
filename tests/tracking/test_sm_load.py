"""tracking/sm_load.py: a SavedModel's function library, checked against the allow-list and run."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.tracking import saved_model_tf
from tests.tracking._sm_common import saved


def test_library_runs_traced_function_and_refuses_disallowed(tmp_path):
    m, _, raw = saved(tmp_path)
    specs, lib = saved_model_tf._concrete_specs(raw)
    name = next(n for n in specs if "signature_wrapper" not in n)
    assert lib.check(name) is None
    x = tf.constant(np.array([[3.0, 4.0]], np.float32))
    (out,) = lib.run(name, [x, m.v])
    np.testing.assert_array_equal(out.numpy(), [[3.0, 8.0]])
    save_fn = next(n for n in lib.raw if "traced_save" in n)
    assert "Op type not registered 'SaveV2'" in lib.check(save_fn)
    with pytest.raises(tf.errors.NotFoundError):
        lib.run(save_fn, [])
    assert "not in the SavedModel's function library" in lib.check("missing")
