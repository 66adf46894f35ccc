"""Neck extraction recovers analytic filament shapes to better than the local mesh size.

Uses COMM_WORLD, so under ``mpiexec -n 2`` the sampled field is distributed and the reduced
profile must come out the same.
"""

import numpy as np
import pytest
from dolfinx import fem
from mpi4py import MPI

from apcfem.config.schema import FilamentConfig, GeometryConfig, MeshConfig
from apcfem.filament import NM, PrescribedFilament
from apcfem.mesh import build_device_mesh
from apcfem.neck import NeckExtractor

GEOMETRY = {"cell_radius_nm": 8.0, "bottom_electrode_thickness_nm": 4.0,
             "switching_layer_thickness_nm": 6.0, "top_electrode_thickness_nm": 4.0}


def _extract(kind: str, sizes: MeshConfig, filament: FilamentConfig):
    geometry = GeometryConfig(kind=kind, **GEOMETRY)
    device = build_device_mesh(geometry, sizes, MPI.COMM_WORLD)
    shape = PrescribedFilament.from_config(filament, geometry)
    xi = fem.Function(fem.functionspace(device.mesh, ("Lagrange", 1)))
    xi.interpolate(lambda x: shape.phase_field(x, device.axisymmetric))
    spacing = 0.5 * sizes.min_size_nm
    extractor = NeckExtractor(device, (4.0 * NM, 10.0 * NM), 4.5 * NM,
                              n_z=int(6.0 / spacing), n_r=int(4.5 / spacing) + 1, n_theta=24)
    return extractor(xi), shape


@pytest.mark.parametrize(("shape", "neck_nm", "position"),
                         [("hourglass", 0.6, 0.4), ("cone", 0.35, 0.7), ("hourglass", 1.3, 0.5)])
def test_axisymmetric_neck_recovered(shape, neck_nm, position):
    sizes = MeshConfig(min_size_nm=0.05, max_size_nm=2.0, refinement_radius_nm=2.0)
    filament = FilamentConfig(shape=shape, neck_radius_nm=neck_nm, base_radius_nm=2.5,
                              neck_position=position, interface_width_nm=0.05)
    profile, exact = _extract("axisymmetric", sizes, filament)
    h = sizes.min_size_nm * NM
    assert abs(profile.neck_radius_m - exact.neck_radius_m) < 0.5 * h
    assert abs(profile.neck_z_m - exact.neck_z_m) < h
    assert profile.gap_m == 0.0
    # the whole profile, each point against the local element size there
    a_exact = exact.radius(profile.z_m)
    local_h = NM * (sizes.min_size_nm + sizes.growth_per_nm
                    * np.maximum(a_exact / NM - sizes.refinement_radius_nm, 0.0))
    assert np.all(np.abs(profile.radius_m - a_exact) < local_h)
    if shape == "hourglass":
        assert profile.curvature_per_m == pytest.approx(exact.curvature_per_m(), rel=0.05)


def test_3d_section_matches_axisymmetric_shape():
    sizes = MeshConfig(min_size_nm=0.12, max_size_nm=2.5, refinement_radius_nm=1.5,
                       growth_per_nm=0.5)
    filament = FilamentConfig(neck_radius_nm=0.8, base_radius_nm=2.0, neck_position=0.5,
                              interface_width_nm=0.12)
    profile, exact = _extract("3d", sizes, filament)
    h = sizes.min_size_nm * NM
    assert abs(profile.neck_radius_m - exact.neck_radius_m) < h
    assert abs(profile.neck_z_m - exact.neck_z_m) < 2 * h


def test_broken_filament_reports_gap():
    """Two cone tips 0.6 nm apart: neck radius 0 and the gap length to the sampling step."""
    sizes = MeshConfig(min_size_nm=0.05, max_size_nm=2.0)
    broken = FilamentConfig(shape="cone", neck_radius_nm=0.3, base_radius_nm=2.0, gap_nm=0.6,
                            interface_width_nm=0.05)
    profile, exact = _extract("axisymmetric", sizes, broken)
    assert profile.neck_radius_m == 0.0
    assert profile.gap_m == pytest.approx(exact.gap_m, abs=sizes.min_size_nm * NM)
