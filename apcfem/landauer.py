"""Landauer–Büttiker conductance of a free-electron filament neck with a circular section.

The narrowest section of a conductive filament (radius ``a``) is modelled as a hard-wall circular
waveguide.  Its transverse modes have edges ``E_mn = hbar^2 j_mn^2 / (2 m* a^2)`` with ``j_mn`` the
``n``-th zero of the Bessel function ``J_m``; modes with ``m != 0`` are doubly degenerate (``±m``)
and every mode carries two spin channels, each worth ``G0/2`` where ``G0 = 2e^2/h``.

Per spin channel the conductance is the transmission ``T_n(E)`` averaged over the bias/thermal
window.  Every ingredient is a probability distribution in energy, so the open fraction of one
channel is the cumulative distribution of a sum of independent random energies, evaluated at
``eps = mu_c - E_n`` (``mu_c`` = centre of the bias window):

* saddle-point transmission (Büttiker, PRB 41, 7906 (1990)): logistic of scale ``hbar*omega/2pi``
  (a step for an abrupt neck, ``hbar*omega = 0``);
* Fermi smearing, ``-df/dE``: logistic of scale ``k_B T``;
* finite bias, ``[f_L - f_R]/(eV)`` at ``T = 0``: uniform on ``[mu_R, mu_L]`` of width ``|eV|``.

Step, uniform and a single logistic combine in closed form (Fermi function, ramp, softplus
difference).  Two logistics (``T > 0`` and ``hbar*omega > 0``) are integrated numerically over the
sharper one with a sinh-mapped trapezoidal rule, which converges far faster than Gauss–Legendre
for these tails.  Only modes whose edge lies within ``_TAIL_WIDTHS`` smearing widths of the bias
window are evaluated; lower modes are counted as fully open from the sorted mode table.
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy import constants as const
from scipy.special import expit, jn_zeros

G0_S: float = 2.0 * const.e**2 / const.h
"""Conductance quantum 2e^2/h [S]."""

_HBAR2_2ME_EV_M2 = const.hbar**2 / (2.0 * const.m_e * const.e)  # hbar^2/(2 m_e) [eV m^2]
_KB_EV = const.k / const.e  # Boltzmann constant [eV/K]
_MUB_EV = const.physical_constants["Bohr magneton in eV/T"][0]  # [eV/T]

_TAIL_WIDTHS = 40.0  # a logistic tail beyond 40 widths is below e^-40 ~ 4e-18
_EXPM1_SAFE = 600.0  # largest bias/smearing ratio evaluated with expm1 (overflow near 709)
_K_LIMIT = 1000.0  # largest k_F a served by the mode table (~1.25e5 modes); use Torres beyond
_TABLE_STEP = 8.0  # the mode table is cached in k_F a steps of this size

_BIAS, _LOGISTIC, _QUADRATURE = 1, 2, 4  # bit flags selecting the per-channel kernel
_CHUNK = 1 << 16  # points per block: keeps the work arrays in cache and memory bounded


def _sinh_trapezoid_rule(n_pairs: int = 12, u_max: float = 28.0):
    """Symmetric rule for ``∫ g(u) ρ(u) du`` with the logistic density ``ρ(u) = σ(u) σ(-u)``.

    Trapezoidal rule in ``t`` with ``u = π sinh t`` (a double-exponential type rule): the
    integrand is analytic in a strip around the real axis, so the error falls like
    ``exp(-π²/h)``.  For ``g(u) = σ(ε - r u)`` with ``0 < r ≤ 1`` the worst error over all
    ``ε`` is 4e-7 (it occurs in the tails, ``|ε| ≈ 10``; near ``ε = 0`` it is ~1e-12), whereas
    Gauss–Legendre in ``σ(u)`` or in ``t`` needs 24 nodes for 1e-4 or 5e-6.  The truncated mass
    beyond ``u_max`` is ``~e^-28 ≈ 7e-13``; weights are renormalised to sum to one exactly so
    that plateaus stay exactly integer.

    Args:
        n_pairs: Number of node pairs ``±u_k`` besides the centre node.
        u_max: Largest node [units of the logistic scale].

    Returns:
        Positive nodes ``u_k``, their weights (each of the pair ``±u_k`` has this weight) and the
        weight of the centre node ``u = 0``.
    """
    t = np.linspace(0.0, np.arcsinh(u_max / np.pi), n_pairs + 1)
    u = np.pi * np.sinh(t)
    weights = np.pi * np.cosh(t) * expit(u) * expit(-u)
    norm = weights[0] + 2.0 * weights[1:].sum()
    return u[1:], weights[1:] / norm, weights[0] / norm


_PAIR_U, _PAIR_W, _CENTRE_W = _sinh_trapezoid_rule()


@dataclass(frozen=True)
class ConductanceResult:
    """Conductance of a neck.

    Attributes:
        G_G0: Conductance ``I/V`` (linear response at ``V = 0``) [G0 = 2e^2/h].
        channels: Number of channels with transmission > 0.5 at ``E_F``; each spin channel counts
            0.5 so that ``channels`` is directly comparable with ``G_G0`` [dimensionless].
    """

    G_G0: np.ndarray
    channels: np.ndarray


def circular_mode_table(k_max: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All transverse modes of a hard-wall disc with ``j_mn < k_max``, sorted by ``j_mn``.

    Args:
        k_max: Upper bound on the Bessel zero, i.e. on ``k a`` [dimensionless].

    Returns:
        ``(j, degeneracy, m, n)``: Bessel zeros ``j_mn`` [dimensionless], orbital degeneracy
        (1 for ``m = 0``, 2 for ``±m``; spin not included), angular index ``m >= 0`` and radial
        index ``n >= 1``.
    """
    zeros, m_index, n_index = [], [], []
    for m in range(int(np.ceil(k_max))):  # j_m1 > m: no zero of a higher order lies below k_max
        z = _bessel_zeros_below(m, k_max)
        if z.size == 0:
            break
        zeros.append(z)
        m_index.append(np.full(z.size, m))
        n_index.append(np.arange(1, z.size + 1))
    if not zeros:
        empty = np.empty(0, dtype=int)
        return np.empty(0), empty, empty, empty
    j, m_all, n_all = (np.concatenate(v) for v in (zeros, m_index, n_index))
    order = np.argsort(j, kind="stable")
    m_all = m_all[order]
    return j[order], np.where(m_all == 0, 1, 2), m_all, n_all[order]


def _bessel_zeros_below(m: int, k_max: float) -> np.ndarray:
    """Zeros of ``J_m`` below ``k_max`` [dimensionless]."""
    count = int(k_max / np.pi) + 2  # McMahon: j_mn ≈ (n + m/2 - 1/4) π, so this normally suffices
    z = jn_zeros(m, count)
    while z[-1] < k_max:
        count *= 2
        z = jn_zeros(m, count)
    return z[z < k_max]


class _ModeArrays(NamedTuple):
    """Sorted mode table in the layout used by the sums."""

    j2: np.ndarray  # j_mn^2, ascending
    degeneracy: np.ndarray  # orbital degeneracy (float)
    cumulative: np.ndarray  # cumulative[i] = sum(degeneracy[:i]); length len(j2) + 1


@lru_cache(maxsize=8)
def _mode_arrays(k_cap: float) -> _ModeArrays:
    """Cached mode table up to ``k_cap``."""
    j, degeneracy, _, _ = circular_mode_table(k_cap)
    cumulative = np.concatenate(([0.0], np.cumsum(degeneracy, dtype=float)))
    return _ModeArrays(j * j, degeneracy.astype(float), cumulative)


def _k_bound(k2_max: float) -> float:
    """``sqrt(k2_max)`` after checking it against the mode-table limit [dimensionless]."""
    k_max = float(np.sqrt(max(k2_max, 0.0)))
    if k_max > _K_LIMIT:
        raise ValueError(
            f"k a = {k_max:.0f} exceeds {_K_LIMIT:.0f}; the neck is classical, use "
            "torres_conductance_G0"
        )
    return k_max


def _modes_up_to(k2_max: float) -> _ModeArrays:
    """Mode table containing every ``j_mn`` with ``j_mn^2 <= k2_max``."""
    return _mode_arrays(_TABLE_STEP * (np.floor(_k_bound(k2_max) / _TABLE_STEP) + 1.0))


class _Smearing(NamedTuple):
    """Per-point energy scales [eV]: broad and sharp logistic scales, bias-window width."""

    s_broad: np.ndarray
    s_sharp: np.ndarray
    width: np.ndarray

    def select(self, index) -> "_Smearing":
        """Scales of the points picked by ``index`` (slice, mask or integer array)."""
        return _Smearing(*(v[index] for v in self))


def _softplus_difference(a: np.ndarray, d: np.ndarray) -> np.ndarray:
    """``ln(1 + e^a) - ln(1 + e^(a - d))`` for ``d >= 0`` without cancellation.

    Uses ``ln(1 + σ(a - d)(e^d - 1))``, exact for small ``d``; beyond ``_EXPM1_SAFE`` the plain
    difference is accurate relative to its size ``~d``.
    """
    out = np.log1p(expit(a - d) * np.expm1(np.minimum(d, _EXPM1_SAFE)))
    large = d > _EXPM1_SAFE
    if np.any(large):
        out = np.where(large, np.logaddexp(0.0, a) - np.logaddexp(0.0, a - d), out)
    return out


def _open_fraction_closed(eps: np.ndarray, scale, width, kind: int) -> np.ndarray:
    """Open fraction of one spin channel with at most one logistic scale (closed forms).

    Args:
        eps: Centre of the bias window minus the channel edge [eV].
        scale: Logistic scale ``k_B T`` or ``hbar*omega/2π`` [eV]; used if ``kind & _LOGISTIC``.
        width: Bias-window width ``|eV|`` [eV]; used if ``kind & _BIAS``.
        kind: Combination of ``_BIAS`` and ``_LOGISTIC``.

    Returns:
        Fraction in [0, 1] [dimensionless].
    """
    if kind == 0:
        return np.heaviside(eps, 0.5)
    if kind == _BIAS:
        return np.clip(eps / width + 0.5, 0.0, 1.0)
    if kind == _LOGISTIC:
        return expit(eps / scale)
    # (1/eV) ∫_{mu_R}^{mu_L} σ((E - E_n)/s) dE = (s/eV)[softplus((mu_L - E_n)/s) - (mu_R ...)]
    ratio = width / scale
    return _softplus_difference((eps + 0.5 * width) / scale, ratio) / ratio


def _two_logistic_fraction(z: np.ndarray, two_cosh: np.ndarray) -> np.ndarray:
    """``∫ σ(z - r u) ρ(u) du`` on the symmetric rule, with ``two_cosh[k] = 2 cosh(r u_k)``.

    A node pair sums in closed form, ``σ(z - c) + σ(z + c) = (2 + e Y)/(1 + e Y + e²)`` with
    ``e = exp(-z)`` and ``Y = 2 cosh c``: one exponential per call instead of one per node, and
    all terms positive (no cancellation).  ``|z| <= 300`` keeps ``e²`` finite and changes the
    result by less than ``e^-260``.
    """
    e = np.exp(-np.clip(z, -300.0, 300.0))
    d = 1.0 + e * e
    total = _CENTRE_W / (1.0 + e)
    for weight, y in zip(_PAIR_W, two_cosh, strict=True):
        t = e * y
        total += weight * (2.0 + t) / (t + d)
    return total


class _ChannelKernel:
    """Open fraction ``∫ T(E) W(E) dE`` of one spin channel for a fixed set of points.

    The transmission ``T`` and window ``W`` are combined as described in the module docstring.
    With two logistic scales the sharper one is integrated numerically (``_PAIR_U``), the rest
    is closed-form, so the integrand is smooth on the scale of the quadrature.
    """

    def __init__(self, smearing: _Smearing, kind: int):
        """Precompute per-point quadrature factors.

        Args:
            smearing: Energy scales of the points [eV].
            kind: Kernel flags shared by all points.
        """
        self.smearing = smearing
        self.kind = kind
        if kind & _QUADRATURE and kind & _BIAS:
            self.offsets = np.multiply.outer(_PAIR_U, smearing.s_sharp)  # [eV]
        elif kind & _QUADRATURE:
            ratio = smearing.s_sharp / smearing.s_broad
            self.two_cosh = 2.0 * np.cosh(np.multiply.outer(_PAIR_U, ratio))

    def __call__(self, eps: np.ndarray, n: int | None = None) -> np.ndarray:
        """Open fraction [0..1] at ``eps = mu - E_edge`` [eV] for the first ``n`` points."""
        s = self.smearing if n is None else self.smearing.select(slice(n))
        if not self.kind & _QUADRATURE:
            return _open_fraction_closed(eps, s.s_broad, s.width, self.kind)
        if not self.kind & _BIAS:
            return _two_logistic_fraction(eps / s.s_broad, self.two_cosh[:, :n])
        closed = self.kind & ~_QUADRATURE
        total = _CENTRE_W * _open_fraction_closed(eps, s.s_broad, s.width, closed)
        for weight, offset in zip(_PAIR_W, self.offsets[:, :n], strict=True):
            total += weight * (_open_fraction_closed(eps - offset, s.s_broad, s.width, closed)
                               + _open_fraction_closed(eps + offset, s.s_broad, s.width, closed))
        return total


def _window_half_width(smearing: _Smearing) -> np.ndarray:
    """Half-width around ``mu_c`` outside which a channel is fully open or closed [eV]."""
    return 0.5 * smearing.width + _TAIL_WIDTHS * smearing.s_broad


def _kernel_kind(smearing: _Smearing) -> np.ndarray:
    """Per-point kernel flags (``_BIAS | _LOGISTIC | _QUADRATURE``)."""
    return (
        _BIAS * (smearing.width > 0)
        + _LOGISTIC * (smearing.s_broad > 0)
        + _QUADRATURE * (smearing.s_sharp > 0)
    )


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


def _check(name: str, value: np.ndarray, *, positive: bool = False, upper: float | None = None):
    """Raise ``ValueError`` unless ``value`` is finite, >= 0 (> 0 if ``positive``), <= ``upper``."""
    bad = ~np.isfinite(value) | ((value <= 0) if positive else (value < 0))
    if upper is not None:
        bad |= value > upper
    if np.any(bad):
        raise ValueError(f"{name} out of range: {np.asarray(value)[bad].ravel()[:3]}")


def _points(radius_m, fermi_energy_eV, effective_mass_me, temperature_K, bias_V, beta,
            field_T, g_factor, hbar_omega_eV) -> tuple[tuple, _Points]:
    """Validate the physics arguments and flatten them to their broadcast shape.

    Derived quantities are formed before broadcasting, so scalar arguments never become
    full-size arrays (they are flattened as zero-stride views).

    Returns:
        Broadcast shape and flattened points.
    """
    a, e_f, mass, temp, bias, frac, field, g, hbar_omega = (np.asarray(v, dtype=float) for v in (
        radius_m, fermi_energy_eV, effective_mass_me, temperature_K, bias_V, beta, field_T,
        g_factor, hbar_omega_eV))
    for name, value in (("radius_m", a), ("fermi_energy_eV", e_f), ("effective_mass_me", mass)):
        _check(name, value, positive=True)
    _check("temperature_K", temp)
    _check("hbar_omega_eV", hbar_omega)
    _check("beta", frac, upper=1.0)
    _check("bias_V", np.abs(bias))
    _check("field_T and g_factor", np.abs(g * field))
    shape = np.broadcast_shapes(a.shape, e_f.shape, mass.shape, temp.shape, bias.shape,
                                frac.shape, field.shape, g.shape, hbar_omega.shape)

    def flat(value):
        return np.broadcast_to(value, shape).reshape(-1)

    kt = _KB_EV * temp
    s_saddle = hbar_omega / (2.0 * np.pi)  # T_n = σ(2π(E - E_n)/hbar ω), Büttiker (1990)
    smearing = _Smearing(flat(np.maximum(kt, s_saddle)), flat(np.minimum(kt, s_saddle)),
                         flat(np.abs(bias)))
    return shape, _Points(
        unit=flat(_HBAR2_2ME_EV_M2 / (mass * a * a)),
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


def _conductance_flat(p: _Points) -> np.ndarray:
    """Conductance of flattened points, block by block [G0]."""
    k2_max = np.max((p.centre + p.zeeman + _window_half_width(p.smearing)) / p.unit,
                    initial=0.0)
    modes = _modes_up_to(k2_max)
    total = np.empty(p.unit.size)
    for start in range(0, total.size, _CHUNK):
        block = slice(start, start + _CHUNK)
        total[block] = _conductance_block(p.select(block), modes)
    return total


def _channels_flat(p: _Points) -> np.ndarray:
    """Open channels at E_F, each spin channel counting 0.5 [dimensionless]."""
    modes = _modes_up_to(np.max((p.fermi + p.zeeman) / p.unit, initial=0.0))

    def open_below(energy):
        return modes.cumulative[np.searchsorted(modes.j2, np.maximum(energy, 0.0) / p.unit)]

    if not np.any(p.zeeman):
        return open_below(p.fermi)
    return 0.5 * (open_below(p.fermi + p.zeeman) + open_below(p.fermi - p.zeeman))


def circular_conductance(
    radius_m,
    *,
    fermi_energy_eV,
    effective_mass_me=1.0,
    temperature_K=0.0,
    bias_V=0.0,
    beta=0.5,
    field_T=0.0,
    g_factor=2.0,
    hbar_omega_eV=0.0,
) -> ConductanceResult:
    """Landauer–Büttiker conductance of a circular free-electron neck.

    ``G = (G0/2) Σ_{n,σ} g_n ∫ T_n(E - σ g µ_B B/2) [f_L(E) - f_R(E)] dE / (eV)`` with
    ``mu_L = E_F + β eV`` and ``mu_R = E_F - (1 - β) eV``; at ``V = 0`` the linear response
    ``(G0/2) Σ ∫ T_n (-∂f/∂E) dE``.  All arguments broadcast against each other.

    Args:
        radius_m: Neck radius ``a`` [m].
        fermi_energy_eV: Fermi energy measured from the band bottom [eV].
        effective_mass_me: Effective mass [m_e].
        temperature_K: Electron temperature [K].
        bias_V: Bias voltage [V]; the result is then ``I/V``.
        beta: Fraction of the bias dropped on the left contact [dimensionless, 0..1].
        field_T: Magnetic field for the Zeeman splitting [T].
        g_factor: Electron g-factor [dimensionless].
        hbar_omega_eV: Saddle-point curvature energy ``hbar*omega`` (0 = abrupt step) [eV]; see
            :func:`saddle_hbar_omega_eV`, evaluated at ``E_F`` for the modes that matter.

    Returns:
        Conductance and channel count, both with the broadcast shape of the arguments.

    Raises:
        ValueError: If an argument is out of range or ``k_F a`` exceeds the mode-table limit.
    """
    shape, p = _points(radius_m, fermi_energy_eV, effective_mass_me, temperature_K, bias_V,
                       beta, field_T, g_factor, hbar_omega_eV)
    return ConductanceResult(
        G_G0=_conductance_flat(p).reshape(shape),
        channels=_channels_flat(p).reshape(shape),
    )


def circular_mode_transmissions(
    radius_m: float,
    *,
    fermi_energy_eV: float,
    effective_mass_me: float = 1.0,
    temperature_K: float = 0.0,
    bias_V: float = 0.0,
    beta: float = 0.5,
    field_T: float = 0.0,
    g_factor: float = 2.0,
    hbar_omega_eV: float = 0.0,
) -> list[dict]:
    """Per-mode contributions for one neck, for reports.

    Lists every mode with an edge below the upper end of the smeared bias window (at least the
    lowest mode).  ``transmission`` is the spin-averaged, window-averaged open fraction, so that
    ``Σ degeneracy * transmission`` equals ``circular_conductance(...).G_G0``.

    Args:
        radius_m: Neck radius [m].
        fermi_energy_eV: Fermi energy [eV].
        effective_mass_me: Effective mass [m_e].
        temperature_K: Temperature [K].
        bias_V: Bias voltage [V].
        beta: Fraction of the bias on the left contact [dimensionless].
        field_T: Magnetic field [T].
        g_factor: Electron g-factor [dimensionless].
        hbar_omega_eV: Saddle-point energy ``hbar*omega`` [eV].

    Returns:
        Dicts with ``m``, ``n``, ``degeneracy``, ``E_n_eV`` [eV] and ``transmission`` [0..1].
    """
    args = (radius_m, fermi_energy_eV, effective_mass_me, temperature_K, bias_V, beta, field_T,
            g_factor, hbar_omega_eV)
    if any(np.ndim(v) for v in args):
        raise ValueError("circular_mode_transmissions takes scalars; use circular_conductance")
    _, p = _points(*args)
    top = float(((p.centre + p.zeeman + _window_half_width(p.smearing)) / p.unit)[0])
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


def circular_current_A(
    bias_V,
    radius_m,
    *,
    fermi_energy_eV,
    effective_mass_me=1.0,
    temperature_K=0.0,
    beta=0.5,
    field_T=0.0,
    g_factor=2.0,
    hbar_omega_eV=0.0,
) -> np.ndarray:
    """Landauer current ``I = (2e/h)(1/2) Σ_{n,σ} ∫ T_n [f_L - f_R] dE`` through the neck.

    Args:
        bias_V: Bias voltage ``V`` [V].
        radius_m: Neck radius [m].
        fermi_energy_eV: Fermi energy [eV].
        effective_mass_me: Effective mass [m_e].
        temperature_K: Temperature [K].
        beta: Fraction of the bias on the left contact [dimensionless].
        field_T: Magnetic field [T].
        g_factor: Electron g-factor [dimensionless].
        hbar_omega_eV: Saddle-point energy ``hbar*omega`` [eV].

    Returns:
        Current [A], broadcast over all arguments.
    """
    result = circular_conductance(
        radius_m, fermi_energy_eV=fermi_energy_eV, effective_mass_me=effective_mass_me,
        temperature_K=temperature_K, bias_V=bias_V, beta=beta, field_T=field_T,
        g_factor=g_factor, hbar_omega_eV=hbar_omega_eV,
    )
    return G0_S * result.G_G0 * np.asarray(bias_V, dtype=float)


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


def torres_conductance_G0(radius_m, *, fermi_energy_eV, effective_mass_me=1.0) -> np.ndarray:
    """Semiclassical conductance of a circular contact, ``(k_F a/2)^2 (1 - 2/(k_F a))``.

    Sharvin's ``(k_F a/2)^2`` with the first quantum (perimeter) correction of J. A. Torres,
    J. I. Pascual and J. J. Sáenz, PRB 49, 16581 (1994); see also N. Agraït, A. Levy Yeyati and
    J. M. van Ruitenbeek, Phys. Rep. 377, 81 (2003).  It equals the two-term Weyl count of
    Dirichlet disc modes, ``A k^2/4π - L k/4π``, i.e. the smooth part of the T = 0 staircase.
    Negative values (``k_F a < 2``, outside the asymptotic regime) are clipped to zero.

    Args:
        radius_m: Contact radius [m].
        fermi_energy_eV: Fermi energy [eV].
        effective_mass_me: Effective mass [m_e].

    Returns:
        Conductance [G0].
    """
    radius, fermi, mass = (np.asarray(v, dtype=float)
                           for v in (radius_m, fermi_energy_eV, effective_mass_me))
    for name, value in (("radius_m", radius), ("fermi_energy_eV", fermi),
                        ("effective_mass_me", mass)):
        _check(name, value, positive=True)
    kf_a = radius * np.sqrt(fermi * mass / _HBAR2_2ME_EV_M2)
    return np.maximum(0.25 * kf_a**2 * (1.0 - 2.0 / kf_a), 0.0)


def saddle_hbar_omega_eV(mode_energy_eV, radius_m, curvature_per_m, effective_mass_me=1.0):
    """Saddle-point energy ``hbar*omega_n`` of a neck ``a(z) ≈ a0 + a'' z^2 / 2``.

    The adiabatic edge ``E_n(z) = E_n0 (a0/a(z))^2 ≈ E_n0 - E_n0 (a''/a0) z^2`` is an inverted
    parabola ``E_n0 - m* omega_n^2 z^2 / 2`` with ``m* omega_n^2 = 2 E_n0 a''/a0`` (Glazman et
    al., JETP Lett. 48, 238 (1988); Büttiker, PRB 41, 7906 (1990)).

    Args:
        mode_energy_eV: Mode edge ``E_n0`` at the neck (``≈ E_F`` for the modes that matter) [eV].
        radius_m: Neck radius ``a0`` [m].
        curvature_per_m: Longitudinal curvature ``a''`` at the neck [1/m].
        effective_mass_me: Effective mass [m_e].

    Returns:
        ``hbar*omega_n`` [eV], broadcast over the arguments.
    """
    energy, radius, curvature, mass = (np.asarray(v, dtype=float) for v in (
        mode_energy_eV, radius_m, curvature_per_m, effective_mass_me))
    _check("mode_energy_eV", energy)
    _check("radius_m", radius, positive=True)
    _check("curvature_per_m", curvature)
    _check("effective_mass_me", mass, positive=True)
    # (hbar omega)^2 = hbar^2 * 2 E a''/(a m*) = 4 (hbar^2/2m_e) E a''/(a m*)
    return np.sqrt(4.0 * _HBAR2_2ME_EV_M2 * energy * curvature / (radius * mass))
