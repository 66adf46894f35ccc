"""PNG plots of a run (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from apcfem.landauer import G0_S

TITLE_WIDTH_CHARS = 80
"""Longest line of a plot title [characters] (a 6.5 inch figure at 10 pt)."""

if TYPE_CHECKING:
    from apcfem.output.histogram import ConductanceHistogram


def plot_sweep(series: dict[str, np.ndarray], x_key: str, x_label: str, path: Path,
               title: str) -> Path:
    """Conductance staircase and cell response against the swept quantity."""
    x = series[x_key]
    fig, axes = plt.subplots(3, 1, figsize=(6.5, 8.5), sharex=True)
    ax = axes[0]
    ax.plot(x, series["G_landauer_G0"], "o-", ms=3, label="Landauer contact $G_L$")
    ax.plot(x, series["G_G0"], "s-", ms=3, label="cell: FE ohmic + $1/G_L$")
    ax.step(x, series["channels"], where="mid", color="0.5", lw=1, label="open channels")
    _label(ax, None, "$G/G_0$")
    ax.set_title(_wrapped(title), fontsize=10)
    axes[1].plot(x, 1e6 * series["I_A"], "o-", ms=3)
    _label(axes[1], None, "current [µA]", legend=False)
    axes[2].plot(x, series["T_max_K"], "o-", ms=3, color="C3")
    _label(axes[2], x_label, "$T_{max}$ [K]", legend=False)
    return _save(fig, path)


def differential_conductance_G0(V_V: np.ndarray, I_A: np.ndarray) -> np.ndarray:
    """dI/dV of a sampled I-V curve (second-order finite differences) [G0]."""
    return np.gradient(I_A, V_V) / G0_S


def plot_bias_sweep(series: dict[str, np.ndarray], path: Path, title: str) -> Path:
    """Read-bias sweep of a fixed neck: I-V and I/V, dI/dV against the contact bias."""
    V, current = series["V_contact_V"], series["I_A"]
    fig, axes = plt.subplots(2, 1, figsize=(6.5, 7.0), sharex=True)
    axes[0].plot(V, 1e6 * current, "o-", ms=3, color="C1")
    _label(axes[0], None, "current [µA]", legend=False)
    axes[0].set_title(_wrapped(title), fontsize=10)
    ax = axes[1]
    ax.plot(V, series["G_landauer_G0"], "o-", ms=3, label="$I/V$ of the contact")
    ax.plot(V, differential_conductance_G0(V, current), "s-", ms=3, label="$dI/dV$")
    for level in (0.5, 1.5):
        ax.axhline(level, color="0.7", lw=0.8, ls=":")
    _label(ax, "bias across the contact [V]", "$G/G_0$")
    return _save(fig, path)


def plot_light(series: dict[str, np.ndarray], path: Path, title: str) -> Path:
    """Light on a nanogap: G(t) (log) with the incident light on a second axis, the gap and
    its closing, the electrode temperature."""
    t_ms = 1e3 * series["time_s"]
    fig, axes = plt.subplots(3, 1, figsize=(7.0, 9.0), sharex=True)
    ax = axes[0]
    ax.semilogy(t_ms, np.maximum(series["G_landauer_G0"], 1e-30), "-", lw=1.2, color="C0")
    ax.set_ylabel("contact $G/G_0$")
    ax.grid(True, alpha=0.3)
    light = ax.twinx()
    light.fill_between(t_ms, 1e-4 * series["light_W_per_m2"], step="post", color="C1",
                       alpha=0.25, lw=0)
    light.set_ylabel("light [W/cm$^2$]", color="C1")
    ax.set_title(_wrapped(title), fontsize=10)
    axes[1].plot(t_ms, series["gap_m"] / 1e-9, "-", lw=1.2, color="C4", label="gap")
    axes[1].plot(t_ms, series["displacement_m"] / 1e-9, "--", lw=1, color="C2",
                 label="closing by expansion")
    _label(axes[1], None, "[nm]")
    axes[2].plot(t_ms, series["T_electrode_K"], "-", lw=1.2, color="C3")
    _label(axes[2], "time [ms]", "electrode tip $T$ [K]", legend=False)
    return _save(fig, path)


def plot_transient(series: dict[str, np.ndarray], path: Path, title: str) -> Path:
    """Transient run: I-V, G(t) (log and linear, plateaus), neck radius (and, in 3-D, its
    section's aspect ratio), V_cell and T_max."""
    t = series["time_s"]
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.5))
    ax = axes[0, 0]
    ax.plot(series["V_source_V"], np.abs(series["I_A"]), "-", lw=1.2)
    ax.set_yscale("log")
    _label(ax, "source voltage [V]", "|I| [A]", legend=False)
    ax.set_title("I-V", fontsize=9)
    ax = axes[0, 1]
    ax.semilogy(t, np.maximum(series["G_G0"], 1e-16), "-", lw=1.2, label="cell $G$")
    ax.semilogy(t, np.maximum(series["G_landauer_G0"], 1e-16), "--", lw=1,
                label="contact (tunnelling / Landauer)")
    _label(ax, "time [s]", "$G/G_0$")
    ax = axes[0, 2]
    contact = series["G_landauer_G0"] >= 0.05
    ax.plot(t[contact], series["G_G0"][contact], ".-", ms=2, lw=1, label="cell $G$")
    ax.plot(t[contact], series["G_landauer_G0"][contact], "--", lw=1, label="contact")
    _label(ax, "time [s]", "$G/G_0$ (connected)")
    ax = axes[1, 0]
    ax.plot(t, 1e9 * series["neck_radius_m"], "-", lw=1.2, color="C2", label="neck radius")
    ax.plot(t, 1e9 * series["tunnel_gap_m"], "-", lw=1.2, color="C4", label="tunnelling gap")
    _label(ax, "time [s]", "[nm]")
    aspect = series.get("neck_aspect_ratio")
    if aspect is not None and np.any(np.abs(aspect[np.isfinite(aspect)] - 1.0) > 1e-9):
        twin = ax.twinx()  # a 3-D neck's section
        twin.plot(t, aspect, ":", lw=1.2, color="k", label="section aspect ratio")
        twin.set_ylabel("neck section aspect ratio [-]", fontsize=8)
        twin.legend(fontsize=7, loc="lower right")
    ax = axes[1, 1]
    ax.plot(t, series["V_source_V"], "-", lw=1, color="0.5", label="source")
    ax.plot(t, series["V_cell_V"], "-", lw=1.2, color="C1", label="cell")
    _label(ax, "time [s]", "voltage [V]")
    ax = axes[1, 2]
    ax.plot(t, series["T_max_K"], "-", lw=1.2, color="C3", label="$T_{max}$")
    ax.plot(t, series["T_neck_K"], "--", lw=1, color="C3", label="$T$ at the neck")
    _label(ax, "time [s]", "temperature [K]")
    fig.suptitle(_wrapped(title), fontsize=10)
    return _save(fig, path)


def plot_compliance_ladder(current_A: np.ndarray, G_G0: np.ndarray,
                           measured: Sequence[tuple[float, float, str]],
                           V_c_band_V: tuple[float, float], path: Path, title: str,
                           G_zero_bias_G0: np.ndarray | None = None) -> Path:
    """Final conductance against compliance current, log-log (see
    :func:`draw_compliance_ladder`)."""
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    draw_compliance_ladder(ax, current_A, G_G0, measured, V_c_band_V, G_zero_bias_G0)
    ax.set_title(_wrapped(title), fontsize=10)
    return _save(fig, path)


def draw_compliance_ladder(ax, current_A: np.ndarray, G_G0: np.ndarray,
                           measured: Sequence[tuple[float, float, str]],
                           V_c_band_V: tuple[float, float],
                           G_zero_bias_G0: np.ndarray | None = None) -> None:
    """Simulated G_final [G0] against I_cc [A] (NaN: a failed run, left out; with
    ``G_zero_bias_G0``, the conductance at the end of the branch as open circles), the measured
    (I_cc [A], G [G0], source) points with one legend entry per source, and the band of the set
    relation R_on = V_c / I_cc between the two V_c [V] of ``V_c_band_V``, on log-log axes (x
    ticks at the simulated currents, labelled in µA)."""
    currents = np.concatenate([np.asarray(current_A, dtype=float), [m[0] for m in measured]])
    span = np.geomspace(currents.min() / 1.5, currents.max() * 1.5, 50)
    low, high = sorted(V_c_band_V)
    ax.fill_between(span, span / (high * G0_S), span / (low * G0_S), color="0.9",
                    label=f"$R_{{on}} = V_c/I_{{cc}}$, $V_c$ = {low:g}-{high:g} V")
    for V_c in (low, high):
        ax.plot(span, span / (V_c * G0_S), ":", lw=1, color="0.5")
    finished = np.isfinite(G_G0)
    ax.plot(np.asarray(current_A)[finished], np.asarray(G_G0)[finished], "o-", color="C0",
            label="simulated $G_{final}$")
    if G_zero_bias_G0 is not None:
        ax.plot(np.asarray(current_A)[finished], np.asarray(G_zero_bias_G0)[finished], "o",
                mfc="none", color="C0", label="simulated, at 0 V (end of the branch)")
    for k, source in enumerate(dict.fromkeys(m[2] for m in measured)):
        points = np.array([m[:2] for m in measured if m[2] == source])
        ax.plot(points[:, 0], points[:, 1], "sD^v"[k % 4], ms=7, ls="none", color=f"C{k + 1}",
                label=source)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(current_A, [f"{1e6 * c:g}" for c in current_A])  # the ladder's currents
    ax.xaxis.set_minor_formatter(NullFormatter())
    _label(ax, "compliance current $I_{cc}$ [µA]", "$G_{final}/G_0$")


def plot_conductance_histogram(histogram: ConductanceHistogram, path: Path,
                               title: str) -> Path:
    """The dwell histogram (time fraction per bin, log scale) over the set-state histogram
    (cycles per bin), with the integer levels marked."""
    centres, width = histogram.centres_G0, np.diff(histogram.edges_G0)
    fig, axes = plt.subplots(2, 1, figsize=(6.5, 6.5), sharex=True)
    axes[0].bar(centres, histogram.dwell_fraction, width=width, color="C0")
    axes[0].set_yscale("log")
    axes[0].set_title(_wrapped(title), fontsize=10)
    _label(axes[0], None, "fraction of the run's time", legend=False)
    axes[1].bar(centres, histogram.set_state_counts, width=width, color="C1")
    _label(axes[1], "$G/G_0$", f"set states ({histogram.set_state_G0.size} cycles)",
           legend=False)
    for ax in axes:
        for level in range(1, int(histogram.edges_G0[-1]) + 1):
            ax.axvline(level, color="0.6", lw=0.8, ls=":")
    return _save(fig, path)


def _wrapped(title: str) -> str:
    """A case title broken into lines that fit a 6.5 inch figure at 10 pt."""
    return textwrap.fill(title, TITLE_WIDTH_CHARS)


def _label(ax, x_label: str | None, y_label: str, legend: bool = True) -> None:
    """Axis labels (no x label: shared with the panel below), a light grid, a small legend."""
    if x_label is not None:
        ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(fontsize=8)


def _save(fig, path: Path) -> Path:
    """Lay out, write as PNG and close the figure."""
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path
