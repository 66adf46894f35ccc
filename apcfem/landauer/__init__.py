"""Landauer–Büttiker conductance of a free-electron filament neck (NumPy only).

The narrowest section of a conductive filament (radius ``a``) is modelled as a hard-wall circular
waveguide whose transverse modes each carry two spin channels worth ``G0/2``, ``G0 = 2e^2/h``.
Any other ladder of mode edges (e.g. the Dirichlet modes of a non-circular section computed by
:mod:`apcfem.section_modes`) is counted the same way by :func:`modes_conductance`.

The electrons and the conditions of the count (``E_F``, ``m*``, ``T``, bias, ``β``, ``B``) are
one :class:`Electrons` record.  Modules:

* :mod:`~apcfem.landauer.electrons`: constants, :class:`Electrons`, argument checks;
* :mod:`~apcfem.landauer.modes`: Bessel-zero mode table, saddle-point energy, Torres limit;
* :mod:`~apcfem.landauer.windows`: temperature and bias windows, saddle-point steps;
* :mod:`~apcfem.landauer.counting`: the count over a mode ladder, I(V), Miranda–Suñé;
* :mod:`~apcfem.landauer.transmission`: transfer matrix through a profile ``a(z)``, tunnelling;
* :mod:`~apcfem.landauer.stimuli`: Zeeman critical field, strained neck.
"""

from apcfem.landauer.counting import (
    circular_conductance,
    circular_current_A,
    circular_mode_transmissions,
    miranda_sune_current_A,
    modes_conductance,
)
from apcfem.landauer.electrons import G0_S, ConductanceResult, Electrons
from apcfem.landauer.modes import (
    circular_mode_table,
    saddle_hbar_omega_eV,
    torres_conductance_G0,
)
from apcfem.landauer.stimuli import strained_neck, zeeman_critical_field_T
from apcfem.landauer.transmission import (
    ModeTransmissions,
    ProfileConductance,
    profile_conductance,
    profile_transmissions,
)

__all__ = [
    "G0_S",
    "ConductanceResult",
    "Electrons",
    "ModeTransmissions",
    "ProfileConductance",
    "circular_conductance",
    "circular_current_A",
    "circular_mode_table",
    "circular_mode_transmissions",
    "miranda_sune_current_A",
    "modes_conductance",
    "profile_conductance",
    "profile_transmissions",
    "saddle_hbar_omega_eV",
    "strained_neck",
    "torres_conductance_G0",
    "zeeman_critical_field_T",
]
