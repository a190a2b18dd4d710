"""The backend's allocator setting: large array buffers are reused, not page-faulted in."""
import os
import subprocess
import sys

import pytest

# One "training step": 16 live 4 MB buffers, all freed at its end; minor page faults
# over 10 steps. glibc's defaults return the freed heap top to the OS after each step.
STEPS = """
import resource, sys
import numpy as np
{imports}
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for step in range(10):
    live = [np.ones(1_000_000, np.float32) for _ in range(16)]
    del live
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before, {tuned})
"""
ONE_STEP = 16 * 4_000_000 // 4096   # pages one step touches


def _faults(env_extra, imports="import tapeflow", tuned="tapeflow.backend.tune_malloc()"):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"}
    env.update(env_extra)
    out = subprocess.run([sys.executable, "-c", STEPS.format(imports=imports, tuned=tuned)],
                         env=env, capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), out[1] == "True"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc is Linux's")
def test_importing_tapeflow_keeps_freed_buffers_for_the_next_step():
    faults, tuned = _faults({})
    if not tuned:
        pytest.skip("the C library is not glibc: no malloc thresholds to set")
    assert faults < 2 * ONE_STEP, f"{faults} minor faults over 10 steps"
    opted_out, tuned = _faults({"TAPEFLOW_TUNE_MALLOC": "0"})
    assert not tuned
    assert opted_out > 5 * ONE_STEP, f"{opted_out} minor faults with glibc's defaults"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc is Linux's")
def test_the_users_own_malloc_settings_win():
    _, tuned = _faults({"MALLOC_ARENA_MAX": "2"})
    assert not tuned
    _, tuned = _faults({"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=1"})
    assert not tuned


# -- segment_rows_sum / scatter_add (the Embedding gradient's sort-and-reduce) ---------------

import numpy as np  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 300), vocab=st.integers(1, 50), cols=st.sampled_from([16, 17, 64]),
       seed=st.integers(0, 2 ** 16))
def test_scatter_add_matches_add_at_bit_for_bit(n, vocab, cols, seed):
    from tapeflow import backend
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, vocab, n)
    vals = rng.standard_normal((n, cols)).astype(np.float32)
    want = np.zeros((vocab, cols), np.float32)
    np.add.at(want, ids, vals)
    got = backend.scatter_add(np.zeros((vocab, cols), np.float32), ids, vals)
    if np.bincount(ids).max() <= backend._LAYERED_PASSES:
        np.testing.assert_array_equal(got, want)   # same order of additions
    else:
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_segment_rows_sum_ids_sorted_and_heavy_repeats():
    from tapeflow import backend
    ids = np.array([5, 1, 5, 3, 1] + [7] * 100)
    vals = np.arange(len(ids) * 16, dtype=np.float64).reshape(-1, 16)
    u, sums = backend.segment_rows_sum(ids, vals)
    np.testing.assert_array_equal(u, [1, 3, 5, 7])
    np.testing.assert_array_equal(sums[0], vals[1] + vals[4])
    np.testing.assert_array_equal(sums[3], vals[5:].sum(0))


def test_scatter_add_fallbacks_keep_add_at_semantics():
    from tapeflow import backend
    vals = np.ones((3, 16), np.float32)
    # negative indices alias rows (-1 is the last): both must land
    out = backend.scatter_add(np.zeros((4, 16), np.float32), np.array([-1, 3, 0]), vals)
    np.testing.assert_array_equal(out[:, 0], [1, 0, 0, 2])
    # narrow rows and 1-D values go through np.add.at
    out = backend.scatter_add(np.zeros(4), np.array([1, 1, 2]), np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(out, [0, 3, 3, 0])
    with pytest.raises(IndexError):
        backend.scatter_add(np.zeros((2, 16)), np.array([0, 2]), np.ones((2, 16)))


def test_one_blas_thread_sets_and_restores_the_thread_count():
    code = ("from tapeflow import backend as b\n"
            "f = b._blas_thread_functions()\n"
            "if f is None:\n"
            "    print('none')\n"
            "else:\n"
            "    with b.one_blas_thread():\n"
            "        inside = f[0]()\n"
            "    print(inside, f[0]())\n")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="2")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    if out == ["none"]:
        pytest.skip("this NumPy's BLAS exposes no thread setter (one_blas_thread is a no-op)")
    assert out == ["1", "2"]
    env["TAPEFLOW_BATCHED_GEMM_ONE_THREAD"] = "0"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["none"]
