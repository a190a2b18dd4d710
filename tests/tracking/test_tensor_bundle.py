"""TensorFlow's checkpoint container: a checkpoint written by TensorFlow 2.21 itself (the
files in data/tf2_21, made with the program below) is read without TensorFlow, and what
tapeflow writes parses back to the same entries.

    m = tf.Module()
    m.f = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))
    m.d = tf.Variable(np.float64(2.5))
    m.i = [tf.Variable(np.array([1, -2], np.int64))]
    m.b = {'flag': tf.Variable([True, False])}
    m.h = tf.Variable(np.array([1.5], np.float16))
    tf.train.Checkpoint(model=m, step=tf.Variable(3)).save('data/tf2_21/ckpt')
"""
import os

import numpy as np

import tapeflow as tf
from tapeflow.tracking import tensor_bundle as tb

DATA = os.path.join(os.path.dirname(__file__), "data", "tf2_21")


def _module():
    m = tf.Module()
    m.f = tf.Variable(np.zeros((2, 3), np.float32))
    m.d = tf.Variable(np.float64(0))
    m.i = [tf.Variable(np.zeros(2, np.int64))]
    m.b = {"flag": tf.Variable([False, False])}
    m.h = tf.Variable(np.zeros(1, np.float16))
    return m


def test_reads_a_checkpoint_written_by_tensorflow():
    path = tf.train.latest_checkpoint(DATA)
    assert path == os.path.join(DATA, "ckpt-1")
    assert [k for k, _ in tf.train.list_variables(DATA)] == [
        "_CHECKPOINTABLE_OBJECT_GRAPH", "model/b/flag/.ATTRIBUTES/VARIABLE_VALUE",
        "model/d/.ATTRIBUTES/VARIABLE_VALUE", "model/f/.ATTRIBUTES/VARIABLE_VALUE",
        "model/h/.ATTRIBUTES/VARIABLE_VALUE", "model/i/0/.ATTRIBUTES/VARIABLE_VALUE",
        "save_counter/.ATTRIBUTES/VARIABLE_VALUE", "step/.ATTRIBUTES/VARIABLE_VALUE"]
    m, step = _module(), tf.Variable(0)
    ck = tf.train.Checkpoint(model=m, step=step)
    ck.restore(path).assert_consumed()
    assert m.f.numpy().tolist() == [[0, 1, 2], [3, 4, 5]] and m.d.numpy() == 2.5
    assert m.i[0].numpy().tolist() == [1, -2] and m.b["flag"].numpy().tolist() == [True, False]
    assert m.h.numpy().dtype == np.float16 and m.h.numpy().tolist() == [1.5]
    assert int(step.numpy()) == 3 and int(ck.save_counter.numpy()) == 1


def test_round_trip_of_index_entries_and_object_graph(tmp_path):
    values = {"a": np.arange(5, dtype=np.int16), "b/c": np.array(True)}
    nodes = [{"children": [(1, "a"), (2, "b.c/d")], "attributes": []},
             {"children": [], "attributes": [("VARIABLE_VALUE", "x", "a")]},
             {"children": [(0, "up")], "attributes": []}]
    chunks, entries = tb.encode(values, {"g": tb.encode_object_graph(nodes)})
    parsed = tb.parse_index(tb.build_index(entries))
    assert sorted(parsed) == ["a", "b/c", "g"]
    data = b"".join(chunks)
    for key, e in parsed.items():
        tb.check_entry(key, e, len(data))
    e = parsed["a"]
    np.testing.assert_array_equal(
        tb.decode_value("a", e, data[e["offset"]:e["offset"] + e["size"]]), values["a"])
    g = parsed["g"]
    raw = tb.decode_value("g", g, data[g["offset"]:g["offset"] + g["size"]])
    assert raw.shape == () and tb.decode_object_graph(raw[()]) == nodes


def test_string_entries_use_tensorflow_checksums():
    # TensorFlow checksums a string's length as a uint32, then the masked length checksum
    # and the bytes (value taken from a file TensorFlow wrote).
    chunks, entries = tb.encode({}, {"s": b"str"})
    e = tb.parse_index(tb.build_index(entries))["s"]
    assert e["crc"] == 0x8429DBE6 and b"".join(chunks) == b"\x03c?\x7f(str"


def test_malformed_string_tensors_are_refused():
    e = {"dtype": tb.DT_STRING, "shape": [2], "offset": 0, "size": 8, "crc": 0, "shard": 0}
    for raw in [b"\x00\x00\x00\x80\x3f\x00\x00\x40",      # lengths do not add up
                b"\xff\xff\xff\xff\x7f\x00\x00\x00"]:     # a length beyond the data
        try:
            tb.decode_value("s", e, raw)
        except tb._Bad as err:
            assert "malformed" in str(err) or "truncated" in str(err)
        else:
            raise AssertionError("accepted a malformed string tensor")
    chunks, entries = tb.encode({"s": np.array([b"ab", b"", b"c"], dtype=object)})
    e = tb.parse_index(tb.build_index(entries))["s"]
    assert tb.decode_value("s", e, b"".join(chunks)).tolist() == [b"ab", b"", b"c"]
