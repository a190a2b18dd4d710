"""Object tracking and checkpoints: ``tf.Module``, the object graph, ``tf.train.Checkpoint``.

Sits on ``framework`` (variables, name scopes) and below ``keras``: Keras layers, models
and optimizers join the object graph by defining ``_trackable_children``.
"""
