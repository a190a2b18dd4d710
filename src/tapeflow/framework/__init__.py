"""The engine: dtypes, shapes, Tensor, Variable, the op mechanism and GradientTape."""
