"""Stacks beyond three layers: a substrate, an oxygen-exchange layer and a capping layer.

Reference: with the contacts on the stack's outer faces and no filament, the potential is
linear in z within each layer, so the stack is a series of slabs, R = sum t_i / (sigma_i pi R^2)
(exact for P1 on a mesh conforming to the layers), and each layer's volume is pi R^2 t_i.
"""

import numpy as np
import pytest
import ufl
from dolfinx import fem
from mpi4py import MPI

import apcfem
from apcfem.config.schema import GeometryConfig, MeshConfig
from apcfem.coupling import NewtonProblem
from apcfem.mesh import NM, build_device_mesh
from apcfem.physics import Conduction
from apcfem.physics.properties import region_constant

LAYERS = [{"name": "substrate", "position": "below_bottom_electrode", "thickness_nm": 4.0,
           "material": "SiO2"},
          {"name": "oxygen_exchange_layer", "position": "below_top_electrode",
           "thickness_nm": 2.0, "material": "Ta"},
          {"name": "capping_layer", "position": "above_top_electrode", "thickness_nm": 3.0,
           "material": "TiN"}]
SIGMA = {"substrate": 1e5, "bottom_electrode": 9e6, "switching_layer": 2e3,
         "oxygen_exchange_layer": 4e6, "top_electrode": 6e7, "capping_layer": 3e6}
"""Conductivities of the series check [S/m] (distinct, so a swapped layer shows)."""
RADIUS_NM = 10.0


def _five_layer_stack():
    geometry = GeometryConfig(cell_radius_nm=RADIUS_NM, bottom_electrode_thickness_nm=5.0,
                              switching_layer_thickness_nm=6.0, top_electrode_thickness_nm=5.0,
                              layers=LAYERS)
    sizes = MeshConfig(min_size_nm=0.5, max_size_nm=2.0, refinement_radius_nm=1.0)
    return geometry, build_device_mesh(geometry, sizes, MPI.COMM_WORLD)


def test_extra_layers_are_regions_in_their_place():
    # guards the layer order and positions: a layer drawn in the wrong place or a lost tag
    # changes a volume or a contact height
    geometry, device = _five_layer_stack()
    comm = device.comm
    assert set(device.regions) == set(SIGMA)
    bounds = geometry.layer_bounds_nm()
    assert list(bounds) == ["substrate", "bottom_electrode", "switching_layer",
                            "oxygen_exchange_layer", "top_electrode", "capping_layer"]
    assert bounds["substrate"] == (-4.0, 0.0) and bounds["capping_layer"] == (18.0, 21.0)
    for name, (z0, z1) in bounds.items():
        volume = comm.allreduce(fem.assemble_scalar(fem.form(
            device.weight() * device.dx(name))), op=MPI.SUM)
        assert volume == pytest.approx(np.pi * RADIUS_NM**2 * (z1 - z0) * NM**3, rel=1e-10)
    z = ufl.SpatialCoordinate(device.mesh)[1]
    for contact, height in (("bottom_contact", -4.0), ("top_contact", 21.0)):
        area, moment = (comm.allreduce(fem.assemble_scalar(fem.form(
            device.weight() * f * device.ds(contact))), op=MPI.SUM) for f in (1.0, z))
        assert area == pytest.approx(np.pi * (RADIUS_NM * NM) ** 2, rel=1e-10)
        assert moment / area == pytest.approx(height * NM, rel=1e-10, abs=1e-20)


def test_extra_layers_conduct_in_series():
    # guards the regions' tags and the contacts on the outer faces: the resistance between
    # the contacts is the sum of the six slabs'
    geometry, device = _five_layer_stack()
    space = fem.functionspace(device.mesh, ("Lagrange", 1))
    phi = fem.Function(space)
    conduction = Conduction(sigma=region_constant(device, SIGMA, "sigma"))
    bcs = [fem.dirichletbc(fem.Constant(device.mesh, value),
                           fem.locate_dofs_topological(space, 1, device.facets(name)), space)
           for name, value in (("top_contact", 1.0), ("bottom_contact", 0.0))]
    with NewtonProblem("layers", conduction.residual(phi, ufl.TestFunction(space), device), phi,
                       bcs) as problem:
        problem.solve()
    power = device.comm.allreduce(fem.assemble_scalar(fem.form(
        conduction.dissipated_power(phi, device))), op=MPI.SUM)
    area = np.pi * (RADIUS_NM * NM) ** 2
    expected = sum((z1 - z0) * NM / (SIGMA[name] * area)
                   for name, (z0, z1) in geometry.layer_bounds_nm().items())
    assert 1.0 / power == pytest.approx(expected, rel=1e-8)


def test_a_layer_name_must_be_new():
    with pytest.raises(ValueError, match=r"layers\[0\].name = 'top_electrode' is taken"):
        GeometryConfig(layers=[{**LAYERS[2], "name": "top_electrode"}])


def test_case_with_a_capping_layer_runs_with_its_material():
    # guards the materials of extra layers in the cell: a capping layer of the top electrode's
    # own metal is the top electrode made thicker, so the body resistance is that of the
    # thicker electrode (to the mesh difference), and more than without the layer
    cfg = apcfem.load_case(apcfem.bundled_case("ag_sio2_pt_staircase"))
    short = {"protocol.points": 2, "output.fields": False, "output.plots": False,
             "mesh.min_size_nm": 0.2}
    capped = apcfem.update_case(cfg, {**short, "geometry.layers": [
        {"name": "capping_layer", "position": "above_top_electrode", "thickness_nm": 6.0,
         "material": cfg.materials.top_electrode}]})
    thicker = apcfem.update_case(cfg, {**short, "geometry.top_electrode_thickness_nm": 16.0})
    plain = apcfem.update_case(cfg, short)
    r_capped, r_thicker, r_plain = (
        apcfem.Simulation.from_config(c).run(progress=False).series["R_fe_ohm"]
        for c in (capped, thicker, plain))
    # measured: capped and thicker agree to 2e-5, the layer adds 0.09 ohm (4e-3 at 22 ohm)
    np.testing.assert_allclose(r_capped, r_thicker, rtol=1e-4)
    assert np.all(r_capped > r_plain * (1 + 1e-4))
