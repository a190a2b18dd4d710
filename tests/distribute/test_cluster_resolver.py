"""tf.distribute.cluster_resolver and tf.train.ClusterSpec, as TensorFlow reads TF_CONFIG."""
import json

import pytest

import tapeflow as tf

TF_CONFIG = {"cluster": {"worker": ["a:1", "b:2"], "chief": ["c:3"]},
             "task": {"type": "worker", "index": 1}}


def test_tf_config_resolver_reads_task_and_cluster(monkeypatch):
    monkeypatch.setenv("TF_CONFIG", json.dumps(TF_CONFIG))
    r = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    assert (r.task_type, r.task_id) == ("worker", 1)
    spec = r.cluster_spec()
    assert spec.as_dict() == TF_CONFIG["cluster"]
    assert spec.num_tasks("worker") == 2 and spec.task_indices("worker") == [0, 1]
    assert spec.task_address("worker", 1) == "b:2"


def test_cluster_spec_errors_as_tensorflow():
    spec = tf.train.ClusterSpec({"worker": ["a:1", "b:2"]})
    assert spec.jobs == ["worker"]
    with pytest.raises(ValueError, match="No task with index 5 in job 'worker'"):
        spec.task_address("worker", 5)
    with pytest.raises(ValueError, match="No such job in cluster: 'ps'"):
        spec.num_tasks("ps")
    with pytest.raises(ValueError, match="No such job in cluster: 'ps'"):
        spec.task_address("ps", 0)
