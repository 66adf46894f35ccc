"""The catalogue of bad inputs (tests/bad_inputs/catalogue.toml): each gives one line on stderr
naming the key or file and what would be valid, exit status 2, no traceback, and writes
nothing. Run in-process through the command line's ``main`` (serial); one entry also through a
real process, for its exit status."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import apcfem
from apcfem import cli
from apcfem.output.run_directory import RESOLVED_CASE, to_toml

pytestmark = pytest.mark.serial

FOLDER = Path(__file__).parents[1] / "bad_inputs"
CATALOGUE = tomllib.loads((FOLDER / "catalogue.toml").read_text(encoding="utf-8"))["input"]


def _prepare(entry: dict, folder: Path) -> list[str]:
    """Write the entry's case and set up its folder; the command line arguments."""
    case = folder / f"{entry['id']}.toml"
    if "file" in entry:
        case = folder / entry["file"]
        case.write_bytes((FOLDER / entry["file"]).read_bytes())
    elif "text" in entry:
        case.write_text(entry["text"], encoding="utf-8")
    out = folder / "run"
    setup = entry.get("setup")
    if setup == "existing_output":
        out.mkdir()
        (out / "notes.txt").write_text("results of an earlier run\n")
    elif setup == "output_under_file":
        (folder / "blocker").write_text("a file, not a directory\n")
        out = folder / "blocker" / "run"
    elif setup == "run_without_checkpoint":
        out.mkdir()
        cfg = apcfem.load_case(apcfem.bundled_case("ag_sio2_pt_staircase"))
        (out / RESOLVED_CASE).write_text(to_toml(cfg.model_dump(mode="json")))
    args = entry.get("args", ["run", "{case}", "--output", "{out}"])
    return [a.format(case=case, out=out, dir=folder) for a in args]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b""
            for p in sorted(folder.rglob("*"))}


def test_catalogue_is_large_and_distinct():
    ids = [entry["id"] for entry in CATALOGUE]
    assert len(ids) >= 30 and len(set(ids)) == len(ids)


@pytest.mark.parametrize("entry", CATALOGUE, ids=[entry["id"] for entry in CATALOGUE])
def test_bad_input_gives_one_line_and_status_2(tmp_path, capsys, entry):
    args = _prepare(entry, tmp_path)
    before = _snapshot(tmp_path)
    status = cli.main(args)
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert status == cli.EXIT_BAD_INPUT, captured.err
    assert len(lines) == 1 and lines[0].startswith("apcfem: error: "), captured.err
    for fragment in entry["expect"]:
        assert fragment in lines[0], f"{fragment!r} not in: {lines[0]}"
    assert "Traceback" not in captured.err and not captured.out
    assert _snapshot(tmp_path) == before, "a bad input must not write anything"


def test_random_bytes_end_the_process_with_status_2(tmp_path):
    (tmp_path / "case.toml").write_bytes((FOLDER / "random_bytes.bin").read_bytes())
    proc = subprocess.run([sys.executable, "-m", "apcfem.cli", "run", "case.toml", "--output",
                           "run"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "case.toml: not a TOML case file" in lines[0], proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.toml"]
