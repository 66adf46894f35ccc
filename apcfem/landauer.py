"""Landauer–Büttiker conductance of a free-electron filament neck.

The narrowest section of a conductive filament (radius ``a``) is modelled as a hard-wall circular
waveguide.  Its transverse modes have edges ``E_mn = hbar^2 j_mn^2 / (2 m* a^2)`` with ``j_mn`` the
``n``-th zero of the Bessel function ``J_m``; modes with ``m != 0`` are doubly degenerate (``±m``)
and every mode carries two spin channels, each worth ``G0/2`` where ``G0 = 2e^2/h``.  Any other
ladder of mode edges (e.g. the Dirichlet modes of a non-circular section computed by
:mod:`apcfem.section_modes`) is counted the same way by :func:`modes_conductance`.

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

Beyond the saddle-point form, :func:`profile_conductance` follows each mode adiabatically
through a whole radius profile ``a(z)`` and solves its 1-D barrier ``E_n(z)`` exactly on
piecewise-constant slices (transfer matrix), including tunnelling through a broken filament.
:func:`strained_neck` maps an axial strain onto the radius, length and Fermi energy, and
:func:`zeeman_critical_field_T` gives the field at which the first step splits into half steps.
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy import constants as const
from scipy.special import expit, jn_zeros, spence

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


def _circular_unit(radius_m, effective_mass_me) -> np.ndarray:
    """Validated ``hbar^2/(2 m* a^2)``, the edge energy per ``j^2`` of a circular neck [eV]."""
    a, mass = (np.asarray(v, dtype=float) for v in (radius_m, effective_mass_me))
    _check("radius_m", a, positive=True)
    _check("effective_mass_me", mass, positive=True)
    return _HBAR2_2ME_EV_M2 / (mass * a * a)


def _points(unit, fermi_energy_eV, temperature_K, bias_V, beta, field_T, g_factor,
            hbar_omega_eV) -> tuple[tuple, _Points]:
    """Validate the physics arguments and flatten them to their broadcast shape.

    Derived quantities are formed before broadcasting, so scalar arguments never become
    full-size arrays (they are flattened as zero-stride views).

    Args:
        unit: Mode-edge energy per unit of the mode ladder (``hbar^2/(2 m* a^2)`` for Bessel
            zeros squared, a dimensionless scale for ladders given in eV) [eV].
        fermi_energy_eV: Fermi energy [eV].
        temperature_K: Temperature [K].
        bias_V: Bias voltage [V].
        beta: Fraction of the bias on the left contact [dimensionless].
        field_T: Magnetic field [T].
        g_factor: Electron g-factor [dimensionless].
        hbar_omega_eV: Saddle-point energy [eV].

    Returns:
        Broadcast shape and flattened points.
    """
    unit, e_f, temp, bias, frac, field, g, hbar_omega = (np.asarray(v, dtype=float) for v in (
        unit, fermi_energy_eV, temperature_K, bias_V, beta, field_T, g_factor, hbar_omega_eV))
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
    shape, p = _points(_circular_unit(radius_m, effective_mass_me), fermi_energy_eV,
                       temperature_K, bias_V, beta, field_T, g_factor, hbar_omega_eV)
    conductance, channels = _count(p, _modes_up_to(np.max(_window_top(p) / p.unit, initial=0.0)))
    return ConductanceResult(G_G0=conductance.reshape(shape), channels=channels.reshape(shape))


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
    physics = (fermi_energy_eV, temperature_K, bias_V, beta, field_T, g_factor, hbar_omega_eV)
    if any(np.ndim(v) for v in (radius_m, effective_mass_me, *physics)):
        raise ValueError("circular_mode_transmissions takes scalars; use circular_conductance")
    _, p = _points(_circular_unit(radius_m, effective_mass_me), *physics)
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


# ------------------------------------------------------------------------- generic mode ladders
_COVER_WIDTHS = 10.0  # a given ladder must reach this many smearing widths above the window


def modes_conductance(
    mode_energies_eV,
    degeneracies,
    *,
    fermi_energy_eV,
    temperature_K=0.0,
    bias_V=0.0,
    beta=0.5,
    field_T=0.0,
    g_factor=2.0,
    hbar_omega_eV=0.0,
    energy_scale=1.0,
) -> ConductanceResult:
    """Landauer–Büttiker conductance of an arbitrary ladder of transverse modes.

    The counting of :func:`circular_conductance` for mode edges ``energy_scale * E_k``, e.g.
    the Dirichlet modes of a non-circular section (:mod:`apcfem.section_modes`).  A section
    scaled to area ``A`` has edges ``E_k(A_ref) A_ref / A``: pass ``energy_scale = A_ref / A``.
    The physics arguments and ``energy_scale`` broadcast against each other; the ladder is
    shared by all points.  Modes above the ladder are taken as closed.

    Args:
        mode_energies_eV: Mode edges ``E_k`` (1-D, any order) [eV].
        degeneracies: Orbital degeneracy of each edge (spin not included) [dimensionless].
        fermi_energy_eV: Fermi energy [eV].
        temperature_K: Temperature [K].
        bias_V: Bias voltage [V].
        beta: Fraction of the bias on the left contact [dimensionless, 0..1].
        field_T: Magnetic field [T].
        g_factor: Electron g-factor [dimensionless].
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
    shape, p = _points(scale, fermi_energy_eV, temperature_K, bias_V, beta, field_T, g_factor,
                       hbar_omega_eV)
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


# ------------------------------------------------------------------------ Zeeman critical field
_BISECTIONS = 60  # halvings of the bracket [0, _TAIL_WIDTHS s]: far below double precision


def zeeman_critical_field_T(temperature_K, *, g_factor=2.0, hbar_omega_eV=0.0) -> np.ndarray:
    """Field above which the first conductance step splits into two half steps.

    Across one spin-degenerate edge, ``dG/dE_F`` is the smearing density ``p`` = thermal
    window ``-∂f/∂E`` (logistic of scale ``k_BT``) convolved with the saddle-point step
    derivative (logistic of scale ``hbar*omega/2π``, Büttiker PRB 41, 7906 (1990)).  A field
    splits the edge into ``±Δ/2``, ``Δ = g µ_B B``, and ``dG/dE_F = [p(x - Δ/2) + p(x + Δ/2)]/2``
    develops a minimum at the midpoint, i.e. a 0.5 G0 half plateau, once ``Δ/2`` passes the
    inflection point ``x*`` of ``p`` (``p''(x*) = 0``).  Hence ``B_c = 2 x*/(g µ_B)``.  For a
    single logistic scale ``s``, ``p'' ∝ ρ(1 - 6ρ)`` with ``ρ = σ(u)σ(-u)``, so
    ``x* = s ln(2 + √3)`` and ``g µ_B B_c = 2.63 s``: 2.63 k_BT for an abrupt neck; the half
    plateau is well formed once the splitting reaches the FWHM of ``-∂f/∂E``, 3.53 k_BT
    (about 1.34 B_c).  With both scales ``x*`` is found by bisection on the convolution.

    In metal necks ``g µ_B B`` (0.8 meV at 7 T) is tiny against ``E_F``, but the criterion
    involves only ``k_BT`` and ``hbar*omega``; a heavy, low-density channel helps through a
    small ``hbar*omega`` (:func:`saddle_hbar_omega_eV` scales as ``sqrt(E_F / m*)``).

    Args:
        temperature_K: Electron temperature [K].
        g_factor: Electron g-factor [dimensionless, > 0].
        hbar_omega_eV: Saddle-point energy ``hbar*omega`` of the neck (0 = abrupt) [eV].

    Returns:
        Critical field ``B_c`` [T] (0 for an abrupt neck at 0 K), broadcast over the arguments.
    """
    temp, g, hbar_omega = (np.asarray(v, dtype=float)
                           for v in (temperature_K, g_factor, hbar_omega_eV))
    _check("temperature_K", temp)
    _check("g_factor", g, positive=True)
    _check("hbar_omega_eV", hbar_omega)
    kt, s_saddle = np.broadcast_arrays(_KB_EV * temp, hbar_omega / (2.0 * np.pi))
    broad, sharp = np.maximum(kt, s_saddle), np.minimum(kt, s_saddle)
    safe = np.where(broad > 0, broad, 1.0)
    ratio = (sharp / safe)[..., None]  # sharp scale in units of the broad one
    nodes = np.concatenate((-_PAIR_U, [0.0], _PAIR_U))
    weights = np.concatenate((_PAIR_W, [_CENTRE_W], _PAIR_W))

    def curvature_sign(x):  # sign of p''(x), x in units of the broad scale
        rho = expit(x[..., None] - ratio * nodes)
        rho = rho * (1.0 - rho)
        return np.sum(weights * rho * (1.0 - 6.0 * rho), axis=-1)

    lo, hi = np.zeros(broad.shape), np.full(broad.shape, _TAIL_WIDTHS)
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        concave = curvature_sign(mid) < 0
        lo, hi = np.where(concave, mid, lo), np.where(concave, hi, mid)
    return (lo + hi) * np.where(broad > 0, broad, 0.0) / (g * _MUB_EV)  # 2 x* / (g µ_B)


# ------------------------------------------------------------------------------------- strain
def strained_neck(radius_m, length_m, strain, *, poisson_ratio, fermi_energy_eV,
                  mode="elastic") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Radius, length and Fermi energy of a neck under an axial strain ``ε``.

    * ``"elastic"``: ``a → a(1 - νε)``, ``L → L(1 + ε)`` (uniaxial stress, Poisson ratio ν);
    * ``"plastic"``: volume-conserving thinning, ``a → a/sqrt(1 + ε)``, ``L → L(1 + ε)``.

    The free-electron Fermi energy follows the electron density, ``E_F ∝ n^{2/3}`` with
    ``n ∝ 1/volume``: ``E_F → E_F (V/V')^{2/3}``, ``V'/V = (a'/a)^2 (L'/L)``.  To first order
    this is the deformation potential ``ΔE_F = -(2/3) E_F ε_V`` with volumetric strain
    ``ε_V = (1 - 2ν) ε`` (elastic) or 0 (plastic: ``E_F`` unchanged).

    Derivation of the quantized-conductance sensitivity: ``k_F ∝ sqrt(E_F) ∝ n^{1/3}``, so
    ``d ln(k_F a)/dε = (1/3) d ln n/dε + d ln a/dε``.  Elastic: ``d ln n/dε = -(1 - 2ν)`` and
    ``d ln a/dε = -ν`` give ``d ln(k_F a)/dε = -(1 - 2ν)/3 - ν = -(1 + ν)/3`` at ``ε = 0``
    (-0.48 for Au, ν = 0.44): stretching closes channels, as the radius shrinks faster than
    the density-driven ``k_F`` drop can compensate.  Plastic: ``d ln(k_F a)/dε = -1/(2(1+ε))``.

    Args:
        radius_m: Radius or radius profile ``a`` [m].
        length_m: Length, or axial coordinates (every axial length scales alike) [m].
        strain: Axial engineering strain ``ε`` (> -1; elastic also needs ``νε < 1``)
            [dimensionless].
        poisson_ratio: Poisson ratio ``ν`` of the filament (used for ``"elastic"``)
            [dimensionless].
        fermi_energy_eV: Unstrained Fermi energy [eV].
        mode: ``"elastic"`` or ``"plastic"``.

    Returns:
        ``(radius [m], length [m], fermi_energy [eV])`` under strain, broadcast over the
        arguments.

    Raises:
        ValueError: If ``mode`` is unknown or the strain is out of range.
    """
    a, length, eps, nu, fermi = (np.asarray(v, dtype=float) for v in (
        radius_m, length_m, strain, poisson_ratio, fermi_energy_eV))
    _check("radius_m", a)
    _check("fermi_energy_eV", fermi, positive=True)
    _check("1 + strain", 1.0 + eps, positive=True)
    if mode == "elastic":
        radial = 1.0 - nu * eps
        _check("1 - poisson_ratio * strain", radial, positive=True)
    elif mode == "plastic":
        radial = 1.0 / np.sqrt(1.0 + eps)
    else:
        raise ValueError(f"mode must be 'elastic' or 'plastic', got {mode!r}")
    volume_ratio = radial**2 * (1.0 + eps)  # V'/V
    return a * radial, length * (1.0 + eps), fermi * volume_ratio ** (-2.0 / 3.0)


# ------------------------------------------------------------------ transfer matrix of a profile
_SLICE_PHASE = 0.2  # default slice width: k h <= 0.2 rad at the largest wavenumber
_WKB_MARGIN = 20.0  # modes whose WKB action exceeds the best mode's by more are closed (e^-40)
_MIN_DE_EV = 1e-12  # |E - V| floor: keeps the plane-wave basis regular at a slice edge [eV]
_TM_BLOCK = 1 << 16  # slices x (mode, energy) pairs per block of the transfer-matrix sweep
_WINDOW_TAIL = 25.0  # thermal tails beyond 25 k_BT hold less than e^-25 of the window
_NARROW_BIAS = 1e-4  # |eV| below this many k_BT: thermal window about the centre, error ~1e-8
_INITIAL_NODES = 65  # uniform energy nodes across the window before refinement
_REFINE_STEP = 0.02  # split energy intervals over which some T_n changes by more
_REFINE_ERROR = 1e-7  # ... unless that change times the interval's window mass is below this
_REFINE_ROUNDS = 14  # interval halvings at most (finest node spacing = 2^-14 of the first)


@dataclass(frozen=True)
class ModeTransmissions:
    """Transmission of the transverse modes of a circular-section profile.

    Attributes:
        m: Angular index of each mode (``±m`` are one entry) [dimensionless].
        n: Radial index [dimensionless].
        degeneracy: Orbital degeneracy, 1 for ``m = 0`` and 2 otherwise (spin not included).
        barrier_eV: Top of the mode's adiabatic barrier, ``max_z E_n(z)`` [eV].
        transmission: ``T_n(E)``, shape ``(modes, *energies.shape)`` [0..1].
    """

    m: np.ndarray
    n: np.ndarray
    degeneracy: np.ndarray
    barrier_eV: np.ndarray
    transmission: np.ndarray


@dataclass(frozen=True)
class ProfileConductance(ConductanceResult):
    """Conductance of a profile with its per-mode contributions.

    Attributes:
        modes: Dicts with ``m``, ``n``, ``degeneracy``, ``E_n_eV`` (barrier top) [eV] and
            ``transmission`` (spin- and window-averaged) [0..1]; ``Σ degeneracy * transmission``
            equals ``G_G0``.
    """

    modes: list


class _Slices(NamedTuple):
    """Piecewise-constant discretisation of a profile, leads included."""

    unit: np.ndarray  # hbar^2/(2 m* a^2) at the left lead, slice centres, right lead [eV]
    width: np.ndarray  # interior slice widths [m]


def _profile_slices(z_m, radius_m, effective_mass_me: float, slice_m: float) -> _Slices:
    """Split every sample interval into equal slices no wider than ``slice_m``.

    The radius is interpolated linearly and taken at the slice centres; slice edges include
    every sample, so a sharp feature (a gap edge) stays where the profile puts it.  The
    profile continues beyond its ends as uniform leads of the end radii.
    """
    z, a = (np.asarray(v, dtype=float) for v in (z_m, radius_m))
    if z.ndim != 1 or z.shape != a.shape or z.size < 2:
        raise ValueError("z_m and radius_m must be 1-D arrays of the same length >= 2")
    _check("radius_m", a)
    step = np.diff(z)
    if not np.all(np.isfinite(z)) or np.any(step <= 0):
        raise ValueError("z_m must be finite and strictly increasing")
    counts = np.ceil(step / slice_m).astype(int)
    interval = np.repeat(np.arange(step.size), counts)
    first = np.cumsum(counts) - counts
    fraction = (np.arange(interval.size) - first[interval] + 0.5) / counts[interval]
    radius = a[interval] + (a[interval + 1] - a[interval]) * fraction
    radius = np.concatenate(([a[0]], radius, [a[-1]]))
    with np.errstate(divide="ignore"):
        unit = _HBAR2_2ME_EV_M2 / (effective_mass_me * radius**2)  # inf where a = 0
    return _Slices(unit, (step / counts)[interval])


def _wavenumber(energy_eV: np.ndarray, mass: float) -> np.ndarray:
    """``k = sqrt(2 m* (E - V))/hbar`` with ``Im k >= 0`` (``iκ`` in barriers) [1/m]."""
    de = np.where(np.abs(energy_eV) < _MIN_DE_EV, _MIN_DE_EV, energy_eV)
    return np.sqrt(np.abs(de) * mass / _HBAR2_2ME_EV_M2) * np.where(de > 0, 1.0, 1j)


def _slice_transmission(potential: np.ndarray, width: np.ndarray, mode: np.ndarray,
                        energy: np.ndarray, mass: float) -> np.ndarray:
    """1-D transmission through piecewise-constant potentials for (mode, energy) pairs.

    Reflection-amplitude (generalised impedance) recursion from the right lead, where only an
    outgoing wave exists (A. N. Khondker, M. R. Khan and A. F. M. Anwar, J. Appl. Phys. 63,
    5191 (1988)): with ``ψ = a(z)[e^{ikz} + ρ(z) e^{-ikz}]``, continuity of ``ψ`` and ``ψ'`` at
    an interface maps ``ρ' → ρ = (δ + σρ')/D`` with ``σ = k + k'``, ``δ = k - k'``,
    ``D = σ + δρ'``, and ``a = a' D/(2k)``; across a slice ``ρ`` gains ``e^{2ikh}`` and ``a``
    gains ``e^{-ikh}``.  In barriers ``|e^{2ikh}| = e^{-2κh} <= 1``, so ``ρ`` stays bounded and
    the amplitude is accumulated as a sum of logarithms: no growing exponential is ever
    formed, and ``T = (k_R/k_L)|a_R/a_L|^2`` keeps full relative precision down to the
    underflow limit (unlike ``1 - |r|^2`` or plain 2×2 products through thick barriers).
    Slices are swept in blocks of ``_TM_BLOCK`` values so that the work arrays stay in cache.

    Args:
        potential: ``(modes, S + 2)`` potentials of the left lead, the ``S`` slices and the
            right lead [eV]; finite.
        width: ``(S,)`` slice widths [m].
        mode: ``(pairs,)`` row of ``potential`` of each pair.
        energy: ``(pairs,)`` energy of each pair [eV].
        mass: Effective mass [m_e].

    Returns:
        ``(pairs,)`` transmissions (0 where either lead is closed) [0..1].
    """
    total = np.zeros(energy.size)
    index = np.flatnonzero((energy > potential[mode, 0]) & (energy > potential[mode, -1]))
    if index.size == 0:
        return total
    energy, mode = energy[index], mode[index]
    widths = np.concatenate(([0.0], width))  # the left lead (slice 0) is not crossed
    k_next = _wavenumber(energy - potential[mode, -1], mass)  # right lead
    k_right = k_next.real
    rho = np.zeros(index.size, dtype=complex)
    log_amplitude = np.zeros(index.size)
    step = max(1, _TM_BLOCK // index.size)
    for stop in range(potential.shape[1] - 1, 0, -step):  # slices [start, stop), right to left
        start = max(0, stop - step)
        k = _wavenumber(energy - potential[mode, start:stop].T, mass)  # (slices, pairs)
        h = widths[start:stop, None]
        k_right_of = np.concatenate((k[1:], k_next[None]))
        sigma, delta = k + k_right_of, k - k_right_of
        phase = np.exp(2j * k * h)
        sigma_p, delta_p = sigma * phase, delta * phase
        denominator = np.empty_like(sigma)
        for s in range(stop - start - 1, -1, -1):
            denominator[s] = sigma[s] + delta[s] * rho
            rho = (delta_p[s] + sigma_p[s] * rho) / denominator[s]
        log_amplitude += (np.log(np.abs(denominator / (2.0 * k))) + k.imag * h).sum(axis=0)
        k_next = k[0]
    total[index] = k_right / k_next.real * np.exp(-2.0 * log_amplitude)
    return total


def _mode_potentials(j2: np.ndarray, slices: _Slices, cap_eV: float) -> np.ndarray:
    """Adiabatic barriers ``min(j^2 unit(z), cap)`` inside, uncapped leads, ``(modes, S + 2)``."""
    potential = np.multiply.outer(j2, slices.unit)
    potential[:, 1:-1] = np.minimum(potential[:, 1:-1], cap_eV)
    return potential


def _select_modes(slices: _Slices, e_top: float, cap_eV: float, mass: float,
                  n_modes: int | None) -> tuple[np.ndarray, ...]:
    """Mode table ``(j, degeneracy, m, n)`` of the modes that can carry current.

    With ``n_modes`` the lowest ``n_modes`` disc modes.  Otherwise the modes open in both
    leads at ``e_top`` whose WKB action ``∫ κ dz`` at ``e_top`` is within ``_WKB_MARGIN`` of
    the most transmitting one (at least the lowest mode, so that a closed neck still lists it).
    """
    if n_modes is not None:
        if n_modes < 1:
            raise ValueError(f"n_modes must be >= 1, got {n_modes}")
        k_max = 2.0 * np.sqrt(n_modes) + 4.0  # Weyl: about k^2/4 modes below k
        while (table := circular_mode_table(k_max))[0].size < n_modes:
            k_max *= 2.0
        return tuple(column[:n_modes] for column in table)
    lead_unit = max(slices.unit[0], slices.unit[-1])
    table = circular_mode_table(_k_bound(e_top / lead_unit) if e_top > 0 else 0.0)
    if table[0].size == 0:
        return circular_mode_table(jn_zeros(0, 1)[0] + 1e-9)
    action = np.empty(table[0].size)
    block = max(1, _TM_BLOCK // slices.unit.size)
    for start in range(0, action.size, block):
        j2 = table[0][start:start + block] ** 2
        excess = np.maximum(_mode_potentials(j2, slices, cap_eV)[:, 1:-1] - e_top, 0.0)
        action[start:start + block] = np.sqrt(excess * mass / _HBAR2_2ME_EV_M2) @ slices.width
    if not np.isfinite(action.min()):  # a = 0 with no gap barrier: list the lowest mode only
        return tuple(column[:1] for column in table)
    return tuple(column[action <= action.min() + _WKB_MARGIN] for column in table)


class _ProfileModes(NamedTuple):
    """Modes of a profile prepared for transfer-matrix solves."""

    table: tuple[np.ndarray, ...]  # (j, degeneracy, m, n) of the selected disc modes
    potential: np.ndarray  # (modes, S + 2) adiabatic barriers incl. leads [eV]
    width: np.ndarray  # (S,) slice widths [m]
    mass: float  # effective mass [m_e]

    def transmissions(self, energy: np.ndarray) -> np.ndarray:
        """``T_n(E)`` of every mode at 1-D ``energy`` [eV], shape ``(modes, energies)``."""
        modes = self.potential.shape[0]
        if not np.all(np.isfinite(self.potential)):  # a = 0 with no gap barrier: blocked
            return np.zeros((modes, energy.size))
        return _slice_transmission(self.potential, self.width,
                                   np.repeat(np.arange(modes), energy.size),
                                   np.tile(energy, modes), self.mass).reshape(modes, -1)


def _profile_modes(z_m, radius_m, e_top: float, *, fermi_energy_eV, effective_mass_me,
                   gap_barrier_eV, n_modes, slice_m) -> _ProfileModes:
    """Validate a profile, slice it and select its modes for energies up to ``e_top`` [eV]."""
    for name, value in (("fermi_energy_eV", fermi_energy_eV),
                        ("effective_mass_me", effective_mass_me)):
        _check(name, np.asarray(value, dtype=float), positive=True)
    cap = np.inf
    if gap_barrier_eV is not None:
        _check("gap_barrier_eV", np.asarray(gap_barrier_eV, dtype=float))
        cap = fermi_energy_eV + gap_barrier_eV
    if slice_m is None:
        k_max = np.sqrt(max(e_top, cap if np.isfinite(cap) else 0.0, fermi_energy_eV)
                        * effective_mass_me / _HBAR2_2ME_EV_M2)
        slice_m = _SLICE_PHASE / k_max
    _check("slice_m", np.asarray(slice_m, dtype=float), positive=True)
    slices = _profile_slices(z_m, radius_m, effective_mass_me, slice_m)
    table = _select_modes(slices, e_top, cap, effective_mass_me, n_modes)
    return _ProfileModes(table, _mode_potentials(table[0] ** 2, slices, cap), slices.width,
                         float(effective_mass_me))


def profile_transmissions(
    z_m,
    radius_m,
    energies_eV,
    *,
    fermi_energy_eV: float,
    effective_mass_me: float = 1.0,
    gap_barrier_eV: float | None = None,
    n_modes: int | None = None,
    slice_m: float | None = None,
) -> ModeTransmissions:
    """Transmissions ``T_n(E)`` of the modes of a circular-section profile ``a(z)``.

    Each disc mode ``(m, n)`` is followed adiabatically (no mode mixing; Glazman et al., JETP
    Lett. 48, 238 (1988)): it sees the 1-D barrier ``E_n(z) = hbar^2 j_mn^2/(2 m* a(z)^2)``,
    solved exactly on piecewise-constant slices (see :func:`_slice_transmission`) rather than
    in the saddle-point form (Büttiker, PRB 41, 7906 (1990)) that it reproduces for smooth
    necks.  The profile is continued by uniform leads of its end radii; a mode closed in
    either lead has ``T = 0``.

    A broken filament (``a = 0`` over a gap) blocks every mode unless ``gap_barrier_eV`` gives
    the barrier ``φ_b`` of the vacuum/oxide between the tips: then no potential inside the
    profile exceeds ``E_F + φ_b`` (the gap itself, and the walls of a section so thin that its
    mode would lie above the surrounding barrier), so a gap ``d`` tunnels with
    ``T ∝ exp(-2κd)``, ``κ = sqrt(2 m* (E_F + φ_b - E))/hbar``, the same for every mode (the
    transverse energy is not conserved in the unconfined gap).

    Args:
        z_m: Axial positions, strictly increasing [m].
        radius_m: Radius ``a(z) >= 0`` at ``z_m`` (0 where broken), linearly interpolated [m].
        energies_eV: Energies from the band bottom, any shape [eV].
        fermi_energy_eV: Fermi energy, reference of the gap barrier [eV].
        effective_mass_me: Effective mass [m_e].
        gap_barrier_eV: Barrier ``φ_b`` above ``E_F`` in the gap (None: impenetrable) [eV].
        n_modes: Number of disc modes (None: every mode that can carry current at the
            largest energy).
        slice_m: Largest slice width (None: ``0.2/k`` at the largest energy or barrier)
            [m].

    Returns:
        Mode table and ``T_n(E)`` with shape ``(modes, *energies.shape)``.

    Raises:
        ValueError: If the profile or an argument is invalid.
    """
    energy = np.asarray(energies_eV, dtype=float)
    _check("energies_eV", energy)
    modes = _profile_modes(z_m, radius_m, float(np.max(energy, initial=0.0)),
                           fermi_energy_eV=fermi_energy_eV, effective_mass_me=effective_mass_me,
                           gap_barrier_eV=gap_barrier_eV, n_modes=n_modes, slice_m=slice_m)
    j, degeneracy, m, n = modes.table
    return ModeTransmissions(m=m, n=n, degeneracy=degeneracy,
                             barrier_eV=modes.potential.max(axis=1),
                             transmission=modes.transmissions(energy.ravel()).reshape(
                                 j.size, *energy.shape))


def _softplus_integral(u: np.ndarray) -> np.ndarray:
    """``∫_{-∞}^u ln(1 + e^t) dt = -Li2(-e^u)`` [dimensionless].

    ``Li2(x) = spence(1 - x)``; for ``u > 0`` the inversion formula
    ``-Li2(-e^u) = π²/6 + u²/2 + Li2(-e^-u)`` avoids the overflow of ``e^u``.
    """
    def small(v):  # v <= 0
        return -spence(1.0 + np.exp(v))

    return np.where(u <= 0, small(np.minimum(u, 0.0)),
                    np.pi**2 / 6 + 0.5 * u * u - small(-np.maximum(u, 0.0)))


class _Window(NamedTuple):
    """Normalised bias/thermal window, energies relative to ``E_F`` [eV]."""

    kt: float  # k_B T [eV]
    low: float  # lower chemical potential min(mu_L, mu_R) - E_F [eV]
    high: float  # upper chemical potential [eV]
    zeeman: float  # half Zeeman splitting; the window is averaged over E ± zeeman [eV]

    def antiderivative2(self, x: np.ndarray) -> np.ndarray:
        """``F2(x) = ∫∫ W``, spin-averaged second antiderivative of the window [eV]."""
        if not self.zeeman:
            return self._single(x)
        return 0.5 * (self._single(x + self.zeeman) + self._single(x - self.zeeman))

    def _single(self, x: np.ndarray) -> np.ndarray:
        width = self.high - self.low
        if self.kt == 0:  # [f_L - f_R]/eV: box of width |eV|
            return (np.maximum(x - self.low, 0.0) ** 2
                    - np.maximum(x - self.high, 0.0) ** 2) / (2.0 * width)
        if width < _NARROW_BIAS * self.kt:  # -∂f/∂E about the window centre
            return self.kt * np.logaddexp(0.0, (x - 0.5 * (self.low + self.high)) / self.kt)
        return self.kt**2 * (_softplus_integral((x - self.low) / self.kt)
                             - _softplus_integral((x - self.high) / self.kt)) / width

    def weights(self, nodes: np.ndarray) -> np.ndarray:
        """Exact weights of the window for ``T`` interpolated linearly between ``nodes``.

        ``∫ hat_i W = D_i - D_{i-1}`` with ``D_i`` the mean of ``∫W`` over interval ``i``
        (``D_{-1} = 0``, ``D_N = 1``; ``T`` is continued as constant beyond the end nodes).
        """
        mean_cdf = np.diff(self.antiderivative2(nodes)) / np.diff(nodes)
        return np.diff(np.concatenate(([0.0], mean_cdf, [1.0])))


def _window_average(window: _Window, modes: _ProfileModes, fermi_energy_eV: float):
    """Window- and spin-averaged transmission of every mode, by adaptive energy refinement.

    Nodes start uniform across the window (tails to ``_WINDOW_TAIL`` k_BT) and every interval
    over which a ``T_n`` changes by more than ``_REFINE_STEP`` is halved, unless it carries so
    little of the window that its error is below ``_REFINE_ERROR``; ``T`` is then
    integrated as piecewise linear against the exact window (:meth:`_Window.weights`), so sharp
    transmission steps and abrupt windows (T = 0) are both handled.

    Returns:
        ``(modes,)`` averaged transmissions [0..1].
    """
    tail = _WINDOW_TAIL * window.kt
    nodes = np.linspace(window.low - window.zeeman - tail, window.high + window.zeeman + tail,
                        _INITIAL_NODES)
    values = modes.transmissions(fermi_energy_eV + nodes)
    for _ in range(_REFINE_ROUNDS):
        weights = window.weights(nodes)
        jump = np.max(np.abs(np.diff(values, axis=1)), axis=0, initial=0.0)
        split = (jump > _REFINE_STEP) & (jump * (weights[:-1] + weights[1:]) > _REFINE_ERROR)
        if not np.any(split):
            break
        middle = 0.5 * (nodes[:-1] + nodes[1:])[split]
        nodes = np.concatenate((nodes, middle))
        values = np.concatenate((values, modes.transmissions(fermi_energy_eV + middle)), axis=1)
        order = np.argsort(nodes)
        nodes, values = nodes[order], values[:, order]
    return values @ window.weights(nodes)


def profile_conductance(
    z_m,
    radius_m,
    *,
    fermi_energy_eV: float,
    effective_mass_me: float = 1.0,
    temperature_K: float = 0.0,
    bias_V: float = 0.0,
    beta: float = 0.5,
    field_T: float = 0.0,
    g_factor: float = 2.0,
    gap_barrier_eV: float | None = None,
    n_modes: int | None = None,
    slice_m: float | None = None,
) -> ProfileConductance:
    """Landauer–Büttiker conductance of a circular-section profile by the transfer matrix.

    ``G = (G0/2) Σ_{n,σ} g_n ∫ T_n(E - σ g µ_B B/2) W(E) dE`` with the transmissions of
    :func:`profile_transmissions` and the window ``W`` of :func:`circular_conductance`
    (``-∂f/∂E`` at zero bias, ``[f_L - f_R]/(eV)`` otherwise, ``mu_L = E_F + β eV``,
    ``mu_R = E_F - (1 - β) eV``); the energy integral adapts its nodes to the transmissions
    (:func:`_window_average`).

    Args:
        z_m: Axial positions, strictly increasing [m].
        radius_m: Radius ``a(z) >= 0`` (0 where broken), linearly interpolated [m].
        fermi_energy_eV: Fermi energy [eV].
        effective_mass_me: Effective mass [m_e].
        temperature_K: Temperature [K].
        bias_V: Bias voltage [V]; the result is then ``I/V``.
        beta: Fraction of the bias dropped on the left contact [dimensionless, 0..1].
        field_T: Magnetic field (Zeeman splitting) [T].
        g_factor: Electron g-factor [dimensionless].
        gap_barrier_eV: Barrier ``φ_b`` above ``E_F`` in a gap (None: impenetrable) [eV].
        n_modes: Number of disc modes (None: automatic).
        slice_m: Largest slice width (None: automatic) [m].

    Returns:
        Conductance [G0], open channels at ``E_F`` (``T > 0.5``, spin channels counting 0.5)
        and the per-mode contributions.

    Raises:
        ValueError: If the profile or an argument is invalid.
    """
    physics = (fermi_energy_eV, temperature_K, bias_V, beta, field_T, g_factor)
    if any(np.ndim(v) for v in physics):
        raise ValueError("profile_conductance takes scalar physics arguments")
    _, p = _points(1.0, *physics, 0.0)  # validation and the Zeeman half-splitting
    mu = sorted((beta * bias_V, -(1.0 - beta) * bias_V))
    window = _Window(float(_KB_EV * temperature_K), mu[0], mu[1], float(p.zeeman[0]))
    edges = np.array([-window.zeeman, window.zeeman])  # E_F - σ Z: channel counting
    top = window.high + window.zeeman + _WINDOW_TAIL * window.kt
    modes = _profile_modes(z_m, radius_m, fermi_energy_eV + top,
                           fermi_energy_eV=fermi_energy_eV, effective_mass_me=effective_mass_me,
                           gap_barrier_eV=gap_barrier_eV, n_modes=n_modes, slice_m=slice_m)
    at_fermi = modes.transmissions(fermi_energy_eV + edges)
    if window.kt == 0 and window.high == window.low:
        transmission = at_fermi.mean(axis=1)
    else:
        transmission = _window_average(window, modes, fermi_energy_eV)
    _, degeneracy, m, n = modes.table
    return ProfileConductance(
        G_G0=np.asarray(degeneracy @ transmission, dtype=float),
        channels=np.asarray(degeneracy @ (at_fermi > 0.5).mean(axis=1), dtype=float),
        modes=[{"m": int(mi), "n": int(ni), "degeneracy": int(di), "E_n_eV": float(ei),
                "transmission": float(ti)}
               for mi, ni, di, ei, ti in zip(m, n, degeneracy, modes.potential.max(axis=1),
                                             transmission, strict=True)],
    )
