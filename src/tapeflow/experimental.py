"""``tf.experimental``: TensorFlow's experimental namespace.

tapeflow has none of its members yet (``tf.experimental.numpy`` among them); a name looked up
here raises ``AttributeError``, as for any missing TensorFlow name.
"""
