"""Maxwell spreading resistance of a circular contact, the analytic check of the FE resistance.

Two half-spaces joined through a circular orifice of radius a have R = 1/(2 sigma a). By
symmetry the orifice plane is an equipotential, so one half-space from a disk electrode of
radius a to a hemispherical counter-electrode of radius L has R = 1/(4 sigma a) - 1/(2 pi sigma L)
(point-source far field). Solved axisymmetrically on a quarter disk refined at the disk rim.
"""

import gmsh
import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx.io import gmsh as dolfinx_gmsh
from mpi4py import MPI

from apcfem.coupling import NewtonProblem
from apcfem.mesh import NM, DeviceMesh
from apcfem.physics import Conduction

A_NM, L_NM, SIGMA = 1.0, 50.0, 6.3e7


def _quarter_disk(comm) -> DeviceMesh:
    if comm.rank == 0:
        gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        occ = gmsh.model.occ
        disk = occ.addDisk(0, 0, 0, L_NM, L_NM)
        box = occ.addRectangle(0, 0, 0, L_NM, L_NM)
        quarter, _ = occ.intersect([(2, disk)], [(2, box)])
        rim = occ.addPoint(A_NM, 0, 0)
        occ.fragment(quarter, [(0, rim)])
        occ.synchronize()
        surfaces = [t for _, t in gmsh.model.getEntities(2)]
        gmsh.model.addPhysicalGroup(2, surfaces, name="domain")
        contact, far = [], []
        for _, tag in gmsh.model.getEntities(1):
            _x0, _y0, _, x1, y1, _ = gmsh.model.getBoundingBox(1, tag)
            if y1 < 1e-6 and x1 <= A_NM + 1e-6:
                contact.append(tag)
            elif x1 > 0.5 * L_NM and y1 > 0.5 * L_NM:
                far.append(tag)
        gmsh.model.addPhysicalGroup(1, contact, name="contact")
        gmsh.model.addPhysicalGroup(1, far, name="far")
        field = gmsh.model.mesh.field
        dist = field.add("Distance")
        field.setNumbers(dist, "PointsList", [rim])
        size = field.add("MathEval")
        field.setString(size, "F", f"Min(4, 0.004 + 0.15*F{dist})")
        field.setAsBackgroundMesh(size)
        gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
        gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
        gmsh.model.mesh.generate(2)
    data = dolfinx_gmsh.model_to_mesh(gmsh.model, comm, rank=0, gdim=2)
    if comm.rank == 0:
        gmsh.finalize()
    data.mesh.geometry.x[:] *= NM
    groups = data.physical_groups
    return DeviceMesh(data.mesh, data.cell_tags, data.facet_tags,
                      {n: g.tag for n, g in groups.items() if g.dim == 2},
                      {n: g.tag for n, g in groups.items() if g.dim == 1}, axisymmetric=True)


@pytest.mark.parametrize("degree", [1, 2])
def test_maxwell_spreading_resistance(degree):
    comm = MPI.COMM_WORLD
    device = _quarter_disk(comm)
    space = fem.functionspace(device.mesh, ("Lagrange", degree))
    phi = fem.Function(space)
    conduction = Conduction(sigma=fem.Constant(device.mesh, SIGMA))
    bcs = [fem.dirichletbc(fem.Constant(device.mesh, value),
                           fem.locate_dofs_topological(space, 1, device.facets(name)), space)
           for name, value in (("contact", 1.0), ("far", 0.0))]
    with NewtonProblem("spreading", conduction.residual(phi, ufl.TestFunction(space), device), phi,
                       bcs) as problem:
        problem.solve()
    power = comm.allreduce(fem.assemble_scalar(fem.form(
        conduction.dissipated_power(phi, device))), op=MPI.SUM)
    a, L = A_NM * NM, L_NM * NM
    expected = 1 / (4 * SIGMA * a) - 1 / (2 * np.pi * SIGMA * L)
    assert abs(1 / power - expected) < 0.01 * expected, (1 / power, expected)
    # the whole orifice (two half-spaces) is Maxwell's 1/(2 sigma a) up to the far-field term
    assert abs(2 / power - 1 / (2 * SIGMA * a)) < 0.05 / (2 * SIGMA * a)
