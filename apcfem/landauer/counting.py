"""Landauer–Büttiker count of a ladder of transverse modes (circular necks or any section).

``G = (G0/2) Σ_{n,σ} g_n ∫ T_n(E - σ g µ_B B/2) W(E) dE`` with the windows of
:mod:`apcfem.landauer.windows`.  Only modes whose edge lies within ``_TAIL_WIDTHS`` smearing
widths of the bias window are evaluated; lower modes are counted as fully open from the sorted
mode table.
"""

from typing import NamedTuple

import numpy as np
from scipy.special import jn_zeros

from apcfem.landauer.electrons import (
    _KB_EV,
    _MUB_EV,
    G0_S,
    ConductanceResult,
    Electrons,
    _check,
    _circular_unit,
)
from apcfem.landauer.modes import _k_bound, _ModeArrays, _modes_up_to, circular_mode_table
from apcfem.landauer.windows import (
    _ChannelKernel,
    _kernel_kind,
    _Smearing,
    _window_half_width,
)

_CHUNK = 1 << 16  # points per block: keeps the work arrays in cache and memory bounded
_COVER_WIDTHS = 10.0  # a given ladder must reach this many smearing widths above the window


def _slot_order(count: np.ndarray, n_slots: int) -> np.ndarray:
    """Permutation putting points with more window modes first (radix sort on small keys)."""
    key = n_slots - count
    if n_slots < np.iinfo(np.uint16).max:
        key = key.astype(np.uint16)
    return np.argsort(key, kind="stable")


def _spin_channel_sum(
    modes: _ModeArrays, mu: np.ndarray, unit: np.ndarray, smearing: _Smearing, kind: int
) -> np.ndarray:
    """``Σ_n g_n P(mu - E_n)`` per point for one spin, with edges ``E_n = unit * j_n^2``.

    Modes below the window are counted from the cumulative table; those inside are visited
    slot by slot.  Points are sorted by their number of window modes so that slot ``k`` is a
    prefix of the sorted arrays (no points × modes array is built).

    Args:
        modes: Mode table covering all edges of these points.
        mu: Channel reference energy, ``mu_c ∓`` Zeeman shift [eV].
        unit: ``hbar^2/(2 m* a^2)``, the edge energy per ``j^2`` [eV].
        smearing: Per-point energy scales [eV].
        kind: Kernel flags shared by all these points.

    Returns:
        Degeneracy-weighted sum of open fractions [dimensionless].
    """
    half = _window_half_width(smearing)
    lo = np.searchsorted(modes.j2, np.maximum(mu - half, 0.0) / unit, side="left")
    hi = np.searchsorted(modes.j2, np.maximum(mu + half, 0.0) / unit, side="right")
    total = modes.cumulative[lo]
    count = hi - lo
    n_slots = int(count.max(initial=0))
    if n_slots == 0:
        return total
    order = _slot_order(count, n_slots)
    active = np.cumsum(np.bincount(count, minlength=n_slots + 1)[::-1])[::-1]  # count >= k
    order = order[: active[1]]  # points with at least one mode in the window
    lo_s, mu_s, unit_s = lo[order], mu[order], unit[order]
    kernel = _ChannelKernel(smearing.select(order), kind)
    partial = np.zeros(order.size)
    for k in range(n_slots):
        n = active[k + 1]
        slot = lo_s[:n] + k
        eps = mu_s[:n] - unit_s[:n] * modes.j2[slot]
        partial[:n] += modes.degeneracy[slot] * kernel(eps, n)
    total[order] += partial
    return total


class _Points(NamedTuple):
    """Flattened per-point physics in the units used internally (1-D arrays)."""

    unit: np.ndarray  # hbar^2/(2 m* a^2) [eV]
    fermi: np.ndarray  # E_F [eV]
    centre: np.ndarray  # centre of the bias window mu_c [eV]
    zeeman: np.ndarray  # half Zeeman splitting g mu_B |B| / 2 [eV]
    smearing: _Smearing

    def select(self, index) -> "_Points":
        """Points picked by ``index`` (slice, mask or integer array)."""
        *arrays, smearing = self
        return _Points(*(v[index] for v in arrays), smearing.select(index))


def _points(unit, electrons: Electrons, hbar_omega_eV) -> tuple[tuple, _Points]:
    """Validate the physics arguments and flatten them to their broadcast shape.

    Derived quantities are formed before broadcasting, so scalar arguments never become
    full-size arrays (they are flattened as zero-stride views).

    Args:
        unit: Mode-edge energy per unit of the mode ladder (``hbar^2/(2 m* a^2)`` for Bessel
            zeros squared, a dimensionless scale for ladders given in eV) [eV].
        electrons: Electrons and conditions (the effective mass is already in ``unit``).
        hbar_omega_eV: Saddle-point energy [eV].

    Returns:
        Broadcast shape and flattened points.
    """
    unit, e_f, temp, bias, frac, field, g, hbar_omega = (np.asarray(v, dtype=float) for v in (
        unit, electrons.fermi_energy_eV, electrons.temperature_K, electrons.bias_V,
        electrons.beta, electrons.field_T, electrons.g_factor, hbar_omega_eV))
    _check("fermi_energy_eV", e_f, positive=True)
    _check("temperature_K", temp)
    _check("hbar_omega_eV", hbar_omega)
    _check("beta", frac, upper=1.0)
    _check("bias_V", np.abs(bias))
    _check("field_T and g_factor", np.abs(g * field))
    shape = np.broadcast_shapes(unit.shape, e_f.shape, temp.shape, bias.shape, frac.shape,
                                field.shape, g.shape, hbar_omega.shape)

    def flat(value):
        return np.broadcast_to(value, shape).reshape(-1)

    kt = _KB_EV * temp
    s_saddle = hbar_omega / (2.0 * np.pi)  # T_n = σ(2π(E - E_n)/hbar ω), Büttiker (1990)
    smearing = _Smearing(flat(np.maximum(kt, s_saddle)), flat(np.minimum(kt, s_saddle)),
                         flat(np.abs(bias)))
    return shape, _Points(
        unit=flat(unit),
        fermi=flat(e_f),
        centre=flat(e_f + (frac - 0.5) * bias),  # mu_L = E_F + beta eV, mu_R = E_F - (1-beta) eV
        zeeman=flat(0.5 * np.abs(g * _MUB_EV * field)),
        smearing=smearing,
    )


def _conductance_block(p: _Points, modes: _ModeArrays) -> np.ndarray:
    """Conductance of one block of points [G0]."""
    spins = (1.0, -1.0) if np.any(p.zeeman) else (0.0,)
    kind = _kernel_kind(p.smearing)
    present = np.unique(kind)
    total = np.zeros(kind.size)
    for k in present:
        index = slice(None) if present.size == 1 else np.flatnonzero(kind == k)
        group = p.select(index)
        for spin in spins:
            total[index] += _spin_channel_sum(modes, group.centre - spin * group.zeeman,
                                              group.unit, group.smearing, int(k))
    return total / len(spins)


def _window_top(p: _Points) -> np.ndarray:
    """Highest channel edge, per point, that the smeared bias window can still open [eV]."""
    return p.centre + p.zeeman + _window_half_width(p.smearing)


def _count(p: _Points, modes: _ModeArrays) -> tuple[np.ndarray, np.ndarray]:
    """Conductance [G0] and open channels at E_F of flattened points, block by block.

    Args:
        p: Points; the edges are ``p.unit * modes.j2``.
        modes: Mode ladder covering every edge below ``_window_top(p)``.

    Returns:
        ``(G, channels)``, each spin channel counting 0.5 in ``channels``.
    """
    total = np.empty(p.unit.size)
    for start in range(0, total.size, _CHUNK):
        block = slice(start, start + _CHUNK)
        total[block] = _conductance_block(p.select(block), modes)

    def open_below(energy):
        return modes.cumulative[np.searchsorted(modes.j2, np.maximum(energy, 0.0) / p.unit)]

    if np.any(p.zeeman):
        channels = 0.5 * (open_below(p.fermi + p.zeeman) + open_below(p.fermi - p.zeeman))
    else:
        channels = open_below(p.fermi)
    return total, channels


def circular_conductance(radius_m, electrons: Electrons, *,
                         hbar_omega_eV=0.0) -> ConductanceResult:
    """Landauer–Büttiker conductance of a circular free-electron neck.

    ``G = (G0/2) Σ_{n,σ} g_n ∫ T_n(E - σ g µ_B B/2) [f_L(E) - f_R(E)] dE / (eV)`` with
    ``mu_L = E_F + β eV`` and ``mu_R = E_F - (1 - β) eV``; at ``V = 0`` the linear response
    ``(G0/2) Σ ∫ T_n (-∂f/∂E) dE``.  The radius, the fields of ``electrons`` and
    ``hbar_omega_eV`` broadcast against each other.

    Args:
        radius_m: Neck radius ``a`` [m].
        electrons: Electrons and conditions (with a bias the result is ``I/V``).
        hbar_omega_eV: Saddle-point curvature energy ``hbar*omega`` (0 = abrupt step) [eV]; see
            :func:`saddle_hbar_omega_eV`, evaluated at ``E_F`` for the modes that matter.

    Returns:
        Conductance and channel count, both with the broadcast shape of the arguments.

    Raises:
        ValueError: If an argument is out of range or ``k_F a`` exceeds the mode-table limit.
    """
    shape, p = _points(_circular_unit(radius_m, electrons.effective_mass_me), electrons,
                       hbar_omega_eV)
    conductance, channels = _count(p, _modes_up_to(np.max(_window_top(p) / p.unit, initial=0.0)))
    return ConductanceResult(G_G0=conductance.reshape(shape), channels=channels.reshape(shape))


def circular_mode_transmissions(radius_m: float, electrons: Electrons, *,
                                hbar_omega_eV: float = 0.0) -> list[dict]:
    """Per-mode contributions for one neck, for reports.

    Lists every mode with an edge below the upper end of the smeared bias window (at least the
    lowest mode).  ``transmission`` is the spin-averaged, window-averaged open fraction, so that
    ``Σ degeneracy * transmission`` equals ``circular_conductance(...).G_G0``.

    Args:
        radius_m: Neck radius [m].
        electrons: Electrons and conditions (scalar fields).
        hbar_omega_eV: Saddle-point energy ``hbar*omega`` [eV].

    Returns:
        Dicts with ``m``, ``n``, ``degeneracy``, ``E_n_eV`` [eV] and ``transmission`` [0..1].
    """
    if any(np.ndim(v) for v in (radius_m, hbar_omega_eV, *vars(electrons).values())):
        raise ValueError("circular_mode_transmissions takes scalars; use circular_conductance")
    _, p = _points(_circular_unit(radius_m, electrons.effective_mass_me), electrons,
                   hbar_omega_eV)
    top = float((_window_top(p) / p.unit)[0])
    j, degeneracy, m, n = circular_mode_table(_k_bound(top) + 1e-12)
    if j.size == 0:
        j, degeneracy, m, n = circular_mode_table(jn_zeros(0, 1)[0] + 1e-9)
    edges = p.unit[0] * j * j
    kernel = _ChannelKernel(p.smearing, int(_kernel_kind(p.smearing)[0]))
    spins = (1.0, -1.0) if p.zeeman[0] else (0.0,)
    transmission = sum(kernel(p.centre[0] - spin * p.zeeman[0] - edges) for spin in spins)
    transmission = transmission / len(spins)
    return [
        {"m": int(mi), "n": int(ni), "degeneracy": int(di), "E_n_eV": float(ei),
         "transmission": float(ti)}
        for mi, ni, di, ei, ti in zip(m, n, degeneracy, edges, transmission, strict=True)
    ]


def circular_current_A(radius_m, electrons: Electrons, *, hbar_omega_eV=0.0) -> np.ndarray:
    """Landauer current ``I = (2e/h)(1/2) Σ_{n,σ} ∫ T_n [f_L - f_R] dE`` through the neck.

    Args:
        radius_m: Neck radius [m].
        electrons: Electrons and conditions; ``bias_V`` is the bias ``V`` [V].
        hbar_omega_eV: Saddle-point energy ``hbar*omega`` [eV].

    Returns:
        Current [A], broadcast over all arguments.
    """
    result = circular_conductance(radius_m, electrons, hbar_omega_eV=hbar_omega_eV)
    return G0_S * result.G_G0 * np.asarray(electrons.bias_V, dtype=float)


def miranda_sune_current_A(
    bias_V, *, n_channels, beta, barrier_eV, alpha_per_eV, temperature_K=0.0
) -> np.ndarray:
    """Quantum-point-contact I–V of Miranda & Suñé for ``n_channels`` identical channels.

    ``I = (2e/h) N [eV + (1/α) ln((1 + e^{α(φ - βeV)}) / (1 + e^{α(φ + (1-β)eV)}))]``
    (E. Miranda and J. Suñé, Microelectron. Reliab. 44, 1 (2004); IEEE EDL 2001).  This is the
    Landauer current of one saddle-point channel with ``T(E) = σ(α(E - E_F - φ))``, i.e. an edge
    ``φ`` above ``E_F`` and ``hbar*omega = 2π/α``; at ``temperature_K > 0`` the same channel is
    Fermi-smeared.

    Args:
        bias_V: Bias voltage [V].
        n_channels: Number of channels ``N`` [dimensionless].
        beta: Fraction of the bias on the left contact [dimensionless, 0..1].
        barrier_eV: Barrier top ``φ`` relative to ``E_F`` (negative = open channel) [eV].
        alpha_per_eV: Barrier shape parameter ``α > 0`` [1/eV].
        temperature_K: Temperature [K].

    Returns:
        Current [A], broadcast over all arguments.
    """
    v, n, frac, phi, alpha, temp = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (
        bias_V, n_channels, beta, barrier_eV, alpha_per_eV, temperature_K)))
    _check("alpha_per_eV", alpha, positive=True)
    _check("beta", frac, upper=1.0)
    _check("temperature_K", temp)
    kt = (_KB_EV * temp).ravel()
    scale = 1.0 / alpha.ravel()  # hbar*omega/2π of the equivalent saddle point [eV]
    smearing = _Smearing(np.maximum(kt, scale), np.minimum(kt, scale), np.abs(v.ravel()))
    eps = ((frac - 0.5) * v - phi).ravel()  # mu_c - edge, energies from E_F [eV]
    kind = _kernel_kind(smearing)
    fraction = np.empty(eps.size)
    for k in np.unique(kind):
        index = np.flatnonzero(kind == k)
        fraction[index] = _ChannelKernel(smearing.select(index), int(k))(eps[index])
    fraction = fraction.reshape(v.shape)
    return G0_S * n * v * fraction


def modes_conductance(mode_energies_eV, degeneracies, electrons: Electrons, *,
                      hbar_omega_eV=0.0, energy_scale=1.0) -> ConductanceResult:
    """Landauer–Büttiker conductance of an arbitrary ladder of transverse modes.

    The counting of :func:`circular_conductance` for mode edges ``energy_scale * E_k``, e.g.
    the Dirichlet modes of a non-circular section (:mod:`apcfem.section_modes`).  A section
    scaled to area ``A`` has edges ``E_k(A_ref) A_ref / A``: pass ``energy_scale = A_ref / A``.
    The fields of ``electrons`` (its effective mass is not used: the edges are given in eV),
    ``hbar_omega_eV`` and ``energy_scale`` broadcast against each other; the ladder is shared
    by all points.  Modes above the ladder are taken as closed.

    Args:
        mode_energies_eV: Mode edges ``E_k`` (1-D, any order) [eV].
        degeneracies: Orbital degeneracy of each edge (spin not included) [dimensionless].
        electrons: Electrons and conditions.
        hbar_omega_eV: Saddle-point energy ``hbar*omega`` of every mode (0 = abrupt) [eV].
        energy_scale: Factor applied to every edge [dimensionless].

    Returns:
        Conductance [G0] and open channels, with the broadcast shape of the arguments.

    Raises:
        ValueError: If an argument is out of range, or if the ladder ends less than
            ``_COVER_WIDTHS`` smearing widths above the bias window (modes missing from the
            ladder would then contribute more than ``e^-10`` each).
    """
    energies, degeneracy = (np.asarray(v, dtype=float) for v in (mode_energies_eV, degeneracies))
    if energies.ndim != 1 or energies.size == 0 or degeneracy.shape != energies.shape:
        raise ValueError("mode_energies_eV and degeneracies must be 1-D, non-empty, same length")
    _check("mode_energies_eV", energies)
    _check("degeneracies", degeneracy, positive=True)
    scale = np.asarray(energy_scale, dtype=float)
    _check("energy_scale", scale, positive=True)
    shape, p = _points(scale, electrons, hbar_omega_eV)
    order = np.argsort(energies, kind="stable")
    modes = _ModeArrays(energies[order], degeneracy[order],
                        np.concatenate(([0.0], np.cumsum(degeneracy[order]))))
    needed = np.max((p.centre + p.zeeman + 0.5 * p.smearing.width
                     + _COVER_WIDTHS * p.smearing.s_broad) / p.unit, initial=0.0)
    if needed > modes.j2[-1]:
        raise ValueError(f"the mode ladder ends at {modes.j2[-1]:.4g} eV (times energy_scale), "
                         f"below the window top {needed:.4g} eV: supply more modes")
    conductance, channels = _count(p, modes)
    return ConductanceResult(G_G0=conductance.reshape(shape), channels=channels.reshape(shape))


