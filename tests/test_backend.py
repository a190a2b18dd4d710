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
