"""Energy windows of the count: Fermi smearing (temperature), bias window, saddle-point steps.

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
for these tails.  :class:`_Window` is the same window for transmissions tabulated in energy
(the transfer matrix of :mod:`apcfem.landauer.transmission`).
"""

from typing import NamedTuple

import numpy as np
from scipy.special import expit, spence

_TAIL_WIDTHS = 40.0  # a logistic tail beyond 40 widths is below e^-40 ~ 4e-18
_EXPM1_SAFE = 600.0  # largest bias/smearing ratio evaluated with expm1 (overflow near 709)
_BIAS, _LOGISTIC, _QUADRATURE = 1, 2, 4  # bit flags selecting the per-channel kernel
_WINDOW_TAIL = 25.0  # thermal tails beyond 25 k_BT hold less than e^-25 of the window
_NARROW_BIAS = 1e-4  # |eV| below this many k_BT: thermal window about the centre, error ~1e-8


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


