"""Each problem of a mesh file stops with one line naming the key and the fix, before any mesh
is built (the checks on rank 0 need meshio only).

The meshes are small three-layer (r, z) stacks drawn here with meshio, matching the default
[geometry]: radius 20 nm, layers 0-10 / 10-20 / 20-30 nm.
"""

import meshio
import numpy as np
import pytest

from apcfem.config.loader import CaseError, case_from_dict, load_case
from apcfem.config.schema import GeometryConfig, MeshConfig
from apcfem.mesh.imported import load_mesh_file

NAMES = {"bottom_electrode": (1, 2), "switching_layer": (2, 2), "top_electrode": (3, 2),
         "bottom_contact": (1, 1), "top_contact": (2, 1)}


def stack(nr: int = 4, nz: int = 6, radius: float = 20.0, height: float = 30.0):
    """Points, triangles (two per grid square), their layer tags, and the bottom and top
    edges with their contact tags, of a structured (r, z) stack in nm."""
    r, z = np.meshgrid(np.linspace(0, radius, nr + 1), np.linspace(0, height, nz + 1))
    points = np.column_stack([r.ravel(), z.ravel()])
    node = np.arange(points.shape[0]).reshape(nz + 1, nr + 1)
    a, b, c, d = (node[:-1, :-1], node[:-1, 1:], node[1:, 1:], node[1:, :-1])
    triangles = np.concatenate([np.stack([a, b, c], -1).reshape(-1, 3),
                                np.stack([a, c, d], -1).reshape(-1, 3)])
    centre = points[triangles, 1].mean(axis=1)
    layer = 1 + np.searchsorted([height / 3, 2 * height / 3], centre)
    edges = np.concatenate([np.stack([node[0, :-1], node[0, 1:]], -1),
                            np.stack([node[-1, :-1], node[-1, 1:]], -1)])
    contact = np.repeat([1, 2], nr)
    return points, triangles, layer, edges, contact


def write(path, points, triangles, layer, edges, contact, names=NAMES):
    """A gmsh 2.2 file: physical tags per cell and their names."""
    mesh = meshio.Mesh(points, [("triangle", triangles), ("line", edges)],
                       cell_data={"gmsh:physical": [layer, contact],
                                  "gmsh:geometrical": [layer, contact]},
                       field_data={n: np.array(v) for n, v in names.items()})
    meshio.write(path, mesh, file_format="gmsh22")
    return path


def load(path, geometry=None, **mesh):
    return load_mesh_file(MeshConfig(file=str(path), length_unit="nm", **mesh),
                          geometry or GeometryConfig())


def test_a_valid_stack_loads_with_its_groups(tmp_path):
    # the reference for the error cases below: the same mesh unbroken loads
    arrays = load(write(tmp_path / "ok.msh", *stack()))
    assert arrays.regions == {"bottom_electrode": 1, "switching_layer": 2, "top_electrode": 3}
    assert arrays.boundaries == {"bottom_contact": 1, "top_contact": 2}
    assert np.bincount(arrays.cell_values).tolist() == [0, 16, 16, 16]
    assert arrays.facets.shape == (8, 2)


def test_missing_file(tmp_path):
    with pytest.raises(CaseError, match=r"^mesh.file = 'none.vtu': cannot read the mesh: no "
                                        r"such file"):
        load(tmp_path / "none.vtu")


def test_unreadable_file(tmp_path):
    path = tmp_path / "broken.vtu"
    path.write_text("<VTKFile type='UnstructuredGrid'> not a mesh")
    with pytest.raises(CaseError, match=r"^mesh.file = 'broken.vtu': cannot read the mesh "
                                        r"\(as vtu: "):
        load(path)


def test_binary_garbage_names_the_format(tmp_path):
    # meshio's VTU reader raises with an empty message on binary garbage: the line must still
    # say what went wrong
    path = tmp_path / "garbage.vtu"
    path.write_bytes(b"garbage\x00\x01")
    with pytest.raises(CaseError, match=r"\(as vtu: ReadError: not a valid vtu file\)$"):
        load(path)


def test_unknown_extension(tmp_path):
    path = tmp_path / "device.xyz"
    path.write_text("1 2 3")
    with pytest.raises(CaseError, match="meshio knows no format with the extension '.xyz'"):
        load(path)


def test_unsupported_cell_type(tmp_path):
    points, *_ = stack(nr=1, nz=1)
    path = tmp_path / "quads.vtu"
    meshio.write(path, meshio.Mesh(points, [("quad", np.array([[0, 1, 3, 2]]))]))
    with pytest.raises(CaseError, match="unsupported cell type quad: use triangle"):
        load(path)


def test_required_region_missing_names_the_file_groups(tmp_path):
    names = {**NAMES, "oxide": NAMES["switching_layer"]}
    del names["switching_layer"]
    path = write(tmp_path / "renamed.msh", *stack(), names=names)
    with pytest.raises(CaseError) as err:
        load(path)
    message = str(err.value)
    assert "no group 'switching_layer' among the 2-D cells for the region 'switching_layer'" \
        in message
    assert "(the file has: 1, 2, 3, bottom_electrode, oxide, top_electrode)" in message
    assert "map it in [mesh.regions], e.g. switching_layer = 'oxide'" in message
    # the fix the message proposes works: the middle layer's cells become the switching layer
    arrays = load(path, regions={"switching_layer": "oxide"})
    cells = arrays.cells[arrays.cell_values == arrays.regions["switching_layer"]]
    z = arrays.points[cells, 1].mean(axis=1)
    assert cells.shape[0] == 16 and z.min() > 10.0 and z.max() < 20.0


def test_mapped_boundary_missing(tmp_path):
    with pytest.raises(CaseError, match=r"no group 'anode' among the 1-D facets for the "
                                        r"boundary 'top_contact' \(the file has: 1, 2, "
                                        r"bottom_contact, top_contact\)"):
        load(write(tmp_path / "s.msh", *stack()), boundaries={"top_contact": "anode"})


def test_mesh_of_the_wrong_dimension(tmp_path):
    points = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1.0]])
    path = tmp_path / "tet.vtu"
    meshio.write(path, meshio.Mesh(points, [("tetra", np.array([[0, 1, 2, 3]]))]))
    with pytest.raises(CaseError, match=r"mixed dimensions: the mesh is 3-D \(tetra cells\) "
                                        r"but geometry.kind = 'axisymmetric' needs 2-D"):
        load(path)


def test_region_mapped_to_facets_is_mixed_dimensions(tmp_path):
    with pytest.raises(CaseError, match=r"mixed dimensions: mesh.regions.top_electrode = "
                                        r"'top_contact' is a group of 1-D cells"):
        load(write(tmp_path / "s.msh", *stack()), regions={"top_electrode": "top_contact"})


def test_two_d_mesh_out_of_plane(tmp_path):
    points, *rest = stack()
    bent = np.column_stack([points, 0.1 * points[:, 0]])
    with pytest.raises(CaseError, match=r"mixed dimensions: the 2-D cells span 2 file units "
                                        r"in z"):
        load(write(tmp_path / "bent.msh", bent, *rest))


def test_axisymmetric_mesh_crossing_the_axis(tmp_path):
    points, *rest = stack()
    with pytest.raises(CaseError, match=r"7 nodes have r = x < 0 \(down to -5 nm\): an "
                                        r"axisymmetric mesh lies in the r >= 0 half-plane"):
        load(write(tmp_path / "shifted.msh", points - [5.0, 0.0], *rest))


def test_inverted_cell(tmp_path):
    points, triangles, *rest = stack()
    triangles[7] = triangles[7, ::-1]
    with pytest.raises(CaseError, match=r"1 inverted cells \(node order opposite to the other "
                                        r"47, e.g. cell 7\)"):
        load(write(tmp_path / "inverted.msh", points, triangles, *rest))


def test_degenerate_cell(tmp_path):
    points, triangles, *rest = stack()
    triangles[3] = [triangles[3, 0], triangles[3, 1], triangles[3, 1]]
    with pytest.raises(CaseError, match=r"1 degenerate cells \(zero area/volume, e.g. cell 3\)"):
        load(write(tmp_path / "flat.msh", points, triangles, *rest))


def test_cells_in_no_region(tmp_path):
    points, triangles, layer, *rest = stack()
    outside = (layer == 3) & (points[triangles, 0].mean(axis=1) > 10.0)
    layer[outside] = 8  # a group no region maps
    with pytest.raises(CaseError, match=r"8 of 48 cells are in no region \(e.g. cell \d+\): "
                                        r"add their group to \[mesh.regions\]"):
        load(write(tmp_path / "s.msh", points, triangles, layer, *rest))


def test_boundary_not_on_the_cells(tmp_path):
    points, triangles, layer, edges, contact = stack()
    edges[0] = [0, 7]  # a chord of the mesh, not an edge of a cell
    with pytest.raises(CaseError, match="1 facets of boundary 'bottom_contact' are not faces"):
        load(write(tmp_path / "s.msh", points, triangles, layer, edges, contact))


def test_switching_layer_elsewhere_than_geometry_says(tmp_path):
    geometry = GeometryConfig(bottom_electrode_thickness_nm=5.0)
    with pytest.raises(CaseError, match=r"the switching layer spans z = 10..20 nm but "
                                        r"\[geometry\] puts it at 5..15 nm: set geometry."
                                        r"bottom_electrode_thickness_nm = 10"):
        load(write(tmp_path / "s.msh", *stack()), geometry=geometry)


def test_length_unit_is_required_with_a_file():
    with pytest.raises(ValueError, match="needs length_unit = 'nm' or 'm'"):
        MeshConfig(file="device.msh")


def test_case_tables_name_package_regions_and_anchor_the_file(tmp_path):
    # guards the schema: a misspelt region name in [mesh.regions] is refused with the known
    # names, an extra layer's name is accepted, a relative file is the case file's neighbour
    with pytest.raises(CaseError, match=r"mesh.regions.oxide: not one of the package's "
                                        r"regions \(bottom_electrode, switching_layer, "):
        case_from_dict({"mesh": {"file": "a.msh", "length_unit": "nm",
                                 "regions": {"oxide": 2}}})
    with pytest.raises(CaseError, match="describe a mesh file: set file"):
        case_from_dict({"mesh": {"regions": {"switching_layer": 2}}})
    case = tmp_path / "case.toml"
    case.write_text('[geometry]\n[[geometry.layers]]\nname = "capping_layer"\n'
                    'position = "above_top_electrode"\nthickness_nm = 2.0\nmaterial = "TiN"\n'
                    '[mesh]\nfile = "device.vtu"\nlength_unit = "nm"\n'
                    '[mesh.regions]\ncapping_layer = "cap"\n', encoding="utf-8")
    cfg = load_case(case)
    assert cfg.mesh.file == str(tmp_path / "device.vtu")
    assert cfg.mesh.regions == {"capping_layer": "cap"}
