"""``make bench`` (benchmarks/bench_landauer.py) prints its figures."""

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "benchmarks" / "bench_landauer.py"


def test_bench_prints_its_four_figures():
    """Guards the benchmark script (run on 2e4 points instead of 1e6): it exits 0 and prints
    the counter's evaluations per second (abrupt, saddle) and the transfer matrix's profiles
    per second (0 K, 300 K), each a positive number. Speeds are machine-dependent and not
    asserted here."""
    proc = subprocess.run([sys.executable, str(BENCH), "20000"], capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    figures = re.findall(r"^(.+): (evaluations|profiles) per second: ([0-9.e+-]+)",
                         proc.stdout, flags=re.MULTILINE)
    assert [(label, unit) for label, unit, _ in figures] == [
        ("abrupt, T > 0", "evaluations"), ("saddle 0.05 eV, T > 0", "evaluations"),
        ("transfer matrix, parabolic neck, 0 K", "profiles"),
        ("transfer matrix, parabolic neck, 300 K", "profiles")]
    assert all(float(value) > 0 for _, _, value in figures)
