"""Cost of the interphase classes: interface profiles with and without classification, in one process.

Computes the reaction profiles of coating | electrode and coating | electrolyte interfaces on the packaged
MP 2019 snapshot (``mp2019``) twice, first without an electronic model (the baseline), then with the rule
and a small user band gap table. Prints both wall times and their ratio. The classes are computed from the
profiles' kinks, so the extra cost is per product phase, not per LP solve.

Usage::

    python benchmarks/bench_interphase.py            # 12 coatings x 6 partners x 2 potentials
    python benchmarks/bench_interphase.py --repeat 3
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from screening.entries import load_source
from screening.interphase import ElectronicModel, build_model, classify_profile
from screening.thermo import Engine

COATINGS = ["LiNbO3", "LiTaO3", "Li4Ti5O12", "Li3PO4", "Li3BO3", "Li2SiO3", "LiAlO2", "Li2ZrO3", "LiF", "Li3N",
            "Li2CO3", "LiPO3"]
PARTNERS = ["LiCoO2", "LiMn2O4", "LiFePO4", "Li3PS4", "Li10GeP2S12", "Li6PS5Cl"]
GAPS = "formula,band_gap\nLi2S,3.37\nLi3P,0.70\nLi2O,4.99\nLiF,13.6\nCoS2,0\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    elements = sorted({"Li", "Nb", "Ta", "Ti", "P", "B", "Si", "Al", "Zr", "F", "N", "C", "O", "Co", "Mn", "Fe",
                       "S", "Ge", "Cl"})
    engine = Engine(load_source("mp2019", elements=elements))
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "gaps.csv"
        table.write_text(GAPS)
        model: ElectronicModel = build_model(table)
        pairs = [(c, p, v) for c in COATINGS for p in PARTNERS for v in (3.0, 4.3)]
        profiles = [engine.react(c, p, voltage=v) for c, p, v in pairs]  # warm the hulls
        t0 = time.perf_counter()
        for _ in range(args.repeat):
            profiles = [engine.react(c, p, voltage=v) for c, p, v in pairs]
        base = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _ in range(args.repeat):
            classes = [classify_profile(engine.react(c, p, voltage=v), model) for c, p, v in pairs]
        with_classes = time.perf_counter() - t0
    kinds = {}
    for c in classes:
        kinds[c.minimum.cls] = kinds.get(c.minimum.cls, 0) + 1
    n = len(pairs) * args.repeat
    print(f"{len(pairs)} interfaces x {args.repeat}: {len(profiles)} profiles")
    print(f"profiles only:         {base:8.3f} s  ({1000 * base / n:.2f} ms per interface)")
    print(f"profiles + classes:    {with_classes:8.3f} s  ({1000 * with_classes / n:.2f} ms per interface)")
    print(f"ratio (with / without): {with_classes / base:.3f}")
    print(f"classes at the minimum: {dict(sorted(kinds.items()))}")


if __name__ == "__main__":
    main()
