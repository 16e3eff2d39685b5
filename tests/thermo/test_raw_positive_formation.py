"""Raw reactant energies (``hull_reference=False``, pymatgen ``use_hull_energy=False``) follow pymatgen.

pymatgen's ``InterfacialReactivity._get_entry_energy`` takes the lowest entry among the phase diagram's
``qhull_entries``, which exclude every entry with a formation energy >= 0 (``PhaseDiagram`` keeps only
``form_e < -formation_energy_tol``, 1e-11 eV/atom, plus the elements); a reactant without such an entry
falls back to the hull energy. The one question of pymatgen's interface-reaction tests where this
engine differed (issue 26): MnO3 at +20 eV per formula unit, which the engine used as is.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from screening.api import engine_from_entries

#: Mn-O entries [eV per formula unit, formation energies: elements at 0]; MnO3 above its elements.
MN_O = [("Mn", 0.0), ("O2", 0.0), ("MnO", -4.0), ("Mn2O3", -10.0), ("MnO2", -5.5), ("MnO3", 20.0)]


def _entries():
    from pymatgen.analysis.phase_diagram import PDEntry
    from pymatgen.core import Composition

    return [PDEntry(Composition(f), e) for f, e in MN_O]


def _pmg_kinks(a: str, b: str, use_hull_energy: bool) -> np.ndarray:
    from pymatgen.analysis.interface_reactions import InterfacialReactivity
    from pymatgen.analysis.phase_diagram import PhaseDiagram
    from pymatgen.core import Composition

    pd = PhaseDiagram(_entries())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ir = InterfacialReactivity(Composition(a), Composition(b), pd, norm=True, use_hull_energy=use_hull_energy)
        return np.array(sorted((float(x), float(e)) for _, x, e, _, _ in ir.get_kinks()))


def _profile_at(prof, xs: np.ndarray) -> np.ndarray:
    pts = sorted((k.x, k.energy) for k in prof.kinks)
    return np.interp(xs, [p[0] for p in pts], [p[1] for p in pts])


@pytest.mark.parametrize(("a", "b"), [("MnO3", "Mn"), ("MnO3", "MnO"), ("Mn", "MnO3")])
@pytest.mark.parametrize("hull", [True, False], ids=["hull", "raw"])
def test_positive_formation_energy_reactant_uses_the_hull_like_pymatgen(a, b, hull):
    eng = engine_from_entries(_entries())
    prof = eng.react(a, b, hull_reference=hull)
    ref = _pmg_kinks(a, b, use_hull_energy=hull)
    np.testing.assert_allclose(_profile_at(prof, ref[:, 0]), ref[:, 1], atol=1e-9, rtol=0)
    assert prof.min_energy == pytest.approx(ref[:, 1].min(), abs=1e-9)


def test_raw_keeps_a_metastable_entry_below_its_elements():
    """Only a formation energy >= 0 is dropped: MnO2 at -5.0 eV per formula unit, above the hull (Mn2O3 + O2,
    -5.5 eV) but below its elements, is used as given, as pymatgen does."""
    from pymatgen.analysis.phase_diagram import PDEntry
    from pymatgen.core import Composition

    entries = [PDEntry(Composition(f), e) for f, e in [("Mn", 0.0), ("O2", 0.0), ("Mn2O3", -11.0), ("MnO2", -5.0)]]
    eng = engine_from_entries(entries)
    raw = eng.react("MnO2", "Mn", hull_reference=False)
    assert raw.reactant_energies["a_closed_eV_per_atom"] == pytest.approx(-5.0 / 3, abs=1e-12)
    assert eng.hull_energy("MnO2") == pytest.approx(-5.5 / 3, abs=1e-12)  # above the hull (Mn2O3 + O2)
    from pymatgen.analysis.interface_reactions import InterfacialReactivity
    from pymatgen.analysis.phase_diagram import PhaseDiagram

    ir = InterfacialReactivity(Composition("MnO2"), Composition("Mn"), PhaseDiagram(entries), norm=True,
                               use_hull_energy=False)
    ref = np.array(sorted((float(x), float(e)) for _, x, e, _, _ in ir.get_kinks()))
    np.testing.assert_allclose(_profile_at(raw, ref[:, 0]), ref[:, 1], atol=1e-9, rtol=0)
