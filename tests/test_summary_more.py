"""tf.summary.audio (WAV bytes as tf.audio.encode_wav), graph, write_raw_pb, trace_* and
experimental.summary_scope."""
import glob

import numpy as np

import tapeflow as tf
from tapeflow.io.tfrecord import read_records
from tapeflow.summary_more import encode_wav

# tf.audio.encode_wav(tf.constant(SAMPLES.reshape(4, 2)), 8000) in TensorFlow 2.21
SAMPLES = np.array([-1.5, -1, -0.5, 0, 0.3, 0.5, 1, 2], np.float32)
TF_WAV = (b"RIFF4\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00@\x1f\x00\x00\x00}\x00"
          b"\x00\x04\x00\x10\x00data\x10\x00\x00\x00\x00\x80\x00\x80\x00\xc0\x00\x00f&\x00@"
          b"\xff\x7f\xff\x7f")


def test_wav_bytes_are_tensorflows():
    assert encode_wav(SAMPLES.reshape(4, 2), 8000) == TF_WAV


def _events(folder):
    (path,) = glob.glob(str(folder / "events.out.tfevents.*"))
    return list(read_records(path))


def test_audio_raw_pb_and_graph_events(tmp_path):
    assert tf.summary.audio("snd", SAMPLES.reshape(1, 8, 1), 8000, step=1) is False
    w = tf.summary.create_file_writer(str(tmp_path))
    with w.as_default():
        assert tf.summary.audio("snd", SAMPLES.reshape(2, 2, 2), 8000, step=3)
        assert bool(tf.summary.experimental.write_raw_pb(tf.constant(b"raw-summary"), step=4))
        assert bool(tf.summary.graph(b"graph-def-bytes"))
        tf.summary.trace_on(graph=True)
        assert tf.summary.trace_export("t", step=0) is None and tf.summary.trace_off() is None
    w.close()
    events = _events(tmp_path)
    assert len(events) == 4   # file version, audio, raw summary, graph
    assert b"audio" in events[1] and encode_wav(SAMPLES.reshape(2, 2, 2)[0], 8000) in events[1]
    assert events[2].endswith(b"\x2a\x0braw-summary")        # Event.summary (5)
    assert events[3].endswith(b"\x22\x0fgraph-def-bytes")    # Event.graph_def (4)


def test_summary_scope():
    with tf.summary.experimental.summary_scope("loss") as (tag, scope):
        assert (tag, scope) == ("loss", "loss/")
    with tf.name_scope("outer"):
        with tf.summary.experimental.summary_scope(None, "dflt") as (tag, scope):
            assert (tag, scope) == ("outer/dflt", "outer/dflt/")
