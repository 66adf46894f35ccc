"""Cell resistance with the quantum contact as a potential jump across the neck plane.

:class:`ContactConduction` owns the two unit-voltage solves of a device with a given
conductivity: the body (ordinary current continuity, R_body) and the cut cell
(:class:`~apcfem.physics.contact.LumpedContactConduction`, R_cell = R_body + 1/G). Both are
linear: one assembly and one factorisation per solve (MUMPS; the body solve may be CG +
GAMG with ``method = "iterative"``). A new neck changes the DG0 bank
indicator, two constants and the integration entities of the interface integrals (the facets of
the cut): forms are compiled once, and only when the set of cut facets changes are the DOLFINx
forms re-created from the compiled code and the matrix re-allocated (the interface couples
phi_lo and phi_hi on the cut facets only, which keeps the LU factors about twice those of the
body; integrating over every interior facet would make them 8x larger)::

    with ContactConduction(device, sigma, 1, "bottom_contact", "top_contact",
                           leak_sigma=sigma_host) as contact:
        R_body = contact.solve_body_resistance()
        contact.set_cut(neck_z_m, neck_radius_m, G_S)
        R_cell = contact.solve_cell_resistance()

PETSc objects (KSP with its PC and MUMPS factors, matrices, vectors) are destroyed by
:meth:`ContactConduction.close`, on every rank in the same order (or on leaving the ``with``
block); DOLFINx's ``LinearProblem.__del__``, which would destroy them whenever each rank's
garbage collector runs, is disabled. In parallel the mesh needs shared-facet ghosting (device
meshes have it), so that every cut facet sees its two cells.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem.petsc import LinearProblem, create_matrix
from dolfinx.mesh import compute_midpoints, entities_to_geometry, exterior_facet_indices
from mpi4py import MPI

from apcfem.coupling.linear import DIRECT, LINEAR_METHODS
from apcfem.coupling.newton import SolverDivergedError, forget_options, preset_options
from apcfem.mesh import NM, DeviceMesh
from apcfem.physics import Conduction, fixed_values
from apcfem.physics.contact import LumpedContactConduction

log = logging.getLogger(__name__)


CUT_ID = 1  # subdomain id of the interface integrals, whose entities are the cut facets
FACE_ID = 2  # subdomain id of the contact-face integrals (a neck on an electrode face)


class LinearSolveError(SolverDivergedError):
    """The LU solve failed (e.g. a MUMPS error) or gave a non-finite solution."""

    def __init__(self, name: str, reason: int):
        RuntimeError.__init__(self, f"{name}: linear solve failed (KSP reason {reason}); "
                              f"rerun with PETSC_OPTIONS=-apcfem_{name}_ksp_view for details")
        self.reason = reason
        self.iterations = 0


@dataclass(frozen=True)
class ContactPowers:
    """Powers of the cut cell at 1 V across its contacts [W]; scale by V_cell^2.

    Attributes:
        lower_bank_W: Joule power below the neck plane.
        upper_bank_W: Joule power above the neck plane.
        contact_W: power of the quantum contact, I^2/G (its heat belongs to the banks next to
            the neck).
        leak_W: power of the leak across the plane outside the contact disc.
    """

    lower_bank_W: float
    upper_bank_W: float
    contact_W: float
    leak_W: float

    @property
    def total_W(self) -> float:
        return self.lower_bank_W + self.upper_bank_W + self.contact_W + self.leak_W


class _OwnedLinearProblem(LinearProblem):
    """DOLFINx's LinearProblem without its collective ``__del__`` (see the module docstring),
    whose bilinear forms can be replaced by forms of another sparsity on the same spaces."""

    def __del__(self):
        pass

    def replace_bilinear_forms(self, a) -> None:
        """New bilinear forms: a new matrix for the same KSP (collective); the old is destroyed."""
        old = self._A
        self._a = a
        self._A = create_matrix(a, kind="mpi")
        self._A.setOptionsPrefix(f"{self._petsc_options_prefix}A_")
        self.solver.setOperators(self._A, self._P_mat)
        old.destroy()


def layer_leakage_S(geometry, sigma_S_per_m: float) -> float:
    """Leakage [S] of the switching layer of a cylindrical cell (parallel plate: sigma pi R^2 /
    L), the path in parallel with the tunnelling conductance of a broken filament."""
    return (sigma_S_per_m * np.pi * (geometry.cell_radius_nm * NM) ** 2
            / (geometry.switching_layer_thickness_nm * NM))


class ContactConduction:
    """Unit-voltage body and cut-cell solves of one device, built once and re-solved.

    Args:
        device: the device mesh.
        sigma: electrical conductivity [S/m] (UFL expression; its data may change between
            solves).
        degree: Lagrange degree of the potentials.
        lower_contact: boundary held at 0 V (below the neck plane).
        upper_contact: boundary held at 1 V (above the neck plane).
        leak_sigma: conductivity carried across the plane outside the contact disc [S/m];
            the host (electrolyte) conductivity when ``sigma`` contains a diffuse filament
            (default ``sigma``, see :mod:`apcfem.physics.contact`).
        disc_edge_m: width of the contact disc's linear edge [m] (0: a sharp disc; see
            :class:`~apcfem.physics.contact.LumpedContactConduction`).
        method: body solve ``"direct"`` (MUMPS) or ``"iterative"`` (CG + GAMG), see
            :data:`~apcfem.coupling.linear.LINEAR_METHODS`. The cut-cell solve is always
            direct: its two fields, each regularised by eps sigma in its inactive bank and
            coupled by the contact penalty, leave CG + GAMG diverging (seen on the staircase
            case); PETSc options with its prefix still select another solver.
        petsc_options: further KSP options of both solves.

    Attributes:
        phi_lo, phi_hi: the two potentials of the cut cell at 1 V [V].
        phi_body: potential of the body solve at 1 V [V].
        indicator: DG0 bank indicator chi (1 above the neck plane).
        potential: combined potential of the cut cell at 1 V [V], a discontinuous Lagrange (DG)
            function of ``degree``: phi_lo in the cells of the lower bank, phi_hi in the upper.
        powers: :class:`ContactPowers` of the last cut-cell solve.
        contact_jump_V: mean jump phi_hi - phi_lo over the contact disc at 1 V of the last
            cut-cell solve [V] (nan if the disc is empty); the contact current is G times it.
    """

    def __init__(self, device: DeviceMesh, sigma: ufl.core.expr.Expr, degree: int,
                 lower_contact: str, upper_contact: str, *,
                 leak_sigma: ufl.core.expr.Expr | float | None = None,
                 disc_edge_m: float = 0.0,
                 method: str = "direct", petsc_options: dict | None = None):
        self.device = device
        mesh = device.mesh
        cut_prefix, cut_options = preset_options("contact_cut",
                                                 {**DIRECT, **(petsc_options or {})})
        body_prefix, body_options = preset_options(
            "contact_body", {**LINEAR_METHODS[method], **(petsc_options or {})})
        space_lo = fem.functionspace(mesh, ("Lagrange", degree))
        space_hi = fem.functionspace(mesh, ("Lagrange", degree))
        self.phi_lo = fem.Function(space_lo, name="phi_lo")
        self.phi_hi = fem.Function(space_hi, name="phi_hi")
        self.indicator = fem.Function(fem.functionspace(mesh, ("DG", 0)), name="upper_bank")
        self._g_c = fem.Constant(mesh, 0.0)
        self._radius = fem.Constant(mesh, 0.0)
        self.centre = fem.Constant(mesh, np.zeros(2))
        """(x, y) [m] of the contact disc's centre in 3-D: the last connected neck's section"""
        self.physics = LumpedContactConduction(
            sigma=sigma, indicator=self.indicator, contact_conductance=self._g_c,
            contact_radius=self._radius, leak_sigma=leak_sigma, disc_edge=disc_edge_m,
            contact_centre=None if device.axisymmetric else self.centre,
            quadrature_degree=2 * degree + 1, cut_subdomain_id=CUT_ID, face_subdomain_id=FACE_ID)
        self._setup_topology()
        self._z_bounds = self._cut_bounds(lower_contact, upper_contact)
        self._faces = {"lower": device.facets(lower_contact), "upper": device.facets(upper_contact)}
        self._face_z = {"lower": self._face_height(lower_contact),
                        "upper": self._face_height(upper_contact)}
        no_facets = np.empty(0, dtype=np.int32)
        self._cut_facets, self._face_facets = no_facets, no_facets

        comm = mesh.comm
        zero = fem.Constant(mesh, 0.0)
        mixed = ufl.MixedFunctionSpace(space_lo, space_hi)
        u_lo, u_hi = ufl.TrialFunctions(mixed)
        v_lo, v_hi = ufl.TestFunctions(mixed)
        bilinear = self.physics.residual(u_lo, u_hi, v_lo, v_hi, device)
        self._compiled_a = [[None if block is None else fem.compile_form(comm, block)
                             for block in row] for row in ufl.extract_blocks(bilinear)]
        bcs = (fixed_values(space_lo, device, {lower_contact: 0.0})
               + fixed_values(space_hi, device, {upper_contact: 1.0}))
        self._cut = _OwnedLinearProblem(
            self._bilinear_on_cut(no_facets, no_facets),
            [zero * v_lo * device.dx(), zero * v_hi * device.dx()],
            u=[self.phi_lo, self.phi_hi], bcs=bcs, kind="mpi",
            petsc_options_prefix=cut_prefix, petsc_options=cut_options)

        space = fem.functionspace(mesh, ("Lagrange", degree))
        self.phi_body = fem.Function(space, name="phi_body")
        body = Conduction(sigma=sigma)
        u, v = ufl.TrialFunction(space), ufl.TestFunction(space)
        self._body = _OwnedLinearProblem(
            body.residual(u, v, device), zero * v * device.dx(), u=self.phi_body,
            bcs=fixed_values(space, device, {lower_contact: 0.0, upper_contact: 1.0}),
            petsc_options_prefix=body_prefix, petsc_options=body_options)
        self._options = {cut_prefix: cut_options, body_prefix: body_options}
        """Preset PETSc options of the two solves (removed from PETSc's database by close())."""
        self._body_power = fem.form(body.dissipated_power(self.phi_body, device))

        p, lo, hi = self.physics, self.phi_lo, self.phi_hi
        self._bank_power_forms = [fem.form(p.lower_bank_power(lo, device)),
                                  fem.form(p.upper_bank_power(hi, device))]
        # on the cut: contact area, contact jump, contact power, leak power
        self._compiled_scalars = [fem.compile_form(comm, f) for f in (
            p.contact_area(device), p.contact_jump(lo, hi, device),
            p.contact_power(lo, hi, device), p.leak_power(lo, hi, device))]
        self._scalars = self._scalars_on_cut(no_facets, no_facets)
        self.potential = fem.Function(fem.functionspace(mesh, ("DG", degree)), name="phi")
        chi = self.indicator
        self._combine = fem.Expression((1 - chi) * lo + chi * hi,
                                       self.potential.function_space.element.interpolation_points)

        self.neck_z_m = float("nan")
        self.contact_radius_m = 0.0
        self.conductance_S = 0.0
        self._area_m2 = 0.0
        self.powers: ContactPowers | None = None
        self.contact_jump_V = float("nan")
        self.open = True
        self.tunnel_conductance_S = 0.0

    @property
    def closed(self) -> bool:
        return self._cut is None

    def set_cut(self, neck_z_m: float, contact_radius_m: float, conductance_S: float,
                centre_m: tuple[float, float] = (0.0, 0.0)) -> None:
        """Place the contact: neck plane height, disc radius, conductance and, in 3-D, the
        disc's centre (collective).

        A plane closer to a contact than the cells touching it (the filament touches that
        electrode) puts the contact on the electrode face itself (exterior facets), so no plane
        slices the cells of the neck.
        ``conductance_S = 0`` opens the contact: only the leak crosses the plane.

        Args:
            neck_z_m: z_n, height of the neck plane [m].
            contact_radius_m: a_c, radius of the contact disc (the neck radius) [m].
            conductance_S: G, contact conductance [S].
            centre_m: 3-D only: (x, y) of the disc's centre [m], the centroid of the neck's
                section (:attr:`apcfem.neck.NeckProfile.section_centre_m`); ignored in an
                axisymmetric cell.

        Raises:
            ValueError: a value out of range, or the disc covers none of the cut (mesh too
                coarse for the radius).
        """
        if not (np.isfinite(neck_z_m) and np.isfinite(contact_radius_m)
                and np.isfinite(conductance_S)) or contact_radius_m < 0 or conductance_S < 0:
            raise ValueError(f"contact: neck_z_m = {neck_z_m:g}, contact_radius_m = "
                             f"{contact_radius_m:g}, conductance_S = {conductance_S:g}: need "
                             "finite values, radius >= 0 and conductance >= 0 (0: open contact)")
        z_lo, z_hi = self._z_bounds
        if z_lo < neck_z_m < z_hi:
            z_n, face = neck_z_m, None
            upper = self._cell_z > z_n
            cut = self._facet_ids[upper[self._facet_cells[:, 0]] != upper[self._facet_cells[:, 1]]]
        else:
            face = "upper" if neck_z_m >= z_hi else "lower"
            z_n = self._face_z[face]
            upper = np.full(self._cell_z.shape, face == "lower")
            cut = np.empty(0, dtype=np.int32)
            log.debug("contact: neck plane %.4f nm on the %s contact face", neck_z_m / NM, face)
        self.indicator.x.array[self._cell_dofs] = upper
        self._update_cut(cut, self._faces[face] if face else np.empty(0, dtype=np.int32))
        self._radius.value = contact_radius_m
        self.centre.value[:] = centre_m
        comm = self.device.comm
        self._area_m2 = comm.allreduce(fem.assemble_scalar(self._scalars[0]), op=MPI.SUM)
        self.neck_z_m = z_n
        self.contact_radius_m = contact_radius_m
        self.set_conductance(conductance_S)

    def set_conductance(self, conductance_S: float) -> None:
        """Give the placed contact disc the conductance G [S] (0: open), spread uniformly over
        the disc's area as the cut sees it.

        Raises:
            ValueError: G > 0 on a disc that covers none of the cut (mesh too coarse for the
                radius).
        """
        if conductance_S > 0 and self._area_m2 <= 0:
            raise ValueError(f"contact: the contact disc of radius "
                             f"{self.contact_radius_m / NM:.3g} nm covers no quadrature point of "
                             f"the neck plane at z = {self.neck_z_m / NM:.4g} nm; refine the mesh "
                             "at the neck (mesh.min_size_nm below the neck radius)")
        self._g_c.value = conductance_S / self._area_m2 if conductance_S > 0 else 0.0
        self.conductance_S = conductance_S

    @property
    def disc_area_m2(self) -> float:
        """Area [m^2] of the contact disc on the cut, as its quadrature sees it (0 when the
        disc covers none of the cut's quadrature points)."""
        return self._area_m2

    def solve_cell_resistance(self) -> float:
        """R_cell [ohm] with the contact at the cut: 1/P at 1 V (collective).

        Also updates :attr:`potential`, :attr:`powers` and :attr:`contact_jump_V`. An open contact
        (G = 0) gives the large finite resistance of the leak and the host around the cut (inf
        only if nothing at all conducts across the plane).

        Raises:
            LinearSolveError: the LU solve failed or gave non-finite values on some rank.
        """
        if np.isnan(self.neck_z_m):
            raise RuntimeError("contact: call set_cut(neck_z_m, contact_radius_m, "
                               "conductance_S) before solve_cell_resistance()")
        self._solve("contact_cut", self._live(self._cut), [self.phi_lo, self.phi_hi])
        comm = self.device.comm
        _, jump, contact, leak = (comm.allreduce(fem.assemble_scalar(f), op=MPI.SUM)
                                  for f in self._scalars)
        lower, upper = (comm.allreduce(fem.assemble_scalar(f), op=MPI.SUM)
                        for f in self._bank_power_forms)
        self.powers = ContactPowers(lower, upper, contact, leak)
        self.contact_jump_V = jump / self._area_m2 if self._area_m2 > 0 else float("nan")
        self.potential.interpolate(self._combine)
        total = self.powers.total_W
        return 1.0 / total if total > 0 else np.inf

    def place(self, neck, conductance_S: float) -> None:
        """Put the quantum contact at an extracted neck (:class:`apcfem.neck.NeckProfile`).

        A whole filament: the plane at the neck height, the disc of the neck radius, G [S]
        the Landauer conductance. A broken one (gap > 0): no cut (a plane through the gap,
        placed by cell centroids, could slice a floating sliver off the tip); G is the
        tunnelling conductance of the gap, in parallel with the host's leakage
        (:meth:`cell_resistance_ohm`).
        """
        self.open = neck.gap_m > 0.0 or neck.neck_radius_m <= 0.0
        self.tunnel_conductance_S = conductance_S if self.open else 0.0
        if not self.open:
            self.set_cut(neck.neck_z_m, neck.neck_radius_m, conductance_S,
                         neck.section_centre_m)

    def cell_resistance_ohm(self, leakage_S: float = 0.0) -> float:
        """R_cell [ohm] of the contact placed by :meth:`place` (collective): R_body + 1/G from
        the cut fields, or 1 / (G_t + G_leak) across a gap, with the leakage G_leak [S] of the
        host given by the caller. (The FE body would conduct through the diffuse tail of a tip
        that the neck extraction already counts as broken: a classical short of a contact that
        is still tunnelling.) The uncut body's potential then stands for both banks
        (:attr:`phi_lo`, :attr:`potential`)."""
        if not self.open:
            return self.solve_cell_resistance()
        self.solve_body_resistance()
        self.indicator.x.array[:] = 0.0
        self.phi_lo.x.array[:] = self.phi_body.x.array
        self.potential.interpolate(self.phi_body)
        conductance = self.tunnel_conductance_S + leakage_S
        return 1.0 / conductance if conductance > 0 else np.inf

    def solve_body_resistance(self) -> float:
        """R_body [ohm]: ordinary current continuity with the same sigma, no cut (collective).

        The unit-voltage potential is left in :attr:`phi_body`.

        Raises:
            LinearSolveError: the LU solve failed or gave non-finite values on some rank.
        """
        self._solve("contact_body", self._live(self._body), [self.phi_body])
        power = self.device.comm.allreduce(fem.assemble_scalar(self._body_power), op=MPI.SUM)
        return 1.0 / power if power > 0 else np.inf

    def close(self) -> None:
        """Destroy the PETSc objects of both solves: KSP (with PC and MUMPS factors), matrix,
        vectors. Collective: call on every rank, in the same order as the other solvers.
        Idempotent."""
        for problem in (self._cut, self._body):
            if problem is None:
                continue
            problem.solver.destroy()
            for obj in (problem.A, problem.P_mat, problem.b, problem.x):
                if obj is not None:
                    obj.destroy()
        self._cut = self._body = None
        for prefix, options in self._options.items():
            forget_options(prefix, options)
        self._options = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _live(self, problem: LinearProblem | None) -> LinearProblem:
        if problem is None:
            raise RuntimeError("contact: the solver is closed (close() destroyed its PETSc "
                               "objects); create a new ContactConduction to solve again")
        return problem

    def _solve(self, name: str, problem: LinearProblem, unknowns: Sequence[fem.Function]) -> None:
        problem.solve()
        comm = self.device.comm
        reason = comm.allreduce(problem.solver.getConvergedReason(), op=MPI.MIN)
        finite = comm.allreduce(all(bool(np.isfinite(u.x.array).all()) for u in unknowns),
                                op=MPI.LAND)
        if reason <= 0 or not finite:
            raise LinearSolveError(name, reason)

    def _setup_topology(self) -> None:
        """Axial centroids of the local cells, their DG0 dofs, and the owned interior facets
        with their two cells (the candidates for the cut)."""
        device = self.device
        mesh, tdim = device.mesh, device.mesh.topology.dim
        topology = mesh.topology
        cell_map = topology.index_map(tdim)
        cells = np.arange(cell_map.size_local + cell_map.num_ghosts, dtype=np.int32)
        self._cell_z = compute_midpoints(mesh, tdim, cells)[:, device.axial_index]
        self._cell_dofs = self.indicator.function_space.dofmap.list[cells, 0]
        topology.create_connectivity(tdim - 1, tdim)
        topology.create_connectivity(tdim, tdim - 1)
        facet_cells = topology.connectivity(tdim - 1, tdim)
        owned = topology.index_map(tdim - 1).size_local
        counts = np.diff(facet_cells.offsets[: owned + 1])
        interior = np.flatnonzero(counts == 2).astype(np.int32)
        first = facet_cells.offsets[interior]
        self._facet_ids = interior
        self._facet_cells = np.column_stack([facet_cells.array[first],
                                             facet_cells.array[first + 1]])
        # an owned facet with one local cell that is not on the boundary: no facet ghosts
        lonely = np.setdiff1d(np.flatnonzero(counts == 1), exterior_facet_indices(topology))
        if device.comm.allreduce(lonely.size, op=MPI.SUM) > 0:
            raise ValueError("contact: the mesh is distributed without shared-facet ghost "
                             "cells, so the cut cannot be seen across ranks; build it with "
                             "GhostMode.shared_facet (as build_device_mesh does)")

    def _update_cut(self, facets: np.ndarray, face_facets: np.ndarray) -> None:
        """Re-create the interface forms and the matrix if the cut facets or the contact face
        changed (collective)."""
        changed = not (np.array_equal(facets, self._cut_facets)
                       and np.array_equal(face_facets, self._face_facets))
        if not self.device.comm.allreduce(changed, op=MPI.LOR):
            return
        self._cut_facets, self._face_facets = facets, face_facets
        self._live(self._cut).replace_bilinear_forms(self._bilinear_on_cut(facets, face_facets))
        self._scalars = self._scalars_on_cut(facets, face_facets)

    def _bilinear_on_cut(self, facets: np.ndarray,
                         face_facets: np.ndarray) -> list[list[fem.Form | None]]:
        return [[None if c is None else self._on_cut(c, facets, face_facets) for c in row]
                for row in self._compiled_a]

    def _scalars_on_cut(self, facets: np.ndarray, face_facets: np.ndarray) -> list[fem.Form]:
        return [self._on_cut(c, facets, face_facets) for c in self._compiled_scalars]

    def _on_cut(self, compiled: fem.CompiledForm, facets: np.ndarray,
                face_facets: np.ndarray) -> fem.Form:
        """A compiled form with its interface integrals over the given cut facets and its
        contact-face integrals over the given exterior facets (owned ones are kept)."""
        form, mesh = compiled.ufl_form, self.device.mesh
        kinds = {integral.integral_type() for integral in form.integrals()}
        subdomains = {}
        if "cell" in kinds:
            owned = mesh.topology.index_map(mesh.topology.dim).size_local
            subdomains[fem.IntegralType.cell] = [(-1, np.arange(owned, dtype=np.int32))]
        if "interior_facet" in kinds:
            entities = fem.compute_integration_domains(
                fem.IntegralType.interior_facet, mesh.topology, facets)
            subdomains[fem.IntegralType.interior_facet] = [(CUT_ID, entities)]
        if "exterior_facet" in kinds:
            entities = fem.compute_integration_domains(
                fem.IntegralType.exterior_facet, mesh.topology, face_facets)
            subdomains[fem.IntegralType.exterior_facet] = [(FACE_ID, entities)]
        return fem.create_form(
            compiled, [argument.ufl_function_space() for argument in form.arguments()], mesh,
            subdomains, {c: c for c in ufl.algorithms.extract_coefficients(form)},
            {c: c for c in ufl.algorithms.analysis.extract_constants(form)})

    def _face_height(self, contact: str) -> float:
        """Axial coordinate [m] of a (planar) contact face (collective)."""
        device = self.device
        nodes = entities_to_geometry(device.mesh, device.mesh.topology.dim - 1,
                                     device.facets(contact))
        z = device.mesh.geometry.x[nodes.ravel(), device.axial_index]
        comm = device.comm
        total = comm.allreduce(float(z.sum()), op=MPI.SUM)
        count = comm.allreduce(z.size, op=MPI.SUM)
        return total / count

    def _cut_bounds(self, lower_contact: str, upper_contact: str) -> tuple[float, float]:
        """Range of the neck plane [m] keeping every cell that touches a contact (by a facet or
        a vertex) in that contact's bank: from the top of the cells touching the lower contact
        to the bottom of those touching the upper."""
        device = self.device
        mesh, tdim, axial = device.mesh, device.mesh.topology.dim, device.axial_index
        topology = mesh.topology
        topology.create_connectivity(tdim - 1, 0)
        topology.create_connectivity(0, tdim)
        facet_vertices = topology.connectivity(tdim - 1, 0)
        vertex_cells = topology.connectivity(0, tdim)

        def node_z(contact: str) -> np.ndarray:
            vertices = {v for f in device.facets(contact) for v in facet_vertices.links(f)}
            cells = np.unique([c for v in vertices for c in vertex_cells.links(v)])
            nodes = entities_to_geometry(mesh, tdim, cells.astype(np.int32))
            return mesh.geometry.x[nodes.ravel(), axial]

        comm = device.comm
        z_lo = comm.allreduce(float(node_z(lower_contact).max(initial=-np.inf)), op=MPI.MAX)
        z_hi = comm.allreduce(float(node_z(upper_contact).min(initial=np.inf)), op=MPI.MIN)
        if not z_lo < z_hi:
            raise ValueError(f"contact: no room for a neck plane between '{lower_contact}' and "
                             f"'{upper_contact}' (cells on both contacts overlap in z: "
                             f"{z_lo / NM:.4g} nm >= {z_hi / NM:.4g} nm); refine the mesh")
        return z_lo, z_hi
