"""The ECM test case: the bundled Ag/SiO2/Pt cell, its set branch only, on a coarser mesh (0.15
instead of 0.1 nm: first contact ~50 mV later, see the README's mesh study) with fewer steps
through the tunnelling rise (shared by the ECM test modules, so that each runs on its own test
worker)."""

import pytest

import apcfem
from apcfem import load_case, update_case

I_CC_A = 1e-4


def set_branch_test(test):
    """A long ECM run: serial (the pulse test checks 1 vs 2 ranks), 20 min at most."""
    return pytest.mark.serial(pytest.mark.timeout(1200)(test))


def slow_set_branch_test(test):
    """A set-branch test of several minutes, marked ``slow``: ``make test-slow`` runs it, not
    ``make test`` (which stays under 20 min on 2 cores)."""
    return pytest.mark.slow(set_branch_test(test))


def ecm_case(**changes):
    """The bundled ECM case (2 V/s) with the test's mesh, compliance and set branch, then
    ``changes``."""
    cfg = load_case(apcfem.bundled_case("ecm_ag_sio2_pt_sweep"))
    base = {"mesh.min_size_nm": 0.15, "circuit.current_limit_A": I_CC_A,
            "protocol.reset_voltage_V": None,
            "dynamics.max_steps": 3000,
            "dynamics.max_resistance_change": 0.3,  # 3x fewer steps through the tunnelling rise
            # Newton to 1e-9 (25 % fewer iterations): these runs assert physics on one rank; the
            # shipped 1e-12 is for agreement across rank counts (tests/parallel)
            "solver.ecm_newton_tolerance": 1e-9, "dynamics.target_newton_iterations": 5,
            "output.fields": False, "output.plots": False}
    return update_case(cfg, {**base, **changes})
