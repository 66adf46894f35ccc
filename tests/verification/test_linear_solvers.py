"""Linear solves (apcfem.coupling.linear): the iterative path agrees with the direct one, the
matrix is assembled only when its data change, command-line PETSc options win.

Serial and on 2 ranks (``mpiexec -n 2 pytest -m "not serial"``): the meshes are distributed.
Tolerance: CG + GAMG stops at a preconditioned relative residual of 1e-10, so the iterative
solution agrees with MUMPS to 1e-7 of its range (a solver left at its default rtol of 1e-5,
or GAMG without the rigid-body modes stopping early, would miss it).
"""

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI
from petsc4py import PETSc

from apcfem.coupling.linear import LinearSolver, rigid_body_modes
from apcfem.materials import get_material
from apcfem.mesh import single_region_device
from apcfem.physics import Heat, ThermoElasticity, fixed_values

AGREEMENT = 1e-7
"""Largest difference of iterative and direct solutions, relative to the solution's range."""


def _box(cells: int):
    """Unit-cube device (the whole exterior named ``boundary``) with cells^3 hexahedra."""
    domain = mesh.create_box(MPI.COMM_WORLD, [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]],
                             [cells] * 3, mesh.CellType.hexahedron)
    return single_region_device(domain, axisymmetric=False)


def _heat_residual(device, T, k):
    """Heat with a smooth source and a layered conductivity (contrast 100), T = 300 K on the
    boundary: a problem whose answer depends on every part of the solve."""
    x = ufl.SpatialCoordinate(device.mesh)
    source = 1e3 * ufl.sin(np.pi * x[0]) * ufl.sin(np.pi * x[1]) * (1 + x[2])
    return Heat(k=k, sources=(source,)).residual(T, ufl.TestFunction(T.function_space), device)


def _layered_k(device):
    """k = 1 W/(m K) below z = 1/2, 100 above (DG0)."""
    space = fem.functionspace(device.mesh, ("DG", 0))
    k = fem.Function(space)
    k.interpolate(lambda x: np.where(x[2] < 0.5, 1.0, 100.0))
    return k


def _max_difference(a: fem.Function, b: fem.Function) -> float:
    comm = a.function_space.mesh.comm
    return comm.allreduce(float(np.max(np.abs(a.x.array - b.x.array), initial=0.0)), op=MPI.MAX)


def _range(u: fem.Function) -> float:
    comm = u.function_space.mesh.comm
    return (comm.allreduce(float(u.x.array.max(initial=-np.inf)), op=MPI.MAX)
            - comm.allreduce(float(u.x.array.min(initial=np.inf)), op=MPI.MIN))


def test_iterative_heat_matches_direct():
    device = _box(10)
    space = fem.functionspace(device.mesh, ("Lagrange", 1))
    k = _layered_k(device)
    solutions, iterations = [], {}
    for method in ("direct", "iterative"):
        T = fem.Function(space)
        with LinearSolver(f"test_heat_{method}", _heat_residual(device, T, k), T,
                          fixed_values(space, device, {"boundary": 300.0}), method) as solver:
            iterations[method] = solver.solve()
        solutions.append(T)
    scale = _range(solutions[0])
    assert scale > 1.0, f"the source heats the box by {scale:.3g} K only"
    assert _max_difference(*solutions) <= AGREEMENT * scale
    assert iterations["direct"] == 1 and 1 < iterations["iterative"] < 100, iterations


def test_iterative_elasticity_with_rigid_body_modes_matches_direct():
    """Thermal expansion of a box clamped at x = 0 only (the other faces free), so that the
    near-null space matters: GAMG builds its coarse space from the six rigid-body modes."""
    domain = mesh.create_box(MPI.COMM_WORLD, [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]], [8, 8, 8],
                             mesh.CellType.hexahedron)
    device = single_region_device(domain, axisymmetric=False)
    clamp = mesh.locate_entities_boundary(domain, 2, lambda x: np.isclose(x[0], 0.0))
    space = fem.functionspace(domain, ("Lagrange", 1, (3,)))
    x = ufl.SpatialCoordinate(domain)
    ag = get_material("Ag")
    physics = ThermoElasticity(youngs_modulus=ag.youngs_modulus_Pa.value,
                               poisson_ratio=ag.poisson_ratio.value,
                               thermal_expansion=ag.thermal_expansion_per_K.value,
                               delta_T=100.0 * x[0] * x[1])
    zero = fem.Constant(domain, np.zeros(3))
    bcs = [fem.dirichletbc(zero, fem.locate_dofs_topological(space, 2, clamp), space)]
    solutions = []
    for method in ("direct", "iterative"):
        u = fem.Function(space)
        modes = rigid_body_modes(space) if method == "iterative" else None
        residual = physics.residual(u, ufl.TestFunction(space), device)
        with LinearSolver(f"test_elasticity_{method}", residual, u, bcs, method,
                          near_nullspace=modes) as solver:
            solver.solve()
        solutions.append(u)
    scale = _range(solutions[0])
    assert scale > 1e-4, f"the box expands by {scale:.3g} m only"
    assert _max_difference(*solutions) <= AGREEMENT * scale


def test_matrix_is_assembled_once_and_again_only_when_its_data_change():
    device = _box(4)
    space = fem.functionspace(device.mesh, ("Lagrange", 1))
    k = _layered_k(device)
    T = fem.Function(space)
    sinks = fixed_values(space, device, {"boundary": 300.0})
    with LinearSolver("test_reuse", _heat_residual(device, T, k), T, sinks) as solver:
        solver.solve()
        hot = T.x.array.copy()
        sinks[0].g.value[...] = 350.0  # a Dirichlet value: right-hand side only
        solver.solve()
        assert solver.assemblies == 1
        np.testing.assert_allclose(T.x.array, hot + 50.0, rtol=1e-12)
        k.x.array[:] *= 2.0  # the conductivity: the matrix changes
        solver.solve()
        assert solver.assemblies == 2
        np.testing.assert_allclose(T.x.array - 350.0, 0.5 * (hot - 300.0), rtol=1e-9,
                                   atol=1e-9)


@pytest.mark.serial
def test_command_line_options_win_over_the_preset():
    device = _box(4)
    space = fem.functionspace(device.mesh, ("Lagrange", 1))
    T = fem.Function(space)
    database = PETSc.Options()
    database["apcfem_test_cli_ksp_type"] = "gmres"
    database["apcfem_test_cli_pc_type"] = "jacobi"
    try:
        with LinearSolver("test_cli", _heat_residual(device, T, _layered_k(device)), T,
                          fixed_values(space, device, {"boundary": 300.0})) as solver:
            ksp = solver._ksp
            assert (ksp.getType(), ksp.getPC().getType()) == ("gmres", "jacobi")
            assert solver.solve() > 1  # Krylov iterations, not one LU solve
    finally:
        del database["apcfem_test_cli_ksp_type"]
        del database["apcfem_test_cli_pc_type"]
