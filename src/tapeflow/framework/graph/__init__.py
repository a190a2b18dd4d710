"""The graph machinery behind ``tf.function``: tracing (``func_graph``), replay
(``graph_exec``), concrete functions and input-signature binding."""
