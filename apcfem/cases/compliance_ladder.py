"""Case study: a higher compliance current leaves a thicker neck and a higher conductance.

Runs the set branch of the bundled ECM sweep (``ecm_ag_sio2_pt_sweep``) at several compliance
currents and reports the final neck radius and cell conductance (review trend: 2.5 G0 at
100 uA rising to 8.5 G0 at higher I_cc). Uses the public API only::

    python -m apcfem.cases.compliance_ladder --output ladder
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import apcfem

CURRENTS_A = (5e-5, 1e-4, 2e-4, 5e-4)


def compliance_ladder(currents_A=CURRENTS_A, output: Path | None = None) -> list[dict]:
    """Final neck radius [m] and conductance [G0] of the set branch for each I_cc [A]."""
    base = apcfem.load_case(apcfem.bundled_case("ecm_ag_sio2_pt_sweep"))
    rows = []
    for current in currents_A:
        cfg = apcfem.update_case(base, {"circuit.current_limit_A": current,
                                        "protocol.reset_voltage_V": None,
                                        "output.fields": False})
        out = output / f"icc_{current * 1e6:g}uA" if output else None
        series = apcfem.Simulation.from_config(cfg).run(out, progress=False).series
        rows.append({"current_limit_A": current,
                     "neck_radius_m": float(series["neck_radius_m"][-1]),
                     "G_G0": float(series["G_G0"][-1]),
                     "G_landauer_G0": float(series["G_landauer_G0"][-1])})
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    print(json.dumps(compliance_ladder(output=args.output), indent=2))
