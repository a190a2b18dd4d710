"""tf.summary: event files TensorBoard reads (decoded here with our own wire decoder)."""
import glob

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.io import wire
from tapeflow.io.tfrecord import read_records


def _events(folder):
    (path,) = glob.glob(str(folder) + "/events.out.tfevents.*")
    out = []
    for rec in read_records(path):
        ev = {}
        for n, wt, v in wire.fields(memoryview(rec)):
            if n == 2:
                ev["step"] = v
            elif n == 3:
                ev["version"] = bytes(v)
            elif n == 5:
                for _, _, val in wire.fields(v):
                    f = {k: w for k, _, w in wire.fields(val)}
                    plugin = bytes(dict((k, w) for k, _, w in wire.fields(
                        dict((k, w) for k, _, w in wire.fields(f[9]))[1]))[1]) if 9 in f \
                        else None
                    ev["value"] = (bytes(f[1]).decode(), plugin, bytes(f[8]) if 8 in f
                                   else None)
        out.append(ev)
    return out


def test_scalar_histogram_text_image(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path))
    assert tf.summary.scalar("x", 1.0, step=1) is False  # no default writer
    with w.as_default():
        assert tf.summary.scalar("loss", 0.5, step=1) is True
        tf.summary.histogram("h", [1.0, 2.0, 2.0, 3.0], step=1, buckets=3)
        tf.summary.text("t", "hello", step=2)
        tf.summary.image("img", np.zeros((2, 4, 3, 3), np.float32), step=3, max_outputs=1)
    w.close()
    ev = _events(tmp_path)
    assert ev[0]["version"] == b"brain.Event:2"
    tags = [(e["value"][0], e["value"][1], e["step"]) for e in ev[1:]]
    assert tags == [("loss", b"scalars", 1), ("h", b"histograms", 1), ("t", b"text", 2),
                    ("img", b"images", 3)]
    loss = tf.io.parse_tensor(ev[1]["value"][2], tf.float32)
    assert float(loss) == 0.5
    hist = tf.io.parse_tensor(ev[2]["value"][2], tf.float64).numpy()
    assert hist.tolist() == [[1.0, 1 + 2 / 3, 1.0], [1 + 2 / 3, 1 + 4 / 3, 2.0],
                             [1 + 4 / 3, 3.0, 1.0]]
    img = tf.io.parse_tensor(ev[4]["value"][2], tf.string).numpy()
    assert img[:2].tolist() == [b"3", b"4"] and len(img) == 3
    assert tf.io.decode_png(img[2]).shape == (4, 3, 3)


def test_default_step_and_errors(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path))
    with w.as_default():
        with pytest.raises(ValueError, match="No step set"):
            tf.summary.scalar("x", 1.0)
        tf.summary.experimental.set_step(7)
        assert tf.summary.experimental.get_step() == 7
        tf.summary.scalar("x", 1.0)
        tf.summary.experimental.set_step(None)
    w.close()
    assert _events(tmp_path)[1]["step"] == 7
