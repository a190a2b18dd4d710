"""types/experimental/distributed.py: PerReplica and Mirrored, as TensorFlow defines them."""
import tapeflow as tf
from tapeflow.types.experimental import distributed


def test_public_names_and_hierarchy():
    assert tf.types.experimental.distributed.PerReplica is distributed.PerReplica
    assert issubclass(distributed.Mirrored, distributed.PerReplica)
    # tapeflow runs one replica per process: what strategy.run returns is a plain value
    out = tf.distribute.get_strategy().run(lambda: tf.constant(1.0))
    assert not isinstance(out, distributed.PerReplica)
