"""Launcher detection and the collective timeout setting (no MPI needed)."""
import pytest

from tapeflow.distribute import collective


@pytest.mark.parametrize("size_var,rank_var", [("PMI_SIZE", "PMI_RANK"),
                                               ("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"),
                                               ("SLURM_STEP_NUM_TASKS", "SLURM_PROCID")])
def test_launched_size_reads_the_launchers_variables(monkeypatch, size_var, rank_var):
    for s, r in collective._LAUNCHER_VARS:
        monkeypatch.delenv(s, raising=False)
        monkeypatch.delenv(r, raising=False)
    assert collective.launched_size() == 1
    monkeypatch.setenv(size_var, "4")
    assert collective.launched_size() == 1     # a size without a rank is not a launch
    monkeypatch.setenv(rank_var, "2")
    assert collective.launched_size() == 4


def test_timeout_from_the_environment(monkeypatch):
    monkeypatch.delenv("TAPEFLOW_COLLECTIVE_TIMEOUT", raising=False)
    assert collective.default_timeout() == collective.DEFAULT_TIMEOUT
    monkeypatch.setenv("TAPEFLOW_COLLECTIVE_TIMEOUT", "2.5")
    assert collective.default_timeout() == 2.5
    for bad in ("0", "-1", "soon"):
        monkeypatch.setenv("TAPEFLOW_COLLECTIVE_TIMEOUT", bad)
        with pytest.raises(ValueError, match="TAPEFLOW_COLLECTIVE_TIMEOUT must be a positive"):
            collective.default_timeout()


def test_local_world_collectives_return_their_input():
    w = collective.LocalWorld()
    assert (w.size, w.rank) == (1, 0)
    assert w.allreduce([1, 2]) == [1, 2] and w.broadcast([3]) == [3] and w.allgather(5) == 5
    w.barrier()
