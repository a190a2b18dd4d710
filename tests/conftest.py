"""Shared test setup: reset random state between tests so each test is repeatable alone."""
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _seed_numpy():
    np.random.seed(1234)
    yield
