"""Parity tests: TensorFlow 2 / Keras 3 themselves as the expected values.

Every test here runs the same program in tapeflow and in the real TensorFlow/Keras and
compares what a user sees: values, shapes, dtype names, str/repr text, exception classes.
They run where TensorFlow is installed (a separate virtualenv: `pip install tensorflow-cpu
pytest hypothesis pytest-xdist && pip install --no-deps -e .`) and are skipped, with the
reason printed, where it is not (CI never installs it).

Fixtures: ``rtf`` is the real ``tensorflow`` module, ``rkeras`` the real ``keras``.
"""
import os
import warnings

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _import_real():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import keras
            import tensorflow
    except ImportError:
        return None, None
    try:   # one thread each: pytest -n 2 already runs a worker per core
        tensorflow.config.threading.set_intra_op_parallelism_threads(1)
        tensorflow.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:   # TensorFlow's runtime already started in this process
        pass
    return tensorflow, keras


REAL_TF, REAL_KERAS = _import_real()
SKIP_REASON = ("TensorFlow is not installed: parity tests compare against the real "
               "TensorFlow/Keras (see tests/parity/conftest.py)")


def pytest_collection_modifyitems(config, items):
    if REAL_TF is not None:
        return
    mark = pytest.mark.skip(reason=SKIP_REASON)
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(mark)


@pytest.fixture
def rtf():
    """The real tensorflow module."""
    return REAL_TF


@pytest.fixture
def rkeras():
    """The real keras (3) module."""
    return REAL_KERAS
