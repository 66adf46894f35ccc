"""The quantum contact as a lumped series element: R_cell = R_body + 1/G.

The contact is a potential jump across the neck plane (apcfem.coupling.contact), not a thin FE
layer. Checked on a uniform wire, where the two-field solution is exact (R = L/(sigma A) + 1/G),
and on the Ag/SiO2/Pt staircase cell with prescribed hourglass necks and their Landauer
conductance, at three mesh sizes.
"""

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI

import apcfem
from apcfem import get_material, landauer, load_case, update_case
from apcfem.coupling.cell_heat import CellHeat, film_conductance
from apcfem.coupling.contact import ContactConduction
from apcfem.coupling.steady_cell import SteadyCell
from apcfem.filament import PrescribedFilament
from apcfem.mesh import DeviceMesh, PointProbe, build_device_mesh
from apcfem.neck import NeckProfile

pytestmark = pytest.mark.timeout(120)

NM = 1e-9
NECK_RADII_NM = (0.35, 0.7, 1.5, 2.6)
SIGMA, RADIUS, LENGTH, G_WIRE = 6.3e7, 2e-9, 10e-9, 1e-4  # Ag-like wire [S/m], [m], [m], [S]


def _wire(comm, axisymmetric: bool, layers: int) -> DeviceMesh:
    """Uniform wire (r, z) in [0, R] x [0, L] or bar [0, R]^2 x [0, L], contacts at both ends."""
    ghosts = mesh.GhostMode.shared_facet
    if axisymmetric:
        domain = mesh.create_rectangle(comm, [[0, 0], [RADIUS, LENGTH]], [4, layers],
                                       ghost_mode=ghosts)
    else:
        domain = mesh.create_box(comm, [[0, 0, 0], [RADIUS, RADIUS, LENGTH]], [2, 2, layers],
                                 ghost_mode=ghosts)
    return _with_end_contacts(domain, axisymmetric)


def _with_end_contacts(domain, axisymmetric: bool) -> DeviceMesh:
    """The device of a mesh spanning z in [0, LENGTH]: one region, contacts "bottom" (z = 0)
    and "top" (z = LENGTH)."""
    axial, tdim = (1 if axisymmetric else 2), domain.topology.dim
    domain.topology.create_connectivity(tdim - 1, tdim)
    ends = [mesh.locate_entities_boundary(
        domain, tdim - 1, lambda x, z=z: np.isclose(x[axial], z, atol=1e-3 * LENGTH))
        for z in (0.0, LENGTH)]
    facets = np.concatenate(ends)
    order = np.argsort(facets)
    tags = np.concatenate([np.full_like(ends[0], 1), np.full_like(ends[1], 2)])[order]
    cells = np.arange(domain.topology.index_map(tdim).size_local, dtype=np.int32)
    return DeviceMesh(domain, mesh.meshtags(domain, tdim, cells, np.ones_like(cells)),
                      mesh.meshtags(domain, tdim - 1, facets[order], tags),
                      {"wire": 1}, {"bottom": 1, "top": 2}, axisymmetric)


@pytest.mark.parametrize("axisymmetric", [True, False], ids=["axisymmetric", "3d"])
def test_uniform_wire_is_exact_series_of_body_and_contact(axisymmetric):
    """A plane cut along a layer of mesh facets: phi is linear on each side with a uniform jump
    I/G, which P1 represents exactly, so R = L/(sigma A) + 1/G to rounding and eps."""
    layers = 20
    device = _wire(MPI.COMM_WORLD, axisymmetric, layers)
    area = np.pi * RADIUS**2 if axisymmetric else RADIUS**2
    r_body = LENGTH / (SIGMA * area)
    with ContactConduction(device, fem.Constant(device.mesh, SIGMA), 1, "bottom", "top") as cut:
        assert cut.solve_body_resistance() == pytest.approx(r_body, rel=1e-9)
        cut.set_cut(0.5 * LENGTH, 10 * RADIUS, G_WIRE)  # the disc covers the whole section
        assert cut.solve_cell_resistance() == pytest.approx(r_body + 1 / G_WIRE, rel=1e-6)
        current = 1 / (r_body + 1 / G_WIRE)
        assert cut.contact_jump_V == pytest.approx(current / G_WIRE, rel=1e-6)
        assert cut.powers.contact_W == pytest.approx(current**2 / G_WIRE, rel=1e-6)
        assert cut.powers.lower_bank_W == pytest.approx(0.5 * current**2 * r_body, rel=1e-6)
        # a plane beyond the cells touching a contact puts the contact on that electrode face
        for beyond, face_z, lower_bank in ((-LENGTH, 0.0, 0.0), (2 * LENGTH, LENGTH, 1.0)):
            cut.set_cut(beyond, 10 * RADIUS, G_WIRE)
            assert cut.neck_z_m == pytest.approx(face_z, abs=1e-9 * LENGTH)
            assert cut.solve_cell_resistance() == pytest.approx(r_body + 1 / G_WIRE, rel=1e-6)
            assert cut.contact_jump_V == pytest.approx(current / G_WIRE, rel=1e-6)
            assert cut.powers.lower_bank_W == pytest.approx(lower_bank * current**2 * r_body,
                                                            rel=1e-6, abs=1e-9 * current**2 * r_body)
            assert cut.potential.x.array.min() > -1e-9 and cut.potential.x.array.max() < 1 + 1e-9


DISC_G = 1e-3
"""Contact conductance of the disc-radius sweep [S]: 1 kohm, comparable to the spreading."""


def _disc_radius_sweep(device, disc_edge_m: float) -> tuple[np.ndarray, float]:
    """R_cell [ohm] of the wire (sigma 1e6 S/m) cut at mid-length by a disc of DISC_G and
    radius 0.3 -> 1.7 nm (2.5 % of a cell per step; the host around it nearly insulating: all
    current goes through the disc), and R_cell with the disc covering the whole section."""
    with ContactConduction(device, fem.Constant(device.mesh, 1e6), 1, "bottom", "top",
                           leak_sigma=1.0, disc_edge_m=disc_edge_m) as cut:
        resistances = []
        for radius_m in np.linspace(0.3, 1.7, 113) * NM:
            cut.set_cut(0.5 * LENGTH, radius_m, DISC_G)
            resistances.append(cut.solve_cell_resistance())
        cut.set_cut(0.5 * LENGTH, 10 * RADIUS, DISC_G)
        return np.array(resistances), cut.solve_cell_resistance()


def test_a_disc_with_an_edge_varies_continuously_with_its_radius():
    """A sharp disc a few quadrature points wide gains or loses whole points as its radius
    moves, and R_cell jumps (the funnelling into the disc changes by steps); with a linear edge
    one cell wide (0.5 nm here) R_cell falls smoothly as the disc widens, and a disc covering
    the section is still the exact series value."""
    device = _wire(MPI.COMM_WORLD, True, 20)
    r_body = LENGTH / (1e6 * np.pi * RADIUS**2)
    sharp, _ = _disc_radius_sweep(device, 0.0)
    smooth, whole = _disc_radius_sweep(device, RADIUS / 4)
    step = lambda R: np.abs(np.diff(R)) / R[1:]
    assert step(sharp).max() > 0.2      # a quadrature point entering the disc: R jumps by 35 %
    assert step(smooth).max() < 0.03    # 1.6 % at 0.3 nm, where R ~ 1/a changes fastest
    assert np.all(np.diff(smooth) < 0)  # a wider disc conducts better, at every step
    assert whole == pytest.approx(r_body + 1 / DISC_G, rel=1e-6)


def test_an_off_axis_neck_is_contacted_at_its_own_centre():
    """3-D: a conducting column off the cell's axis (its section the square |x - 1 nm|, |y| <
    0.75 nm, on cell faces; the host around it nearly insulating) cut at mid-length by a disc
    of G (100 kohm) inside the column, centred on the centroid of the column's section polygon:
    R_cell = R_body + 1/G but for the column's spreading into the disc (measured: 0.03 %). The
    same disc on the cell's axis lies mostly in the host, where no current reaches it, so the
    contact conducts a fraction of G: R_cell is 2.9 times the series value."""
    half, column_x, column_half = 2e-9, 1e-9, 0.75e-9
    domain = mesh.create_box(MPI.COMM_WORLD, [[-half, -half, 0], [half, half, LENGTH]],
                             [16, 16, 20], ghost_mode=mesh.GhostMode.shared_facet)
    device = _with_end_contacts(domain, False)
    sigma = fem.Function(fem.functionspace(domain, ("DG", 0)))
    sigma.interpolate(lambda x: np.where((np.abs(x[0] - column_x) < column_half)
                                         & (np.abs(x[1]) < column_half), 1e6, 1e-6))
    corners = np.array([[1, -1], [1, 1], [-1, 1], [-1, -1]]) * column_half + [column_x, 0.0]
    centre = NeckProfile(np.zeros(1), np.ones(1), 1.0, 0.0, 0.0,
                         section_polygon_m=corners).section_centre_m
    assert centre == pytest.approx((column_x, 0.0), abs=1e-15)
    radius, conductance = 0.7e-9, 1e-5
    with ContactConduction(device, sigma, 1, "bottom", "top", leak_sigma=1e-6) as cut:
        r_body = cut.solve_body_resistance()
        assert r_body == pytest.approx(LENGTH / (1e6 * (2 * column_half) ** 2), rel=1e-6)
        series = r_body + 1 / conductance
        cut.set_cut(0.5 * LENGTH, radius, conductance, centre)
        centred = cut.solve_cell_resistance()
        assert centred == pytest.approx(series, rel=0.01)
        cut.set_cut(0.5 * LENGTH, radius, conductance)  # on the axis
        axis = cut.solve_cell_resistance()
        assert axis > 2 * series
        _off_axis_neck_is_heated_and_probed_at_its_centre(device, cut, sigma, column_half,
                                                          centre)


def _off_axis_neck_is_heated_and_probed_at_its_centre(device, cut, sigma, column_half, centre):
    """The column above, its contact centred again and heated at 0.5 V (the contact's power
    I^2/G released within 0.3 nm of the neck, in the column's metal; the ends held at 300 K):
    the neck temperature is read at the section's centre, the column's hot spot, not on the
    cell's axis outside it (0.25 nm from the column's side, in the host). Measured: 1154 K at
    the centre, T_max; 681 K on the axis. With the source window and the probe on the axis (the
    earlier code) the test fails."""
    domain, T0 = device.mesh, 300.0
    column = fem.Function(fem.functionspace(domain, ("DG", 0)))
    column.x.array[:] = sigma.x.array > 1.0
    T = fem.Function(fem.functionspace(domain, ("Lagrange", 1)))
    T.x.array[:] = T0
    cut.set_cut(0.5 * LENGTH, 0.7e-9, 1e-5, centre)
    cut.solve_cell_resistance()
    heat = CellHeat("column_heat", device, cut, sigma, fem.Constant(domain, 1.0), column, T,
                    {"bottom": T0, "top": T0}, 0.3e-9)
    t_max = heat.solve(0.5, 0.5 * LENGTH, 1e-5)
    t_neck = heat.neck_temperature(0.5 * LENGTH)
    t_axis = float(PointProbe(domain, np.array([[0.0, 0.0, 0.5 * LENGTH]]))(T)[0])
    heat.close()
    assert t_neck - T0 > 0.9 * (t_max - T0)
    assert t_axis - T0 < 0.8 * (t_neck - T0)


@pytest.mark.parametrize("films", [False, True], ids=["face_sinks", "film_sinks"])
def test_wire_heated_between_sinks_reaches_the_analytic_peak(films):
    """Uniform Joule heating Q = sigma (V/L)^2 of the wire between its two ends: with Dirichlet
    sinks T_max = T0 + Q L^2 / (8 k) (DESIGN.md, Heat); with each end reached through a film of
    conductance h per area (Robin), the ends warm by Q L / (2 h) on top. The profile is
    quadratic in z and the FE nodal values of this 1-D problem are exact."""
    device = _wire(MPI.COMM_WORLD, True, 20)
    sigma, k, T0, voltage = 1e6, 10.0, 300.0, 0.2
    h = film_conductance([(2e-9, 71.6), (1e-9, 21.9)])  # 2 nm Pt on 1 nm Ti
    mesh = device.mesh
    T = fem.Function(fem.functionspace(mesh, ("Lagrange", 1)))
    T.x.array[:] = T0
    with ContactConduction(device, fem.Constant(mesh, sigma), 1, "bottom", "top") as cut:
        cut.set_cut(0.5 * LENGTH, 10 * RADIUS, 1e6)  # the contact a short: 1 uOhm
        cut.solve_cell_resistance()
        heat = CellHeat("wire_heat", device, cut, fem.Constant(mesh, sigma),
                        fem.Constant(mesh, k), fem.Constant(mesh, 0.0), T,
                        {"bottom": T0, "top": T0}, 1e-9,
                        film_sinks={"bottom": h, "top": h} if films else None)
        t_max = heat.solve(voltage, 0.5 * LENGTH, 1e6)
        heat.close()
    source = sigma * (voltage / LENGTH) ** 2
    expected = T0 + source * LENGTH**2 / (8 * k) + (source * LENGTH / (2 * h) if films else 0.0)
    assert h == pytest.approx(1 / (2e-9 / 71.6 + 1e-9 / 21.9))
    assert t_max == pytest.approx(expected, rel=1e-6)


def _staircase_case(min_size_nm: float):
    cfg = load_case(apcfem.bundled_case("ag_sio2_pt_staircase"))
    return update_case(cfg, {
        "geometry.cell_radius_nm": 10.0, "geometry.bottom_electrode_thickness_nm": 5.0,
        "geometry.top_electrode_thickness_nm": 5.0, "geometry.switching_layer_thickness_nm": 6.0,
        "filament.base_radius_nm": 3.0, "mesh.min_size_nm": min_size_nm,
        "mesh.refinement_radius_nm": 3.0})


def _landauer_S(radius_m: float) -> float:
    ag = get_material("Ag")
    result = landauer.circular_conductance(radius_m, landauer.Electrons(ag.fermi_energy_eV.value,
                                                                        ag.effective_mass_me.value))
    return float(result.G_G0) * landauer.G0_S


def _neck(cfg, cell: SteadyCell, radius_nm: float) -> PrescribedFilament:
    shape = PrescribedFilament.from_config(cfg.filament, cfg.geometry, radius_nm)
    cell.set_filament(lambda x: shape.phase_field(x, cell.device.axisymmetric))
    return shape


def _resistances(comm, min_size_nm: float, radii_nm=NECK_RADII_NM) -> np.ndarray:
    """Rows (G, R_body, R_cell) [S, ohm, ohm] of the prescribed necks."""
    cfg = _staircase_case(min_size_nm)
    cell = SteadyCell(build_device_mesh(cfg.geometry, cfg.mesh, comm), cfg)
    rows = []
    for radius_nm in radii_nm:
        shape = _neck(cfg, cell, radius_nm)
        r_body, _ = cell.solve_resistance()
        conductance = _landauer_S(shape.neck_radius_m)
        cell.contact.set_cut(shape.neck_z_m, shape.neck_radius_m, conductance)
        rows.append((conductance, r_body, cell.solve_cell_resistance()))
    cell.close()
    return np.array(rows)


@pytest.mark.parametrize("min_size_nm", [0.2, 0.1, 0.05])
def test_cell_is_body_in_series_with_landauer_contact(min_size_nm):
    G, r_body, r_cell = _resistances(MPI.COMM_WORLD, min_size_nm).T
    assert np.all(G > 2 * landauer.G0_S)  # every neck conducts
    error = np.abs(r_cell - r_body - 1 / G) * G
    assert np.all(error < 0.01), dict(zip(NECK_RADII_NM, error))


@pytest.mark.mpi
def test_same_resistances_on_one_rank_and_all_ranks():
    """Guards the distributed contact (cut facets, jump) and body solves: G, R_body, R_cell on
    all ranks equal the one-rank values to 1e-8 (MPI only)."""
    assert MPI.COMM_WORLD.size > 1, "a 1-vs-N-rank comparison needs N > 1"
    world = _resistances(MPI.COMM_WORLD, 0.1, radii_nm=(0.7,))
    alone = _resistances(MPI.COMM_SELF, 0.1, radii_nm=(0.7,))
    assert np.allclose(world, alone, rtol=1e-8, atol=0)


@pytest.fixture(scope="module")
def neck_cell():
    """The staircase cell (h = 0.1 nm) with a 0.7 nm neck."""
    cfg = _staircase_case(0.1)
    cell = SteadyCell(build_device_mesh(cfg.geometry, cfg.mesh), cfg)
    shape = _neck(cfg, cell, 0.7)
    yield cell, shape
    cell.close()


def test_open_contact_leaks_only_through_the_host(neck_cell):
    cell, shape = neck_cell
    r_body, _ = cell.solve_resistance()
    cell.contact.set_cut(shape.neck_z_m, shape.neck_radius_m, 0.0)
    r_open = cell.solve_cell_resistance()
    assert np.isfinite(r_open) and r_open > 1e6 * r_body, (r_open, r_body)
    assert cell.contact.powers.contact_W == 0.0


def test_a_contact_with_closed_modes_dissipates_only_its_own_current(neck_cell):
    """A connected neck whose modes have closed (G 1e-20 of the host's leak across the plane)
    carries ~none of the current: the leak carries it. The contact's power is G times the
    square of its own jump, not I^2/G of the cell current (~1e4 W here; an ECM reset heated a
    closed inner neck to ~1e10 K that way); the cell stays at the ambient temperature."""
    cell, shape = neck_cell
    cell.contact.set_cut(shape.neck_z_m, shape.neck_radius_m, 0.0)
    conductance = 1e-20 / cell.solve_cell_resistance()  # [S]
    connected = NeckProfile(np.array([shape.neck_z_m]), np.array([shape.neck_radius_m]),
                            shape.neck_radius_m, shape.neck_z_m, 0.0)
    cell.contact.place(connected, conductance)
    assert not cell.contact.open
    voltage = 1.0
    current = voltage / cell.contact.cell_resistance_ohm()
    assert current**2 / conductance > 1e3  # what I^2/G would release [W]
    assert cell.contact.contact_jump_V * conductance * voltage < 1e-6 * current
    t_max = cell.solve_heat(voltage, shape.neck_z_m, conductance)
    assert t_max < cell.ambient_K + 1.0


def _at_point(functions, point) -> list[float]:
    """Values of functions at a point [m] (collective)."""
    probe = PointProbe(functions[0].function_space.mesh, np.array([point]))
    return [float(probe(f)[0]) for f in functions]


def test_jump_at_the_axis_is_the_contact_voltage(neck_cell):
    cell, shape = neck_cell
    conductance = _landauer_S(shape.neck_radius_m)
    cell.contact.set_cut(shape.neck_z_m, shape.neck_radius_m, conductance)
    current = 1.0 / cell.solve_cell_resistance()  # at 1 V
    lo, hi = _at_point([cell.contact.phi_lo, cell.contact.phi_hi], [0.0, shape.neck_z_m, 0.0])
    assert hi - lo == pytest.approx(current / conductance, rel=0.01)
    # all of the current crosses the plane through the contact, dissipating I^2/G there
    assert cell.contact.contact_jump_V * conductance == pytest.approx(current, rel=1e-9)
    assert cell.contact.powers.contact_W == pytest.approx(current**2 / conductance, rel=0.01)
    # the combined field is phi_lo below the plane and phi_hi above (cells 0.1 nm here)
    z_n, step = shape.neck_z_m, 0.3 * NM
    combined = cell.contact.potential
    below = _at_point([combined, cell.contact.phi_lo], [0.0, z_n - step, 0.0])
    above = _at_point([combined, cell.contact.phi_hi], [0.0, z_n + step, 0.0])
    assert below[0] == pytest.approx(below[1], rel=1e-12)
    assert above[0] == pytest.approx(above[1], rel=1e-12)
    assert above[0] - below[0] == pytest.approx(hi - lo, rel=0.05)


def test_heat_leaving_the_sinks_is_the_electrical_power():
    """Guards the heat sources of the cell end to end where the contact dominates (flagship
    cell, 0.3 nm neck: 1/G = 12.9 kOhm against R_body = 156 Ohm, so 99 % of the power is the
    ballistic I^2/G released next to the neck): in steady state the heat flowing out through
    the two contact faces, -k grad T . n with k of Pt and Ag from the library, equals the power
    I V_cell the circuit delivers. Tolerance 3 %: the P1 flux at the coarse contact faces is
    -1.3 % off at 0.05 nm and +0.2 % at 0.025 nm. A contact power released twice, or not at
    all, misses by ~100 %."""
    cfg = update_case(load_case(apcfem.bundled_case("ag_sio2_pt_staircase")),
                      {"filament.neck_radius_nm": 0.3})
    cell = SteadyCell(build_device_mesh(cfg.geometry, cfg.mesh), cfg)
    shape = _neck(cfg, cell, 0.3)
    conductance = _landauer_S(shape.neck_radius_m)
    cell.contact.set_cut(shape.neck_z_m, shape.neck_radius_m, conductance)
    r_body, _ = cell.solve_resistance()
    voltage = 0.3  # [V] across the cell
    current = voltage / cell.solve_cell_resistance()
    t_max = cell.solve_heat(voltage, shape.neck_z_m, conductance)
    device = cell.device
    normal = ufl.FacetNormal(device.mesh)
    outflow = 0.0
    for face, region in (("bottom_contact", "bottom_electrode"), ("top_contact", "top_electrode")):
        k = get_material(getattr(cfg.materials, region)).thermal_conductivity_W_per_mK.value
        outflow += device.comm.allreduce(fem.assemble_scalar(fem.form(
            -k * device.weight() * ufl.dot(ufl.grad(cell.T), normal) * device.ds(face))),
            op=MPI.SUM)
    cell.close()
    assert 1 / conductance > 50 * r_body  # the contact dominates
    assert t_max > cfg.physics.ambient_temperature_K + 10.0
    assert outflow == pytest.approx(current * voltage, rel=0.03)
