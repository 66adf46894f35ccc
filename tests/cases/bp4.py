"""Read what a VTX (ADIOS2 BP4) series holds without the ADIOS2 Python bindings."""

import struct
from pathlib import Path


def bp4_steps_and_names(path: Path, names: tuple[str, ...]) -> tuple[int, dict[str, int]]:
    """Steps of a BP4 series (md.idx: a 64-byte header and one 64-byte record per step) and how
    often each variable name occurs in its metadata (md.0: names stored as uint16 length +
    characters), read without ADIOS2."""
    steps = ((path / "md.idx").stat().st_size - 64) // 64
    meta = (path / "md.0").read_bytes()
    return steps, {n: meta.count(struct.pack("<H", len(n)) + n.encode()) for n in names}
