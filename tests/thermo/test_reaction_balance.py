"""Every reaction the engine writes balances, element by element, whatever way a reactant is written.

The left side of a kink's reaction is ``Kink.reactants`` (reduced formulas, formula units; Li from the
reservoir included), the right side ``Kink.products`` plus Li given to the reservoir. Checked to 1e-9
atoms per reaction over every interface of the review screen (slow) or a deterministic sample of it
(default), and over random multiples of reduced formulas (``Li2Nb2O6`` = 2 LiNbO3, ``O`` = 0.5 O2).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from screening.composition import parse_formula
from screening.thermo.engine import LI, Kink

REVIEW = Path(__file__).resolve().parents[2] / "config" / "review.yaml"
BALANCE_TOL = 1e-9


def _atoms(terms) -> Counter:
    total: Counter = Counter()
    for formula, n in terms:
        for el, v in parse_formula(formula).items():
            total[el] += n * v
    return total


def assert_balanced(k: Kink, where: str) -> None:
    left = _atoms(k.reactants)
    right = _atoms([(p.formula, p.amount) for p in k.products])
    if k.li_exchanged < 0:
        right[LI] += -k.li_exchanged
    for el in set(left) | set(right):
        assert abs(left[el] - right[el]) <= BALANCE_TOL * max(1.0, left[el]), (where, k.reaction, el, left, right)
    # the printed string says the same as the structured sides (4 significant digits)
    lhs, rhs = k.reaction.split(" -> ")
    printed = [re.fullmatch(r"(?:([0-9.e+-]+) )?(\S+)", t).groups() for t in lhs.split(" + ")]
    assert [f for _, f in printed] == [f for f, _ in k.reactants], (where, k.reaction)
    for (c, _), (_, n) in zip(printed, k.reactants, strict=True):
        assert float(c or 1) == pytest.approx(n, rel=6e-4), (where, k.reaction)
    assert rhs != "0"


def review_interfaces() -> list[tuple[str, str, float | None]]:
    """The interfaces of config/review.yaml: coating | cathode, electrolyte, anode; electrolyte | electrode."""
    cfg = yaml.safe_load(REVIEW.read_text())
    coatings = list(cfg["coatings"]["formulas"])
    electrolytes = [e["formula"] for e in cfg["electrolytes"]]
    out: list[tuple[str, str, float | None]] = []
    for cat in cfg["cathodes"]:
        for v in cat["voltage"]:
            for other in coatings + electrolytes:
                out.append((other, cat["formula"], float(v)))
        if cat.get("charged"):
            for other in coatings + electrolytes:
                out.append((other, cat["charged"], None))
    for an in cfg["anodes"]:
        v = float(an["potential"])
        for other in coatings + electrolytes:
            out.append((other, an["formula"], None if an["formula"] == LI or v == 0 else v))
    for el in electrolytes:
        for c in coatings:
            out.append((c, el, None))
    return out


def _check_all(engine, cases) -> int:
    n = 0
    for a, b, v in cases:
        prof = engine.react(a, b, voltage=v)
        for k in prof.kinks:
            assert_balanced(k, f"{a} | {b} @ {v}")
            n += 1
    return n


@pytest.mark.snapshot
def test_review_sample_reactions_balance(engine):
    cases = review_interfaces()
    sample = random.Random(11).sample(cases, 60)
    assert _check_all(engine, sample) > 200


@pytest.mark.snapshot
@pytest.mark.slow
def test_every_review_reaction_balances(engine):
    cases = review_interfaces()
    assert len(cases) > 2000
    assert _check_all(engine, cases) > 10000


def _written_as(formula: str, k: float) -> str:
    """``formula`` multiplied by ``k``, written as an ordinary formula (e.g. LiNbO3, 2 -> Li2Nb2O6)."""
    return "".join(f"{el}{v * k:.10g}" for el, v in parse_formula(formula).items())


MULTIPLES = [
    ("Li2Nb2O6", "Li", None, "2 LiNbO3 -> 2 LiNbO3"),
    ("Li4O2", "Li2O", None, "2 Li2O -> 2 Li2O"),
    ("O", "LiCoO2", 4.0, "0.5 O2 -> 0.5 O2"),
]


@pytest.mark.snapshot
@pytest.mark.parametrize(("a", "b", "v", "end"), MULTIPLES, ids=[m[0] + "|" + m[1] for m in MULTIPLES])
def test_issue_multiples_print_balanced_strings(engine, a, b, v, end):
    prof = engine.react(a, b, voltage=v)
    assert prof.kinks[-1].reaction == end  # x = 1: pure A, written per formula unit of A as given
    for k in prof.kinks:
        assert_balanced(k, f"{a} | {b}")


@pytest.mark.snapshot
def test_random_multiples_balance_and_keep_energies(engine):
    rng = random.Random(7)
    pairs = [("LiNbO3", "Li3PS4", 4.3), ("LiCoO2", "Li10GeP2S12", None), ("Li3N", "Li2O", 1.0),
             ("Li7La3Zr2O12", "LiCoO2", 3.0), ("70Li2S-30P2S5", "Li3PO4", 2.0), ("O", "Li", None)]
    for a, b, v in pairs:
        base = engine.react(a, b, voltage=v)
        for _ in range(3):
            ka, kb = rng.choice([0.5, 2, 3, 1.7, 12]), rng.choice([0.25, 2, 5, 7.3])
            aa, bb = _written_as(a, ka), _written_as(b, kb)
            prof = engine.react(aa, bb, voltage=v)
            for k in prof.kinks:
                assert_balanced(k, f"{aa} | {bb}")
            # energies per atom and x (atomic fraction) do not depend on how a reactant is written
            assert prof.min_energy == pytest.approx(base.min_energy, abs=1e-9)
            assert prof.min_x == pytest.approx(base.min_x, abs=1e-9)


def test_a_frame_without_a_product_element_falls_back_to_the_full_balance():
    """The engine passes the reactants' elements once per interface (``balance_frame``); a product with an
    element outside that frame (impossible from a hull LP of the reactants' system) is balanced as without it."""
    from screening.thermo.reactants import _balanced, balance_frame
    from screening.thermo.results import Phase

    va, vb = {"Li": 2.0, "O": 1.0}, {"Co": 1.0, "O": 1.0}
    comps = [{"Li": 2.0, "O": 1.0}, {"Co": 1.0, "O": 1.0}, {"Fe": 1.0}]
    phases = [Phase("Li2O", "a", 0.5, False), Phase("CoO", "b", 0.5, False), Phase("Fe", "c", 1e-9, False)]
    plain = _balanced(phases, comps, va, vb, 0.5, False)
    framed = _balanced(phases, comps, va, vb, 0.5, False, balance_frame(va, vb, False))
    assert framed == plain
    # the Fe (in no reactant) is re-solved away: a frame that ignored it would have kept the 1e-9
    assert [ph.amount for ph in framed[0]] == pytest.approx([0.5, 0.5, 0.0], abs=1e-15) and framed[1] == 0.5
    assert framed[0][2].amount == 0.0
