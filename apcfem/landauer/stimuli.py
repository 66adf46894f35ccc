"""Effects of the stimuli on the count: Zeeman splitting (critical field) and strain.

Temperature and bias act through the window (:mod:`apcfem.landauer.windows`); a magnetic field
splits every channel edge by ``±g µ_B B/2`` (:func:`zeeman_critical_field_T` gives the field at
which the first step splits into half steps); strain changes the radius, length and Fermi
energy of a neck (:func:`strained_neck`).
"""

import numpy as np
from scipy.special import expit

from apcfem.landauer.electrons import _KB_EV, _MUB_EV, _check, strain_ratios
from apcfem.landauer.windows import _CENTRE_W, _PAIR_U, _PAIR_W, _TAIL_WIDTHS

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
    a, length = (np.asarray(v, dtype=float) for v in (radius_m, length_m))
    _check("radius_m", a)
    radial, axial, fermi_ratio = strain_ratios(strain, poisson_ratio, mode)
    fermi = np.asarray(fermi_energy_eV, dtype=float)
    _check("fermi_energy_eV", fermi, positive=True)
    return a * radial, length * axial, fermi * fermi_ratio


