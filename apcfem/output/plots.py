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
    """Transient run: I-V, conductance G(t), neck radius(t) and T_max(t) in one figure."""
    t = series["time_s"]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
    ax = axes[0, 0]
    ax.plot(series["V_source_V"], 1e6 * np.abs(series["I_A"]), "-", lw=1.2, label="|I|")
    ax.set_yscale("symlog", linthresh=1e-3)
    ax.set_xlabel("source voltage [V]")
    ax.set_ylabel("|I| [µA]")
    ax.set_title("I-V", fontsize=9)
    ax = axes[0, 1]
    ax.plot(t, series["G_G0"], "-", lw=1.2, label="cell $G$")
    ax.plot(t, series["G_landauer_G0"], "--", lw=1, label="neck $G_L$")
    ax.set_xlabel("time [s]")
    ax.set_ylabel("$G/G_0$")
    ax.legend(fontsize=8)
    ax = axes[1, 0]
    ax.plot(t, 1e9 * series["neck_radius_m"], "-", lw=1.2, color="C2")
    ax.set_xlabel("time [s]")
    ax.set_ylabel("neck radius [nm]")
    ax = axes[1, 1]
    ax.plot(t, series["T_max_K"], "-", lw=1.2, color="C3")
    ax.set_xlabel("time [s]")
    ax.set_ylabel("$T_{max}$ [K]")
    for ax in axes.ravel():
        ax.grid(alpha=0.3)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path
