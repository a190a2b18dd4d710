"""keras/layers/stacked_rnn_cells.py: several cells run as one."""
import numpy as np

from tapeflow import keras


def test_state_sizes_and_output_of_last_cell():
    cells = keras.layers.StackedRNNCells([keras.layers.SimpleRNNCell(3),
                                          keras.layers.SimpleRNNCell(2)])
    assert keras.layers.RNN(cells)(np.ones((2, 4, 5), "float32")).shape == (2, 2)
    assert list(cells.state_size) == [3, 2]
