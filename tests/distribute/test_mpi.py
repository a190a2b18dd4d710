"""Multi-worker training on MPI: `mpirun -np 2` against one process on the whole batch.

Each launch runs tests/distribute/mpi_worker.py; every launch has a timeout and its
process group is killed when it runs over. Needs mpi4py and an `mpirun` (the `mpi`
extra: `pip install -e ".[mpi]"`, also in the `test` extra).
"""
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np
import pytest

import tapeflow

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "mpi_worker.py")
GLOBAL_BATCH = 16


def _mpirun():
    local = os.path.join(os.path.dirname(sys.executable), "mpirun")
    return local if os.path.exists(local) else shutil.which("mpirun")


def _skip_reason():
    if importlib.util.find_spec("mpi4py") is None:
        return "mpi4py is not installed (pip install -e \".[mpi]\")"
    if _mpirun() is None:
        return "no mpirun found (pip install mpich)"
    return None


pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason()))


def _env(**extra):
    env = dict(os.environ)
    src = os.path.dirname(os.path.dirname(os.path.abspath(tapeflow.__file__)))
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    # Harmless for MPICH; lets Open MPI run as root and on few cores.
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    env.pop("TF_CONFIG", None)
    env.update(extra)
    return env


def run(args, timeout, np_=2, **env):
    """Runs the worker script (under mpirun when np_ > 1); returns (rc, output, seconds)."""
    cmd = [sys.executable, WORKER] + list(args)
    if np_ > 1:
        cmd = [_mpirun(), "-np", str(np_)] + cmd
    start = time.monotonic()
    with tempfile.TemporaryFile() as log:     # keeps the output of a job killed on timeout
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=_env(**env),
                                start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.seek(0)
        out = log.read().decode(errors="replace")
    if proc.returncode == -signal.SIGKILL and time.monotonic() - start >= timeout:
        pytest.fail(f"{' '.join(cmd)} ran over {timeout} s:\n{out}")
    return proc.returncode, out, time.monotonic() - start


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    one = tmp_path_factory.mktemp("one")
    two = tmp_path_factory.mktemp("two")
    rc, out, _ = run(["train", str(one)], timeout=120, np_=1)
    assert rc == 0, out
    rc, out, _ = run(["train", str(two)], timeout=120, np_=2)
    assert rc == 0, out
    return (dict(np.load(one / "rank0.npz")), dict(np.load(two / "rank0.npz")),
            dict(np.load(two / "rank1.npz")), two)


def _names(results, prefix):
    return sorted(k for k in results if k.startswith(prefix + "/w"))


def test_world_is_discovered(trained):
    info = json.loads((trained[3] / "info-train.json").read_text())
    assert info == {"replicas": 2, "task": ["worker", 0]}


@pytest.mark.parametrize("case", ["sgd", "adam", "bnsync", "dataset"])
def test_two_workers_match_one_process_on_the_global_batch(trained, case):
    ref, r0, _, _ = trained
    names = _names(ref, case)
    assert names
    for k in names:
        np.testing.assert_allclose(r0[k], ref[k], rtol=1e-5, atol=1e-6, err_msg=k)


@pytest.mark.parametrize("case", ["sgd", "adam", "bnsync", "bnlocal", "dataset"])
def test_logs_and_evaluate_are_global_figures(trained, case):
    ref, r0, r1, _ = trained
    keys = [f"{case}/log_loss", f"{case}/log_accuracy", f"{case}/eval"]
    if case == "dataset":
        keys = ["dataset/log_val_loss"]
    for k in keys:
        np.testing.assert_array_equal(r0[k], r1[k], err_msg=k)
        if case != "bnlocal":
            np.testing.assert_allclose(r0[k], ref[k], rtol=1e-5, atol=1e-6, err_msg=k)


def test_shuffled_arrays_train_as_one_process_and_leave_the_rng_alone(trained):
    ref, r0, r1, _ = trained
    for k in _names(ref, "shuffled"):
        np.testing.assert_allclose(r0[k], ref[k], rtol=1e-5, atol=1e-6, err_msg=k)
        np.testing.assert_array_equal(r0[k], r1[k], err_msg=k)
    # the workers shuffle from a private copy: the user's global NumPy RNG is untouched
    untouched = np.random.RandomState(5).randint(0, 2 ** 31)
    assert int(r0["shuffled/next_draw"]) == int(r1["shuffled/next_draw"]) == untouched


def test_a_custom_train_step_reports_global_figures(trained):
    ref, r0, r1, _ = trained
    for k in ("customstep/batch_logs", "customstep/log_acc", "customstep/log_loss"):
        np.testing.assert_array_equal(r0[k], r1[k], err_msg=k)
        np.testing.assert_allclose(r0[k], ref[k], rtol=1e-5, atol=1e-6, err_msg=k)


@pytest.mark.parametrize("case", ["sgd", "adam", "bnsync", "custom", "dataset"])
def test_workers_hold_bitwise_identical_weights(trained, case):
    _, r0, r1, _ = trained
    for k in _names(r0, case):
        np.testing.assert_array_equal(r0[k], r1[k], err_msg=k)


def test_plain_batchnorm_is_per_replica_as_in_tensorflow(trained):
    """BatchNormalization(synchronized=False) under MultiWorkerMirroredStrategy, as in
    TensorFlow: each replica normalizes with its own batch statistics (the update equals
    the mean of the halves' gradients) and keeps its own moving statistics."""
    ref, r0, r1, _ = trained
    # weights: gamma, beta, moving_mean, moving_variance, then the Dense layers
    trainable = [0, 1, 4, 5, 6, 7]
    for i, j in enumerate(trainable):
        np.testing.assert_allclose(r0[f"bnlocal/w{j}"], ref[f"bnlocal_ref/w{i}"],
                                   rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(r0[f"bnlocal/w{j}"], r1[f"bnlocal/w{j}"])
    sys.path.insert(0, HERE)
    try:
        from mpi_worker import data
    finally:
        sys.path.remove(HERE)
    x, _ = data()
    for rank, result in enumerate((r0, r1)):
        mean, var = np.zeros(8, np.float32), np.ones(8, np.float32)
        for _ in range(2):
            for start in range(0, len(x), GLOBAL_BATCH):
                part = x[start + rank * 8:start + (rank + 1) * 8]
                mean = mean * np.float32(0.8) + part.mean(0) * np.float32(0.2)
                var = var * np.float32(0.8) + part.var(0) * np.float32(0.2)
        np.testing.assert_allclose(result["bnlocal/w2"], mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(result["bnlocal/w3"], var, rtol=1e-5, atol=1e-6)
    assert not np.allclose(r0["bnlocal/w2"], r1["bnlocal/w2"])


def test_synchronized_batchnorm_moving_statistics_are_global(trained):
    ref, r0, r1, _ = trained
    for k in ("bnsync/w2", "bnsync/w3"):
        np.testing.assert_array_equal(r0[k], r1[k])
        np.testing.assert_allclose(r0[k], ref[k], rtol=1e-5, atol=1e-6)


def test_custom_loop_with_run_and_reduce_matches(trained):
    ref, r0, r1, _ = trained
    np.testing.assert_allclose(r0["custom/losses"], ref["custom/losses"], rtol=1e-5)
    np.testing.assert_array_equal(r0["custom/losses"], r1["custom/losses"])
    for k in _names(ref, "custom"):
        np.testing.assert_allclose(r0[k], ref[k], rtol=1e-5, atol=1e-6, err_msg=k)


def test_gather_and_all_reduce(trained):
    _, r0, r1, _ = trained
    for r in (r0, r1):
        np.testing.assert_array_equal(r["gather"], [[0, 0], [1, 1]])
        assert float(r["all_reduce"]) == 1.5    # MEAN of 1 and 2


def test_only_the_chief_writes(trained):
    _, r0, r1, two = trained
    assert int(r0["saves"]) == 2 and int(r1["saves"]) == 0
    assert len(os.listdir(two / "tb" / "train")) == 1


def test_a_worker_that_stops_answering_fails_the_job_with_a_timeout(tmp_path):
    rc, out, seconds = run(["hang", str(tmp_path)], timeout=90,
                           TAPEFLOW_COLLECTIVE_TIMEOUT="3")
    assert rc != 0
    assert "DeadlineExceededError" in out and "did not complete within 3 s" in out
    assert seconds < 60


def test_a_killed_worker_fails_the_job_in_bounded_time(tmp_path):
    rc, out, seconds = run(["die", str(tmp_path)], timeout=90, TAPEFLOW_COLLECTIVE_TIMEOUT="3")
    assert rc != 0
    assert seconds < 60


def test_an_uncaught_exception_on_one_worker_aborts_the_job_at_once(tmp_path):
    # the default 300 s timeout stays: the job must end long before it
    rc, out, seconds = run(["raise", str(tmp_path)], timeout=90)
    assert rc != 0
    assert "RuntimeError: worker 1 fails" in out
    assert seconds < 30


@pytest.mark.parametrize("disks", ["shared", "separate"])
def test_backup_and_restore_resumes_a_relaunched_job(tmp_path, disks):
    """With "separate", worker 1 cannot see the chief's backup folder: it resumes at the
    chief's epoch with the chief's weights all the same."""
    env = {"SEPARATE_DISKS": "1" if disks == "separate" else "0"}
    ref = tmp_path / "ref"
    ref.mkdir()
    rc, out, _ = run(["backup", str(ref)], timeout=120, np_=1)
    assert rc == 0, out
    job = tmp_path / "job"
    job.mkdir()
    rc, out, _ = run(["backup", str(job)], timeout=120, INTERRUPT="1", **env)
    assert rc == 0, out
    assert os.path.exists(job / "backup" / "training_metadata.json")
    assert not os.path.exists(job / "elsewhere")
    rc, out, _ = run(["backup", str(job)], timeout=120, **env)
    assert rc == 0, out
    expected = np.load(ref / "backup0.npz")
    np.testing.assert_array_equal(expected["epochs"], [0, 1, 2, 3])
    for rank in (0, 1):
        got = np.load(job / f"backup{rank}.npz")
        np.testing.assert_array_equal(got["epochs"], [2, 3])   # resumed at epoch 2
        for k in expected.files:
            if k != "epochs":
                np.testing.assert_allclose(got[k], expected[k], rtol=1e-5, atol=1e-6)
    assert not os.path.exists(job / "backup")   # removed by the chief at the end


def test_a_launch_mpi_does_not_see_is_refused():
    """Launcher variables say 2 processes but MPI (a singleton here) sees one: refuse to
    train alone silently."""
    code = "import tapeflow as tf; tf.distribute.MultiWorkerMirroredStrategy()"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60,
                          env=_env(PMI_SIZE="2", PMI_RANK="0"))
    assert proc.returncode != 0
    assert b"MPI sees only this one" in proc.stderr
