"""Transverse modes of an arbitrary filament cross-section (Dirichlet Laplacian eigenvalues).

A hard-wall section ``Ω`` carries modes ``-∇²φ_k = λ_k φ_k`` in ``Ω``, ``φ_k = 0`` on ``∂Ω``,
with edges ``E_k = hbar^2 λ_k / (2 m*)``; for a disc of radius ``a`` they are the Bessel ladder
``λ = j_mn^2/a^2`` of :mod:`apcfem.landauer`.  Here ``λ_k`` come from a Lagrange finite-element
discretisation, ``A x = λ M x``, solved with SLEPc by shift-and-invert about 0 (LU by MUMPS).
Dirichlet rows are kept with a unit diagonal in ``A`` and a zero diagonal in ``M``: their
eigenvalues are infinite, i.e. mapped to 0 by the shift-and-invert operator, so no spurious
eigenvalue appears among the lowest ones.  The mass matrix is assembled divided by the section
area, so that the computed eigenvalues ``λ_k A`` are O(10) whatever the length unit.

The resulting ladder is counted by :func:`apcfem.landauer.modes_conductance`; scaling the section
to area ``A`` multiplies every edge by ``A_ref/A`` (``energy_scale``).  Sections are generated
with gmsh in nm (second-order geometry, so curved boundaries are represented to O(h^3)) and
scaled to metres, like the device meshes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import gmsh
import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem.petsc import assemble_matrix
from dolfinx.io import gmsh as dolfinx_gmsh
from dolfinx.mesh import Mesh, exterior_facet_indices
from mpi4py import MPI
from slepc4py import SLEPc

from apcfem.landauer.electrons import _HBAR2_2ME_EV_M2
from apcfem.mesh import NM

_EIGEN_TOLERANCE = 1e-10  # relative residual of the SLEPc eigenpairs
_EIGEN_MAX_IT = 200


@dataclass(frozen=True)
class SectionModes:
    """Dirichlet eigenvalues of a section.

    Attributes:
        eigenvalues_per_m2: Lowest ``λ_k``, ascending (degenerate pairs appear twice) [1/m^2].
        area_m2: Section area ``A`` [m^2].
    """

    eigenvalues_per_m2: np.ndarray
    area_m2: float

    def energies_eV(self, effective_mass_me: float) -> np.ndarray:
        """Mode edges ``hbar^2 λ_k/(2 m*)`` of this section [eV].

        Args:
            effective_mass_me: Effective mass [m_e].
        """
        return _HBAR2_2ME_EV_M2 * self.eigenvalues_per_m2 / effective_mass_me


def section_modes(mesh: Mesh, n_modes: int, *, degree: int = 2) -> SectionModes:
    """Lowest Dirichlet eigenvalues of a 2-D section mesh.

    Collective on ``mesh.comm``; every rank returns the same values.

    Args:
        mesh: Triangle or quadrilateral mesh of the section, coordinates in metres [m].
        n_modes: Number of eigenvalues to return.
        degree: Lagrange degree of the discretisation.

    Returns:
        The ``n_modes`` lowest eigenvalues and the area.

    Raises:
        ValueError: If the mesh is not 2-D or ``n_modes < 1``.
        RuntimeError: If SLEPc converges fewer than ``n_modes`` eigenpairs.
    """
    if mesh.topology.dim != 2:
        raise ValueError(f"a section mesh is 2-D, got a {mesh.topology.dim}-D mesh")
    if n_modes < 1:
        raise ValueError(f"n_modes must be >= 1, got {n_modes}")
    space = fem.functionspace(mesh, ("Lagrange", degree))
    mesh.topology.create_connectivity(1, 2)
    boundary = fem.locate_dofs_topological(space, 1, exterior_facet_indices(mesh.topology))
    bc = fem.dirichletbc(0.0, boundary, space)
    area = mesh.comm.allreduce(fem.assemble_scalar(fem.form(1.0 * ufl.dx(domain=mesh))),
                               op=MPI.SUM)
    u, v = ufl.TrialFunction(space), ufl.TestFunction(space)
    per_area = fem.Constant(mesh, 1.0 / area)
    stiffness = assemble_matrix(fem.form(ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx), bcs=[bc])
    mass = assemble_matrix(fem.form(per_area * u * v * ufl.dx), bcs=[bc], diag=0.0)
    stiffness.assemble()
    mass.assemble()
    eps = SLEPc.EPS().create(mesh.comm)
    try:
        eps.setOperators(stiffness, mass)
        eps.setProblemType(SLEPc.EPS.ProblemType.GHEP)
        eps.setDimensions(n_modes)
        eps.setTarget(0.0)
        eps.setWhichEigenpairs(SLEPc.EPS.Which.TARGET_REAL)
        eps.setTolerances(_EIGEN_TOLERANCE, _EIGEN_MAX_IT)
        st = eps.getST()
        st.setType(SLEPc.ST.Type.SINVERT)
        st.setShift(0.0)
        ksp = st.getKSP()
        ksp.setType("preonly")
        ksp.getPC().setType("lu")
        ksp.getPC().setFactorSolverType("mumps")
        eps.solve()
        converged = eps.getConverged()
        if converged < n_modes:
            raise RuntimeError(f"SLEPc converged {converged} of {n_modes} section eigenpairs")
        scaled = np.sort([eps.getEigenvalue(i).real for i in range(converged)])[:n_modes]
    finally:
        eps.destroy()
        stiffness.destroy()
        mass.destroy()
    return SectionModes(eigenvalues_per_m2=scaled / area, area_m2=area)


def ellipse_section_mesh(semi_axes_nm: tuple[float, float], *, size_nm: float,
                         comm: MPI.Comm = MPI.COMM_WORLD) -> Mesh:
    """Mesh of an elliptic section centred on the origin.

    Args:
        semi_axes_nm: Semi-axes along x and y (equal for a disc) [nm].
        size_nm: Largest element size [nm].
        comm: Communicator the mesh is distributed over.

    Returns:
        Second-order triangle mesh in metres [m].
    """
    rx, ry = (float(v) for v in semi_axes_nm)
    if min(rx, ry, size_nm) <= 0:
        raise ValueError("semi-axes and element size must be positive")

    def draw():
        if rx >= ry:  # gmsh wants the major semi-axis along x
            return gmsh.model.occ.addDisk(0.0, 0.0, 0.0, rx, ry)
        return gmsh.model.occ.addDisk(0.0, 0.0, 0.0, ry, rx,
                                      zAxis=[0.0, 0.0, 1.0], xAxis=[0.0, 1.0, 0.0])

    return _section_mesh(draw, size_nm, comm)


def distinct_corners(corners: np.ndarray) -> np.ndarray:
    """The polygon ``corners`` (n, 2) without repeats: a corner equal to the one before it (the
    last compared with the first) to 1e-9 of the polygon's extent is dropped."""
    extent = float(np.max(np.abs(corners), initial=0.0))
    step = np.linalg.norm(corners - np.roll(corners, 1, axis=0), axis=1)
    return corners[step > 1e-9 * extent]


def polygon_section_mesh(vertices_nm: Sequence[Sequence[float]], *, size_nm: float,
                         comm: MPI.Comm = MPI.COMM_WORLD) -> Mesh:
    """Mesh of a simple polygonal section.

    Args:
        vertices_nm: ``(x, y)`` corners in order, not repeating the first [nm].
        size_nm: Largest element size [nm].
        comm: Communicator the mesh is distributed over.

    Returns:
        Second-order triangle mesh in metres [m].
    """
    corners = np.asarray(vertices_nm, dtype=float)
    if corners.ndim != 2 or corners.shape[1] != 2:
        raise ValueError("vertices_nm must be (x, y) pairs")
    corners = distinct_corners(corners)
    if corners.shape[0] < 3:
        raise ValueError("vertices_nm must hold at least three distinct corners")
    if size_nm <= 0:
        raise ValueError("size_nm must be positive")

    def draw():
        points = [gmsh.model.occ.addPoint(x, y, 0.0) for x, y in corners]
        lines = [gmsh.model.occ.addLine(a, b)
                 for a, b in zip(points, points[1:] + points[:1], strict=True)]
        return gmsh.model.occ.addPlaneSurface([gmsh.model.occ.addCurveLoop(lines)])

    return _section_mesh(draw, size_nm, comm)


def _section_mesh(draw, size_nm: float, comm: MPI.Comm) -> Mesh:
    """Mesh the surface returned by ``draw()`` with gmsh on rank 0 (in nm), distribute, scale.

    Args:
        draw: Callable adding one OCC surface to the current gmsh model, returning its tag.
        size_nm: Largest element size [nm].
        comm: Communicator the mesh is distributed over.

    Returns:
        Second-order triangle mesh in metres [m].
    """
    if comm.rank == 0:
        if gmsh.isInitialized():
            gmsh.finalize()
        gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.option.setNumber("General.NumThreads", 1)
        gmsh.model.add("section")
        surface = draw()
        gmsh.model.occ.synchronize()
        gmsh.model.addPhysicalGroup(2, [surface], 1, name="section")
        gmsh.option.setNumber("Mesh.CharacteristicLengthMax", size_nm)
        gmsh.model.mesh.generate(2)
        gmsh.model.mesh.setOrder(2)
    try:
        mesh = dolfinx_gmsh.model_to_mesh(gmsh.model, comm, rank=0, gdim=2).mesh
    finally:
        if comm.rank == 0:
            gmsh.finalize()
    mesh.geometry.x[:] *= NM
    return mesh


SECTION_MODES_MAX = 64
"""Most transverse modes computed for a neck's own section. A wider neck (more than ~45 modes
open, an Ag neck wider than ~1.1 nm in equivalent radius) is counted as the disc of its area:
there the steps are too dense to resolve and the section's shape changes G by its perimeter
(Weyl) term only, < 3 % for an aspect ratio of 1.5."""


def polygon_area_m2(polygon_m: np.ndarray) -> float:
    """Area of a simple polygon ``(n, 2)`` [m^2] (shoelace formula)."""
    x, y = polygon_m[:, 0], polygon_m[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)))


def section_aspect_ratio(polygon_m: np.ndarray) -> float:
    """Aspect ratio of a section polygon ``(n, 2)`` [-]: sqrt of the ratio of its principal
    second moments of area about the centroid (a / b for an ellipse of semi-axes a >= b; 1 for
    a disc or a regular polygon)."""
    x, y = polygon_m[:, 0], polygon_m[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    area = 0.5 * np.sum(cross)
    cx, cy = np.sum((x + x1) * cross) / (6 * area), np.sum((y + y1) * cross) / (6 * area)
    ixx = np.sum((y**2 + y * y1 + y1**2) * cross) / 12 - area * cy**2
    iyy = np.sum((x**2 + x * x1 + x1**2) * cross) / 12 - area * cx**2
    ixy = np.sum((x * y1 + 2 * x * y + 2 * x1 * y1 + x1 * y) * cross) / 24 - area * cx * cy
    moments = np.linalg.eigvalsh([[ixx, ixy], [ixy, iyy]])
    return float(np.sqrt(moments[1] / moments[0]))


SHAPE_DECIMALS = 5
"""Corners of a section's shape (scaled to the area of a 1 nm disc) are rounded to 1e-5 before
meshing: a neck's section differs between partitions by rounding (~1e-10), and gmsh may
triangulate two such polygons differently, which moves the discrete eigenvalues by their
discretisation error (~1e-6 relative at 8 elements per radius, P2). Rounded, every rank
meshes the same polygon; the rounding itself moves the eigenvalues by ~1e-6."""


class NeckSectionLadder:
    """Mode edges [eV] of a 3-D neck's own section, for
    :func:`apcfem.quantum_contact.contact_conductance`.

    The shape of the extracted neck's section polygon
    (:attr:`apcfem.neck.NeckProfile.section_polygon_m`), scaled to the area of a disc of 1 nm
    radius and rounded (:data:`SHAPE_DECIMALS`), is meshed and solved on each rank alone
    (``COMM_SELF``: the shape is the same on every rank, so are its modes); the edges then
    scale exactly with the neck's area, as (1 nm / a)^2. Enough modes are computed to cover
    E_F with a margin (Weyl: N ~ (k_F a)^2 / 4 open); the last shape's ladder is reused while
    the shape and the number of modes do not change.

    Args:
        fermi_wavevector_per_m: k_F of the contact metal [1/m].
        effective_mass_me: m* of the contact metal [m_e].
    """

    def __init__(self, fermi_wavevector_per_m: float, effective_mass_me: float):
        self.k_f = fermi_wavevector_per_m
        self.effective_mass_me = effective_mass_me
        self._last: tuple[bytes, np.ndarray | None] | None = None

    def __call__(self, polygon_m: np.ndarray | None, neck_radius_m: float) -> np.ndarray | None:
        """Edges [eV] of the section ``polygon_m`` scaled to the area pi a^2 of the neck radius
        ``neck_radius_m`` [m]; None in (r, z) (no polygon), for a broken neck, for a polygon of
        fewer than three distinct corners, or above :data:`SECTION_MODES_MAX` modes."""
        if polygon_m is None or not neck_radius_m > 0:
            return None
        corners = distinct_corners(polygon_m)
        n_modes = int(np.ceil(1.5 * (self.k_f * neck_radius_m) ** 2 / 4)) + 12
        if len(corners) < 3 or n_modes > SECTION_MODES_MAX:
            return None
        shape_nm = np.round(corners * np.sqrt(np.pi / polygon_area_m2(corners)), SHAPE_DECIMALS)
        key = shape_nm.tobytes() + bytes([n_modes])
        if self._last is None or self._last[0] != key:
            mesh = polygon_section_mesh(shape_nm, size_nm=1.0 / 8, comm=MPI.COMM_SELF)
            modes = section_modes(mesh, n_modes)
            self._last = (key, modes.energies_eV(self.effective_mass_me))
        return self._last[1] * (NM / neck_radius_m) ** 2
