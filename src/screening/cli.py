"""The ``screening`` command line: windows, interface reactions and decompositions.

Examples::

    screening window LiNbO3
    screening react LiCoO2 Li3PS4 --voltage 4.3 --source ../shared/data/mp_e_form_2019.csv.gz
    screening decompose 70Li2S-30P2S5 --voltage 0 --json

Every bad input ends with one line ``error: <problem>; <fix>`` on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence

from screening import __version__
from screening.errors import ScreeningError

EXIT_BAD_INPUT = 2


def _source_help() -> str:
    return (
        "entry source: 'experimental' (default, pymatgen's embedded experimental formation enthalpies, "
        "no network), a path to a snapshot (CSV(.gz) 'formula,<formation energy per atom>' or JSON(.gz) "
        "of ComputedEntry dicts), or 'mp' (Materials Project via mp-api, needs MP_API_KEY)"
    )


def _add_common(p: argparse.ArgumentParser, voltage: bool) -> None:
    p.add_argument("--source", default="experimental", help=_source_help())
    p.add_argument("--thermo-type", default=None, help="Materials Project thermo type (with --source mp)")
    if voltage:
        p.add_argument(
            "--voltage", type=float, default=None, metavar="V",
            help="open to Li at this potential [V vs Li/Li+] (mu_Li = -eV, Li metal = 0 V); omit for closed",
        )
    p.add_argument("--json", action="store_true", help="print one JSON document with every number")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="screening",
        description="Interface stability screening for all-solid-state Li batteries (energies in eV/atom, "
        "open to Li in eV per non-Li atom; voltages in V vs Li/Li+).",
    )
    parser.add_argument("--version", action="version", version=f"screening {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("window", help="electrochemical stability window of a composition")
    p.add_argument("formula")
    _add_common(p, voltage=False)

    p = sub.add_parser("react", help="interface reaction profile of A | B (closed, or open to Li at --voltage)")
    p.add_argument("a")
    p.add_argument("b")
    _add_common(p, voltage=True)
    p.add_argument(
        "--raw", action="store_true",
        help="use each reactant's own lowest entry energy instead of its hull energy (default: hull-referenced)",
    )

    p = sub.add_parser("decompose", help="hull energy, e_above_hull and decomposition (optionally open to Li)")
    p.add_argument("formula")
    _add_common(p, voltage=True)

    try:
        from screening.entries import mp
    except ImportError:
        mp = None
    if mp is not None and hasattr(mp, "register_cli"):
        mp.register_cli(sub)
    return parser


def _engine(args: argparse.Namespace, formulas: Sequence[str], open_li: bool):
    from screening.composition import parse_formula
    from screening.entries import load_source
    from screening.thermo import Engine

    elements = sorted({el for f in formulas for el in parse_formula(f)} | ({"Li"} if open_li else set()))
    options = {}
    if args.source == "mp" and args.thermo_type:
        options["thermo_type"] = args.thermo_type
    table = load_source(args.source, elements=elements, **options)
    return Engine(table)


def _jsonable(obj):
    if isinstance(obj, float):
        return None if not math.isfinite(obj) else obj
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    return obj


def _print_json(kind: str, result: dict, engine) -> None:
    doc = {
        "command": kind,
        "result": result,
        "provenance": {"package": "screening", "version": __version__, "source": engine.table.provenance},
    }
    print(json.dumps(_jsonable(doc), indent=2))


def _phases_text(phases) -> str:
    return ", ".join(f"{p.amount:.4g} {p.formula}" for p in phases) or "-"


def _v(x: float | None) -> str:
    return "unbounded" if x is None else f"{x:.3f} V"


def _title(formula: str, reduced: str) -> str:
    return reduced if formula.replace(" ", "") == reduced else f"{formula} ({reduced})"


def _label(has_entry: bool, virtual: bool) -> str:
    if not has_entry:
        return " [virtual: no entry, placed on the hull]"
    return " [user-defined entry]" if virtual else ""


def cmd_window(args: argparse.Namespace) -> int:
    eng = _engine(args, [args.formula], open_li=True)
    w = eng.window(args.formula)
    if args.json:
        _print_json("window", w.as_dict(), eng)
        return 0
    ehull = "-" if w.e_above_hull is None else f"{1000 * w.e_above_hull:.1f} meV/atom"
    print(f"{_title(w.formula, w.reduced_formula)}{_label(w.has_entry, w.virtual)}   e_above_hull: {ehull}")
    print(f"  reduction limit: {_v(w.reduction_limit):>12}   products: {_phases_text(w.reduction_products)}")
    print(f"  oxidation limit: {_v(w.oxidation_limit):>12}   products: {_phases_text(w.oxidation_products)}")
    print("  Li uptake profile (V vs Li/Li+, Li per formula unit, phases):")
    for pl in w.profile:
        end = "inf" if not math.isfinite(pl.li_end) else f"{pl.li_end:.3f}"
        print(f"    {pl.voltage:8.3f}  {pl.li_start:7.3f} -> {end:>7}  {', '.join(pl.phases)}")
    return 0


def cmd_react(args: argparse.Namespace) -> int:
    eng = _engine(args, [args.a, args.b], open_li=args.voltage is not None)
    prof = eng.react(args.a, args.b, voltage=args.voltage, hull_reference=not args.raw)
    if args.json:
        _print_json("react", prof.as_dict(), eng)
        return 0
    cond = "closed (chemical mixing)" if prof.voltage is None else f"open to Li at {prof.voltage:g} V vs Li/Li+"
    print(f"{prof.a} | {prof.b}: {cond}; reactants {prof.reference}-referenced; energies in {prof.units}")
    for name, virt in prof.virtual.items():
        if virt:
            print(f"  note: {name} has no entry of its own (virtual, placed on the hull)")
    mutual = prof.open_to_li
    head = f"  {'x':>7} {'x_molar':>8} {'dE':>9}" + (f" {'dE_mutual':>10}" if mutual else "") + "  reaction"
    print(head)
    for k in prof.kinks:
        row = f"  {k.x:7.4f} {k.x_molar:8.4f} {k.energy:9.4f}" + (f" {k.energy_mutual:10.4f}" if mutual else "")
        print(f"{row}  {k.reaction}")
    print(f"  minimum: {prof.min_energy:.4f} {prof.units} at x = {prof.min_x:.4f}", end="")
    print(f"; mutual minimum: {prof.min_energy_mutual:.4f} at x = {prof.min_x_mutual:.4f}" if mutual else "")
    return 0


def cmd_decompose(args: argparse.Namespace) -> int:
    eng = _engine(args, [args.formula], open_li=args.voltage is not None)
    d = eng.decompose(args.formula, voltage=args.voltage)
    if args.json:
        _print_json("decompose", d.as_dict(), eng)
        return 0
    print(f"{_title(d.formula, d.reduced_formula)}{_label(d.has_entry, d.virtual)}")
    if d.has_entry:
        print(f"  lowest entry: {d.entry_id}  E_f = {d.entry_energy:.4f} eV/atom")
        print(f"  e_above_hull: {1000 * d.e_above_hull:.1f} meV/atom")
    print(f"  hull energy:  {d.hull_energy:.4f} eV/atom")
    if d.voltage is None:
        print(f"  decomposition (per formula unit): {_phases_text(d.phases)}")
    else:
        li = d.li_exchanged
        verb = "takes up" if li > 0 else "releases"
        print(f"  open to Li at {d.voltage:g} V (mu_Li = {d.mu_li:.3f} eV):")
        print(f"    decomposition energy: {d.decomposition_energy:.4f} eV per non-Li atom")
        print(f"    products (per formula unit): {_phases_text(d.phases)}; {verb} {abs(li):.4g} Li")
    return 0


COMMANDS = {"window": cmd_window, "react": cmd_react, "decompose": cmd_decompose}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = COMMANDS.get(args.command) or getattr(args, "handler", None)
    try:
        return int(handler(args) or 0)
    except ScreeningError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `screening react ... | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
