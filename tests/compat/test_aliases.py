"""compat.aliases: ``import tensorflow`` resolves to tapeflow inside the context only."""
import sys

from tapeflow.compat import tensorflow_aliases


def test_aliases_map_tensorflow_to_tapeflow_only_inside_the_context():
    import tapeflow
    with tensorflow_aliases():
        import tensorflow as tf
        assert tf is tapeflow
    assert "tensorflow" not in sys.modules or sys.modules["tensorflow"] is not tapeflow
