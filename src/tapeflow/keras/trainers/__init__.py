"""Helpers of the Keras training loop: data adapters and compiled losses/metrics."""
