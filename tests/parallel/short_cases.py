"""Short variants of the bundled cases for end-to-end runs: coarse meshes, a few steps.

Each variant keeps its case's physics and (but one) protocol kind and shortens what costs
time: the mesh (0.5 nm on the staircase's axis, 0.3 nm in the ECM and VCM cells, a 3.5 nm
radius for the 3-D cell), the number of sweep points, and the transient drive (a 3 ms, 1.2 V
pulse or sweep (0.8 V in the VCM cell, below its set), steps up to 0.2 ms, one compliance
current; a few stimulus points, one short light pulse). The 3-D forming case instead drives
100 uA in 1 ms, a quarter of it per step, through its seeded off-axis filament connected from
the start (a cone from the cathode touching the anode; the VCM cone without its depleted
disc), so that its short run goes through the section-mode contact.
Plots are off.
"""

from pathlib import Path

import apcfem
from apcfem.output.run_directory import to_toml

ECM_SHORT = {"mesh.min_size_nm": 0.3, "output.plots": False, "output.fields": False,
             "dynamics.dt_max_s": 2e-4, "dynamics.max_drive_step": 0.1,
             "dynamics.max_resistance_change": 10.0}
PULSE = {"kind": "pulse_train", "amplitude_V": 1.2, "rise_s": 1e-3, "width_s": 1e-3,
         "interval_s": 3e-3, "count": 1}

FORMING_3D_SHORT = {"dynamics.max_drive_step": 0.25}
"""The 3-D forming sweeps in steps of a quarter of I_cc (their filament is connected from the
start; each 3-D step costs ~1.5 s on one core)."""

STIMULUS_SHORT = {"mesh.min_size_nm": 0.1, "output.plots": False}

SHORT_EDITS = {
    "ag_sio2_pt_staircase": {"protocol.points": 3, "mesh.min_size_nm": 0.5,
                             "mesh.max_size_nm": 5.0, "mesh.refinement_radius_nm": 1.0,
                             "output.plots": False},
    "ecm_ag_sio2_pt_sweep": {**ECM_SHORT, "protocol": PULSE},
    "ecm_3d_forming": {**ECM_SHORT, **FORMING_3D_SHORT, "geometry.cell_radius_nm": 3.5,
                       "protocol": {"kind": "current_sweep", "ramp_rate_A_per_s": 0.2,
                                    "set_current_A": 1e-4, "voltage_limit_V": 2.0},
                       "ecm.initial_filament": "cone", "ecm.cone_base_radius_nm": 1.5,
                       "ecm.cone_tip_radius_nm": 0.6, "ecm.cone_gap_nm": 0.0,
                       "ecm.channel_radius_nm": None},
    "ecm_histogram": {**ECM_SHORT, "protocol": {**PULSE, "count": 2},
                      "output.histogram_skip_cycles": 1},
    "vcm_pt_hfox_tin_sweep": {**ECM_SHORT, "protocol": {**PULSE, "amplitude_V": 0.8}},
    "vcm_histogram": {**ECM_SHORT, "protocol": {**PULSE, "amplitude_V": 0.8, "count": 2},
                      "output.histogram_skip_cycles": 1},
    "vcm_3d_forming": {**ECM_SHORT, **FORMING_3D_SHORT, "mesh.max_size_nm": 2.0,
                       "protocol": {"kind": "current_sweep", "ramp_rate_A_per_s": 0.2,
                                    "set_current_A": 1e-4, "voltage_limit_V": 2.0},
                       "vcm.disc_length_nm": 0.0},
    "ecm_compliance_ladder": {**ECM_SHORT, "protocol.ramp_rate_V_per_s": 400.0,
                              "protocol.set_voltage_V": 1.2,
                              "study.current_limits_A": [1e-4]},
    "vcm_compliance_ladder": {**ECM_SHORT, "protocol.ramp_rate_V_per_s": 400.0,
                              "protocol.set_voltage_V": 0.8,
                              "study.current_limits_A": [1e-4]},
    "bias_half_plateaus": {**STIMULUS_SHORT, "protocol.points": 3},
    "zeeman_heavy_channel": {"mesh.min_size_nm": 1.0, "protocol.points": 3,
                             "output.plots": False},
    "ag_neck_temperature": {**STIMULUS_SHORT, "protocol.points": 3},
    "mcbj_au_stretch": {**STIMULUS_SHORT, "protocol.points": 4},
    "led_au_nanogap": {**STIMULUS_SHORT, "protocol.cycles": 1, "protocol.on_s": 1e-4,
                       "protocol.off_s": 1e-4, "protocol.columns": 10,
                       "dynamics.dt_max_s": 5e-5, "dynamics.max_resistance_change": 10.0},
}
"""Bundled case name -> the changes (dotted keys) of its short variant."""

COMPARED_ON_TWO_RANKS = ("ag_sio2_pt_staircase", "ecm_ag_sio2_pt_sweep", "vcm_3d_forming")
"""Bundled cases whose short variant test_parallel_consistency.py runs on two ranks in
``make test``: the exit of that run (status 0 within its timeout) is checked there, so
test_clean_exit.py does not run these cases again."""


def short_case(name: str, folder: Path, **changes) -> Path:
    """Write the short variant of the bundled case ``name`` (with further dotted-key
    ``changes``, given with ``__`` for ``.``) to ``folder/<name>.toml``; return its path."""
    cfg = apcfem.load_case(apcfem.bundled_case(name))
    more = {key.replace("__", "."): value for key, value in changes.items()}
    cfg = apcfem.update_case(cfg, {**SHORT_EDITS[name], **more})
    path = folder / f"{name}.toml"
    path.write_text(to_toml(cfg.model_dump(mode="json")), encoding="utf-8")
    return path
