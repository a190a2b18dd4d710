"""compat.api_check: TensorFlow/Keras names a program uses that tapeflow lacks."""
from tapeflow.compat.api_check import missing_apis


def test_missing_api_report_names_the_attribute_and_line():
    src = "import tensorflow as tf\nx = tf.constant(1.)\ny = tf.no_such_op(x)\n"
    assert missing_apis(src) == [("tensorflow.no_such_op", 3)]


def test_from_imports_are_resolved():
    src = "from tensorflow.keras import layers_that_do_not_exist\n"
    assert missing_apis(src) == [("tensorflow.keras.layers_that_do_not_exist", 1)]
