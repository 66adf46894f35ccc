"""Regenerate the small reference meshes in this folder from their case files.

Usage: python meshes/make_reference_meshes.py
Each ``<name>.toml`` here is an apcfem case whose [geometry] and [mesh] sections define a
device stack; the mesh is written as ``<name>.msh`` (gmsh, coordinates in nm, physical groups
named after the regions and contacts). Load one with ``apcfem.mesh.read_device_msh``.
"""

from pathlib import Path

import gmsh

import apcfem
from apcfem.mesh.stack import build_stack_model

HERE = Path(__file__).parent


def main() -> None:
    for case_file in sorted(HERE.glob("*.toml")):
        cfg = apcfem.load_case(case_file)
        gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        build_stack_model(cfg.geometry, cfg.mesh, name=case_file.stem)
        gmsh.write(str(case_file.with_suffix(".msh")))
        gmsh.finalize()
        print(f"wrote {case_file.with_suffix('.msh')}")


if __name__ == "__main__":
    main()
