"""A stand-in for :class:`apcfem.Simulation` in the tests of studies (no FE model)."""

from typing import ClassVar

from mpi4py import MPI


def fake_simulation(write_run, key):
    """A Simulation class whose ``run(output_dir)`` returns ``write_run(cfg, output_dir)`` (a
    ``RunResult``, the run directory written by the package's own writers) and records
    ``key(cfg)`` in the class's ``calls``, one per run."""

    class FakeSimulation:
        calls: ClassVar[list] = []

        def __init__(self, cfg, comm):
            assert cfg.study is None, "a study's run must not run the study again"
            self.cfg = cfg

        @classmethod
        def from_config(cls, cfg, comm=MPI.COMM_WORLD):
            return cls(cfg, comm)

        def run(self, output_dir, progress=True, resume=False):
            self.calls.append(key(self.cfg))
            return write_run(self.cfg, output_dir)

    return FakeSimulation
