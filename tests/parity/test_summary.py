"""tf.summary parity: TensorFlow's own Event parser reads tapeflow's event files and finds
TensorBoard's plugin names and the tensors TensorFlow 2 writes."""
import glob

import numpy as np

import tapeflow as tf


def test_tensorflow_reads_our_event_files(rtf, tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path))
    with w.as_default(step=4):
        tf.summary.scalar("loss", 0.25, description="the loss")
        tf.summary.histogram("w", np.arange(10.0), buckets=5)
        tf.summary.text("note", "hi")
    w.close()
    (path,) = glob.glob(str(tmp_path / "events.out.tfevents.*"))
    events = list(rtf.compat.v1.train.summary_iterator(path))
    assert events[0].file_version == "brain.Event:2"
    got = {}
    for e in events[1:]:
        assert e.step == 4
        (v,) = e.summary.value
        got[v.tag] = (v.metadata.plugin_data.plugin_name, rtf.make_ndarray(v.tensor))
    assert got["loss"][0] == "scalars" and got["loss"][1] == np.float32(0.25)
    assert got["w"][0] == "histograms" and got["w"][1].shape == (5, 3)
    assert got["w"][1][:, 2].tolist() == [2, 2, 2, 2, 2]
    assert got["note"] == ("text", np.asarray(b"hi", dtype=object))
    assert [e.summary.value[0].metadata.summary_description for e in events[1:2]] == [
        "the loss"]
