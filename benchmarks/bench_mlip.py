#!/usr/bin/env python
"""Relaxation cost of the machine-learned potential (CHGNet): per structure and per atom.

Builds review compounds from published structures (tests/mlip/review_structures.py), relaxes each with
the default settings (FIRE + FrechetCellFilter, fmax 0.05 eV/A, 1 torch thread) without any cache, and
prints CPU and wall time per structure, per atom and per optimiser step. The baseline, measured in the
same process, is one single-point energy evaluation of the same structure: the ratio says how many
model calls a relaxation costs. Elemental references are computed (and timed) first, once.

Usage: python benchmarks/bench_mlip.py [--names Li2O LiCoO2 ...] [--threads 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "mlip"))

from review_structures import REVIEW, build  # noqa: E402

from screening.mlip import MLIPCalculator, RelaxSettings, get_model  # noqa: E402
from screening.mlip.structures import StructureFile  # noqa: E402


def timed(fn):
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - c0, time.perf_counter() - w0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--names", nargs="+", default=["Li2O", "Li3N", "LiCoO2", "LiNbO3", "Li3PO4", "Li3PS4"],
                    choices=sorted(REVIEW))
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    model, cpu, wall = timed(lambda: get_model("chgnet"))
    print(f"load model: {cpu:.2f} s CPU, {wall:.2f} s wall (imports torch and chgnet)")
    calc = MLIPCalculator(model, RelaxSettings(threads=args.threads), cache_dir=None)
    structures = {n: build(n) for n in args.names}
    elements = sorted({el.symbol for s in structures.values() for el in s.composition.elements})
    _, cpu, wall = timed(lambda: [calc.reference(el) for el in elements])
    print(f"elemental references {', '.join(elements)}: {cpu:.1f} s CPU, {wall:.1f} s wall (once; cached after)")
    print(f"{'compound':<9} {'atoms':>5} {'steps':>5} {'CPU s':>7} {'wall s':>7} {'CPU s/atom':>10} "
          f"{'ms/step':>8} {'single-point ms':>15} {'relax/single':>12}")
    tot_cpu = tot_atoms = 0.0
    for name, s in structures.items():
        _, sp_cpu, _ = timed(lambda s=s: model.energy(s))
        sf = StructureFile(name, f"{name}.cif", f"bench-{name}", s)
        e, cpu, wall = timed(lambda sf=sf: calc.energy_of(sf))
        tot_cpu += cpu
        tot_atoms += e.n_atoms
        print(f"{name:<9} {e.n_atoms:5d} {e.steps:5d} {cpu:7.2f} {wall:7.2f} {cpu / e.n_atoms:10.3f} "
              f"{1000 * cpu / max(e.steps, 1):8.1f} {1000 * sp_cpu:15.1f} {cpu / sp_cpu:12.1f}")
    n = len(structures)
    print(f"mean: {tot_cpu / n:.2f} s CPU per structure, {tot_cpu / tot_atoms:.3f} s CPU per atom "
          f"({n} structures, {int(tot_atoms)} atoms, {args.threads} torch thread(s))")


if __name__ == "__main__":
    main()
