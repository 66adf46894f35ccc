"""PNG plots of a run (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def plot_sweep(series: dict[str, np.ndarray], x_key: str, x_label: str, path: Path,
               title: str) -> Path:
    """Conductance staircase and cell response against the swept quantity."""
    x = series[x_key]
    fig, axes = plt.subplots(3, 1, figsize=(6.5, 8.5), sharex=True)
    ax = axes[0]
    ax.plot(x, series["G_landauer_G0"], "o-", ms=3, label="Landauer contact $G_L$")
    ax.plot(x, series["G_G0"], "s-", ms=3, label="cell: FE ohmic + $1/G_L$")
    ax.step(x, series["channels"], where="mid", color="0.5", lw=1, label="open channels")
    ax.set_ylabel("$G/G_0$")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title, fontsize=10)
    axes[1].plot(x, 1e6 * series["I_A"], "o-", ms=3)
    axes[1].set_ylabel("current [µA]")
    axes[1].grid(alpha=0.3)
    axes[2].plot(x, series["T_max_K"], "o-", ms=3, color="C3")
    axes[2].set_ylabel("$T_{max}$ [K]")
    axes[2].set_xlabel(x_label)
    axes[2].grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def plot_transient(series: dict[str, np.ndarray], path: Path, title: str) -> Path:
    """Transient run: I-V, G(t) (log and linear, plateaus), neck radius, V_cell and T_max."""
    t = series["time_s"]
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.5))
    ax = axes[0, 0]
    ax.plot(series["V_source_V"], np.abs(series["I_A"]), "-", lw=1.2)
    ax.set_yscale("log")
    ax.set_xlabel("source voltage [V]")
    ax.set_ylabel("|I| [A]")
    ax.set_title("I-V", fontsize=9)
    ax = axes[0, 1]
    ax.semilogy(t, np.maximum(series["G_G0"], 1e-16), "-", lw=1.2, label="cell $G$")
    ax.semilogy(t, np.maximum(series["G_landauer_G0"], 1e-16), "--", lw=1,
                label="contact (tunnelling / Landauer)")
    ax.set_xlabel("time [s]")
    ax.set_ylabel("$G/G_0$")
    ax.legend(fontsize=8)
    ax = axes[0, 2]
    contact = series["G_landauer_G0"] >= 0.05
    ax.plot(t[contact], series["G_G0"][contact], ".-", ms=2, lw=1, label="cell $G$")
    ax.plot(t[contact], series["G_landauer_G0"][contact], "--", lw=1, label="contact")
    ax.set_xlabel("time [s]")
    ax.set_ylabel("$G/G_0$ (connected)")
    ax.legend(fontsize=8)
    ax = axes[1, 0]
    ax.plot(t, 1e9 * series["neck_radius_m"], "-", lw=1.2, color="C2", label="neck radius")
    ax.plot(t, 1e9 * series["gap_m"], "-", lw=1.2, color="C4", label="gap")
    ax.set_xlabel("time [s]")
    ax.set_ylabel("[nm]")
    ax.legend(fontsize=8)
    ax = axes[1, 1]
    ax.plot(t, series["V_source_V"], "-", lw=1, color="0.5", label="source")
    ax.plot(t, series["V_cell_V"], "-", lw=1.2, color="C1", label="cell")
    ax.set_xlabel("time [s]")
    ax.set_ylabel("voltage [V]")
    ax.legend(fontsize=8)
    ax = axes[1, 2]
    ax.plot(t, series["T_max_K"], "-", lw=1.2, color="C3", label="$T_{max}$")
    ax.plot(t, series["T_neck_K"], "--", lw=1, color="C3", label="$T$ at the neck")
    ax.set_xlabel("time [s]")
    ax.set_ylabel("temperature [K]")
    ax.legend(fontsize=8)
    for ax in axes.ravel():
        ax.grid(alpha=0.3)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path
