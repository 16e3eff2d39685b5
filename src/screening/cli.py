"""The ``screening`` command line: windows, interface reactions and decompositions.

Examples::

    screening window LiNbO3
    screening react LiCoO2 Li3PS4 --voltage 4.3 --source experimental
    screening decompose 70Li2S-30P2S5 --voltage 0 --json
    screening decompose Li10GeP2S12 --voltage 0 --convention zhu2015 --exclude LiS4
    screening voltage LiCoO2 --charged CoO2
    screening report results            # results/report/index.html of a finished screen

Every bad input ends with one line ``error: <problem>; <fix>`` on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from collections.abc import Sequence

from screening import __version__
from screening.data import DEFAULT_SOURCE
from screening.errors import ScreeningError, ScreeningWarning
from screening.interphase.classify import DEFAULT_REACTION_TOLERANCE
from screening.interphase.electronic import DEFAULT_GAP_THRESHOLD
from screening.output import jsonable as _jsonable

EXIT_BAD_INPUT = 2
#: Choices of ``--convention`` (mirrors screening.thermo.engine; kept here so --help needs no heavy import).
DECOMPOSITION_CONVENTIONS = ("hull", "zhu2015")
REACTION_ENERGIES = ("total", "mutual", "richards2016")


def _source_help() -> str:
    return (
        "entry source: 'mp2019' (default: the Materials Project 2019 formation-energy snapshot shipped with "
        "the package, CC BY 4.0), 'experimental' (pymatgen's embedded experimental formation enthalpies), "
        "a path to a snapshot (CSV(.gz) 'formula,<formation energy per atom>' or JSON(.gz) of ComputedEntry "
        "dicts), or 'mp' (Materials Project via mp-api, needs MP_API_KEY)"
    )


def _add_common(p: argparse.ArgumentParser, voltage: bool) -> None:
    p.add_argument("--source", default=DEFAULT_SOURCE, help=_source_help())
    p.add_argument("--thermo-type", default=None, help="Materials Project thermo type (with --source mp)")
    p.add_argument(
        "--exclude", action="append", default=None, metavar="ID_OR_FORMULA",
        help="drop entries from the source by entry id or formula (every entry of that composition); "
        "repeat or separate by commas, e.g. --exclude LiS4,S8O (recorded in the JSON provenance)",
    )
    from screening.entries.mp.cli import add_source_options

    add_source_options(p)
    if voltage:
        p.add_argument(
            "--voltage", type=float, default=None, metavar="V",
            help="open to Li at this potential [V vs Li/Li+] (mu_Li = -eV, Li metal = 0 V); omit for closed",
        )
    p.add_argument("--json", action="store_true", help="print one JSON document with every number")
    from screening.mlip.cli import add_options

    add_options(p)


def _add_electronic(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("interphase character (docs/interphase.md)")
    g.add_argument(
        "--electronic", default=None, metavar="CSV",
        help="band gap table 'formula,band_gap[,is_metal]' [eV] that overrides Materials Project values and the rule",
    )
    g.add_argument(
        "--gap-threshold", type=float, default=DEFAULT_GAP_THRESHOLD, metavar="EV",
        help=f"a phase conducts below this band gap [eV] or when is_metal (default {DEFAULT_GAP_THRESHOLD})",
    )
    g.add_argument(
        "--reaction-tolerance", type=float, default=DEFAULT_REACTION_TOLERANCE, metavar="EV",
        help="reactions less exothermic than this [eV/atom] count as none "
        f"(default {DEFAULT_REACTION_TOLERANCE}, kT at 298 K)",
    )


def _check_electronic_args(args: argparse.Namespace) -> None:
    """--gap-threshold and --reaction-tolerance in the ranges the config allows (the same check)."""
    from screening.interphase.tables import check_electronic_value

    for key, option in (("gap_threshold", "--gap-threshold"), ("reaction_tolerance", "--reaction-tolerance")):
        if getattr(args, key, None) is not None:
            setattr(args, key, check_electronic_value(key, getattr(args, key), option))


class _OneLineParser(argparse.ArgumentParser):
    """argparse with the package's error convention: one ``error:`` line, exit status 2 (no usage block)."""

    def error(self, message: str):  # type: ignore[override]
        hint = ""
        if "unrecognized arguments: -" in message:
            hint = "; put an argument that starts with '-' after '--'"
        self.exit(EXIT_BAD_INPUT, f"error: {self.prog}: {message}{hint}; see '{self.prog} --help'\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="screening",
        description="Interface stability screening for all-solid-state Li batteries (energies in eV/atom, "
        "open to Li in eV per non-Li atom; voltages in V vs Li/Li+).",
    )
    parser.add_argument("--version", action="version", version=f"screening {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("window", help="electrochemical stability window of a composition (or structure file)")
    p.add_argument("formula", help="a formula, or a structure file (CIF/POSCAR: energy from the 'mlip' extra)")
    _add_common(p, voltage=False)
    p.add_argument(
        "--li-tolerance", type=float, default=0.0, metavar="LI",
        help="skip steps from the composition until this much Li per non-Li atom is exchanged (default 0); "
        "for compositions a hair away from a phase, e.g. Li0.33La0.56TiO3",
    )
    _add_electronic(p)

    p = sub.add_parser("react", help="interface reaction profile of A | B (closed, or open to Li at --voltage)")
    p.add_argument("a")
    p.add_argument("b")
    _add_common(p, voltage=True)
    p.add_argument(
        "--raw", action="store_true",
        help="use each reactant's own lowest entry energy instead of its hull energy (default: hull-referenced)",
    )
    p.add_argument(
        "--convention", choices=REACTION_ENERGIES, default="total",
        help="reaction energy reported as the minimum open to Li: total (both reactants' own decomposition "
        "counted, default), mutual (neither), richards2016 (the --electrode held in its own equilibrium at the "
        "potential, the other's decomposition counted; Richards et al. 2016)",
    )
    p.add_argument(
        "--electrode", choices=("a", "b"), default="a",
        help="which reactant is the electrode for richards2016: a (first, default) or b (second)",
    )
    _add_electronic(p)

    p = sub.add_parser("decompose", help="hull energy, e_above_hull and decomposition (optionally open to Li)")
    p.add_argument("formula", help="a formula, or a structure file (CIF/POSCAR: energy from the 'mlip' extra)")
    _add_common(p, voltage=True)
    p.add_argument(
        "--convention", choices=DECOMPOSITION_CONVENTIONS, default="hull",
        help="decomposition energy open to Li: hull (default: per non-Li atom, compound on the hull) or zhu2015 "
        "(per atom of the compound, Li included, with its own entry energy; Zhu, He & Mo 2015, Tables 2-3)",
    )

    p = sub.add_parser("voltage", help="average voltage of an electrode between two Li contents of one host")
    p.add_argument("formula", help="the lithiated (discharged) composition, e.g. LiCoO2")
    p.add_argument("--charged", required=True, help="the delithiated (charged) composition, e.g. CoO2 or Li0.5CoO2")
    _add_common(p, voltage=False)
    p.add_argument(
        "--raw", action="store_true",
        help="report the voltage from each end's own lowest entry (default: both ends on the hull; both are shown)",
    )

    p = sub.add_parser(
        "verify", help="check a results folder against the sha256 in its provenance.json",
        description="Recompute the sha256 of every table listed in RESULTS_DIR/provenance.json and open every "
        "intermediate under RESULTS_DIR/work; name any file that differs or is unreadable and the command that "
        "recomputes it. Exit status 0 when everything matches, 2 otherwise.",
    )
    p.add_argument("results_dir", metavar="RESULTS_DIR", help="a results folder written by the workflow (e.g. results)")
    p.set_defaults(handler=cmd_verify)

    from screening.entries.mp.cli import register_cli as register_mp

    register_mp(sub)

    p = sub.add_parser(
        "rank", help="re-rank a finished screen under other criteria (no interface is recomputed)",
        description="Apply a criteria preset (xiao2019, nolan2021, kim2026, custom; docs/criteria.md) with gate "
        "overrides to a finished screen and write RESULTS/tables/rankings_<name>.{csv,parquet} beside the "
        "original, with its own provenance; print each stack's verdict.",
    )
    p.add_argument("results", metavar="RESULTS", help="a results folder written by the workflow (e.g. results)")
    p.add_argument("--criteria", default=None, help="the preset (default: the screen's own)")
    p.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="GATE.KEY=VALUE",
        help="override a gate, e.g. reaction_electrolyte.pass=0.05 or polyanion.enabled=false (repeatable)",
    )
    p.add_argument("--name", default=None, help="output name: tables/rankings_<name> (default: the preset's)")
    p.set_defaults(handler=cmd_rank)

    p = sub.add_parser("report", help="interactive HTML report (one self-contained file) of a results folder")
    p.add_argument("results", help="the workflow's results/ folder (or the folder that holds it)")
    p.add_argument(
        "-o", "--output", default=None,
        help="HTML file to write, or a folder to write report.html in (default: <results>/report/index.html)",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing file that is not a previous report")
    p.add_argument(
        "--rankings", default="rankings",
        help="the rankings table to show: rankings (default) or a rankings_<name> written by screening rank",
    )
    p.add_argument("--top-n", type=int, default=20, help="coatings per stack whose profiles are embedded (20)")
    p.add_argument(
        "--max-rows", type=int, default=100_000,
        help="ranking rows the tables embed in all; above it only ranked rows (100000)",
    )
    p.set_defaults(handler=cmd_report)
    from screening.mlip.cli import register_cli as register_energy

    register_energy(sub)
    return parser


def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from screening.report import load_results, write_report

    res = load_results(args.results, args.rankings)
    out = write_report(
        res, args.output or Path(res.root) / "report" / "index.html", top_n=args.top_n, max_rows=args.max_rows,
        force=args.force,
    )
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, {len(res.stacks)} stacks); open it in a browser")
    return 0


def _source(args: argparse.Namespace):
    """The typed entry source of ``--source`` (with ``--source mp``: its thermo type, cache and network options)."""
    from screening.entries import entry_source

    source = entry_source(args.source)
    if source.per_system:  # Materials Project: its thermo type, cache and network options
        from screening.entries.mp.cli import options_from_args

        source = entry_source(args.source, options_from_args(args))
    return source


def _engine(args: argparse.Namespace, formulas: Sequence[str], open_li: bool):
    """Engine on the source for ``formulas``; structure files among them are relaxed and added as
    flagged machine-learned entries. Returns (engine, formulas with files replaced, placements)."""
    from screening.composition import parse_formula
    from screening.entries import exclude_entries
    from screening.mlip.cli import add_entries, resolve
    from screening.mlip.structures import looks_like_structure_path
    from screening.thermo import Engine

    items = list(formulas)
    formulas, structures = resolve(args, items)
    it = iter(structures)  # each item's machine-learned entry (None for a formula)
    args.structure_entries = [next(it) if looks_like_structure_path(i) else None for i in items]
    elements = sorted({el for f in formulas for el in parse_formula(f)} | ({"Li"} if open_li else set()))
    table = _source(args).load(elements)
    table, _ = exclude_entries(table, args.exclude)
    if not structures:
        return Engine(table), formulas, []
    from screening.mlip.hull import place

    placements = [place(e, Engine(table)) for e in structures]
    add_entries(table, structures)  # an element the source lacks names the file
    if getattr(args, "join_hull", False):  # today's behaviour: the machine-learned entries join the hull
        args.structure_entries = [None] * len(items)
        return Engine(add_entries(table, structures)), formulas, placements
    # default: judged against the data's hull, never part of it (docs/mlip.md)
    return Engine(table), formulas, placements


def _electronic(args: argparse.Namespace, formulas: Sequence[str], open_li: bool):
    """The electronic model of a command: user table, MP band gaps (with --source mp) and the rule."""
    from screening.composition import parse_formula
    from screening.interphase import build_model

    systems = None
    if _source(args).has_band_gaps:
        systems = [sorted({el for f in formulas for el in parse_formula(f)} | ({"Li"} if open_li else set()))]
    return build_model(args.electronic, systems, gap_threshold=args.gap_threshold)


def _class_text(c) -> str:
    """``mixed-conducting (conducting: Li15Ge4 [rule]; no evidence: Li3P)``."""
    from screening.interphase import MIXED, NONE

    if c.cls == NONE:
        return NONE
    parts = []
    if c.conducting:
        parts.append("conducting: " + ", ".join(f"{p.formula} [{p.evidence}]" for p in c.products if p.conducting))
    if c.unknown and c.cls != MIXED:
        parts.append("no evidence: " + ", ".join(c.unknown))
    if not parts:
        parts.append("insulating: " + ", ".join(f"{p.formula} [{p.evidence}]" for p in c.products))
    return f"{c.cls} ({'; '.join(parts)})"


def _print_json(kind: str, result: dict, engine, electronic=None, placements=()) -> None:
    doc = {
        "command": kind,
        "result": result,
        "provenance": {"package": "screening", "version": __version__, "source": engine.table.provenance},
    }
    if electronic is not None:
        doc["provenance"]["electronic"] = electronic.summary
    if placements:
        doc["mlip"] = [p.as_dict() for p in placements]
    print(json.dumps(_jsonable(doc), indent=2))


def _phases_text(phases) -> str:
    return ", ".join(f"{p.amount:.4g} {p.formula}" for p in phases) or "-"


def _v(x: float | None) -> str:
    return "unbounded" if x is None else f"{x:.3f} V"


def _title(formula: str, reduced: str) -> str:
    return reduced if formula.replace(" ", "") == reduced else f"{formula} ({reduced})"


GLASS_NOTE = "glass/composite notation: takes the crystalline entry of the same composition"


def _label(has_entry: bool, virtual: bool, glass: bool = False, entry_id: str | None = None) -> str:
    if not has_entry:
        return " [virtual: no entry, placed on the hull]"
    if entry_id is not None and entry_id.startswith("mlip:"):
        return " [mlip: machine-learned energy, a screening estimate]"
    if glass:
        return f" [{GLASS_NOTE}]"
    return " [user-defined entry]" if virtual else ""


def _judged(args: argparse.Namespace, placements) -> list:
    """Per item of the command: the placement of its structure when it is judged against the hull (not part
    of it, the default), else None."""
    by_id = {p.entry.id: p for p in placements}
    return [None if e is None else by_id.get(e.id) for e in getattr(args, "structure_entries", [])] or [None, None]


def _banner(placements) -> None:
    if placements:
        from screening.mlip.cli import banner

        print("\n".join(banner(placements)))


def cmd_window(args: argparse.Namespace) -> int:
    eng, (formula,), placements = _engine(args, [args.formula], open_li=True)
    w = eng.window(formula, li_tolerance=args.li_tolerance)
    for text in w.warnings:
        warnings.warn(f"{w.formula}: {text}", ScreeningWarning, stacklevel=1)
    from screening.interphase import classify_window

    model = _electronic(args, [formula], open_li=True)
    classes = classify_window(w, model)
    if args.json:
        _print_json("window", {**w.as_dict(), "interphase": classes.as_dict()}, eng, model, placements)
        return 0
    _banner(placements)
    ehull = "-" if w.e_above_hull is None else f"{1000 * w.e_above_hull:.1f} meV/atom"
    label = _label(w.has_entry, w.virtual, w.glass_as_crystal)
    judged = _judged(args, placements)[0]
    if judged is not None:  # its own machine-learned energy against the data's hull, signed
        ehull = f"{1000 * judged.distance:+.1f} meV/atom (machine-learned, against the data's hull)"
        label = _label(True, True, entry_id=judged.entry.id)
    print(f"{_title(w.formula, w.reduced_formula)}{label}   e_above_hull: {ehull}")
    print(f"  reduction limit: {_v(w.reduction_limit):>12}   products: {_phases_text(w.reduction_products)}")
    print(f"  oxidation limit: {_v(w.oxidation_limit):>12}   products: {_phases_text(w.oxidation_products)}")
    print(f"  interphase on reduction: {_class_text(classes.reduction)}")
    print(f"  interphase on oxidation: {_class_text(classes.oxidation)}")
    print("  Li uptake profile (V vs Li/Li+, Li per formula unit, phases):")
    for pl in w.profile:
        end = "inf" if not math.isfinite(pl.li_end) else f"{pl.li_end:.3f}"
        print(f"    {pl.voltage:8.3f}  {pl.li_start:7.3f} -> {end:>7}  {', '.join(pl.phases)}")
    return 0


def cmd_react(args: argparse.Namespace) -> int:
    eng, (a, b), placements = _engine(args, [args.a, args.b], open_li=args.voltage is not None)
    own = [None if p is None else p.entry.formation_energy_per_atom for p in _judged(args, placements)]
    prof = eng.react(a, b, voltage=args.voltage, hull_reference=not args.raw, electrode=args.electrode,
                     energy_a=own[0], energy_b=own[1])
    value, x_min = prof.min_of(args.convention)
    from screening.interphase import classify_profile

    model = _electronic(args, [a, b], open_li=args.voltage is not None)
    classes = classify_profile(prof, model, tolerance=args.reaction_tolerance)
    if args.json:
        result = prof.as_dict()
        result["reaction_energy"] = {"convention": args.convention, "value": value, "x": x_min}
        result["interphase"] = classes.as_dict()
        _print_json("react", result, eng, model, placements)
        return 0
    _banner(placements)
    cond = "closed (chemical mixing)" if prof.voltage is None else f"open to Li at {prof.voltage:g} V vs Li/Li+"
    print(f"{prof.a} | {prof.b}: {cond}; reactants {prof.reference}-referenced; energies in {prof.units}")
    mlip_formulas = {p.entry.reduced_formula for p in placements}
    for name, virt in prof.virtual.items():
        if virt and name not in mlip_formulas:
            print(f"  note: {name} has no entry of its own (virtual, placed on the hull)")
        elif prof.glass_as_crystal.get(name):
            print(f"  note: {name} is in {GLASS_NOTE}")
    mutual = prof.open_to_li
    richards = mutual and args.convention == "richards2016"
    head = f"  {'x':>7} {'x_molar':>8} {'dE':>9}" + (f" {'dE_mutual':>10}" if mutual else "")
    head += f" {'dE_R2016':>9}" if richards else ""
    print(f"{head}  {'interphase':<16}  reaction")
    for k, c in zip(prof.kinks, classes.kinks, strict=True):
        row = f"  {k.x:7.4f} {k.x_molar:8.4f} {k.energy:9.4f}" + (f" {k.energy_mutual:10.4f}" if mutual else "")
        row += f" {k.energy_electrode:9.4f}" if richards else ""
        print(f"{row}  {c.cls:<16}  {k.reaction}")
    print(f"  minimum: {prof.min_energy:.4f} {prof.units} at x = {prof.min_x:.4f}", end="")
    print(f"; mutual minimum: {prof.min_energy_mutual:.4f} at x = {prof.min_x_mutual:.4f}" if mutual else "")
    if args.convention != "total":
        electrode = prof.a if prof.electrode == "a" else prof.b
        what = f"{args.convention}, electrode {electrode}" if args.convention == "richards2016" else args.convention
        print(f"  reaction energy ({what}): {value:.4f} {prof.units} at x = {x_min:.4f}")
    print(
        f"  interphase (conducting below {model.gap_threshold:g} eV; no reaction above "
        f"-{classes.tolerance:g} {prof.units}):"
    )
    for label, c in (("at the minimum", classes.minimum), (f"next to {prof.a}", classes.side_a),
                     (f"next to {prof.b}", classes.side_b)):
        print(f"    {label + ':':<24} {_class_text(c)}")
    return 0


def cmd_decompose(args: argparse.Namespace) -> int:
    eng, (formula,), placements = _engine(args, [args.formula], open_li=args.voltage is not None)
    d = eng.decompose(formula, voltage=args.voltage, convention=args.convention)
    if args.json:
        _print_json("decompose", d.as_dict(), eng, placements=placements)
        return 0
    _banner(placements)
    print(f"{_title(d.formula, d.reduced_formula)}{_label(d.has_entry, d.virtual, d.glass_as_crystal, d.entry_id)}")
    if d.has_entry:
        print(f"  lowest entry: {d.entry_id}  E_f = {d.entry_energy:.4f} eV/atom")
        print(f"  e_above_hull: {1000 * d.e_above_hull:.1f} meV/atom")
    print(f"  hull energy:  {d.hull_energy:.4f} eV/atom")
    zhu = d.convention == "zhu2015"
    zhu_note = "eV/atom of the compound, Li included, its own entry energy (zhu2015)"
    if d.voltage is None:
        print(f"  decomposition (per formula unit): {_phases_text(d.phases)}")
        if zhu:
            print(f"  decomposition energy: {d.decomposition_energy:.4f} {zhu_note}")
    else:
        li = d.li_exchanged
        verb = "takes up" if li > 0 else "releases"
        print(f"  open to Li at {d.voltage:g} V (mu_Li = {d.mu_li:.3f} eV):")
        units = zhu_note if zhu else "eV per non-Li atom"
        print(f"    decomposition energy: {d.decomposition_energy:.4f} {units}")
        print(f"    products (per formula unit): {_phases_text(d.phases)}; {verb} {abs(li):.4g} Li")
    return 0


def cmd_voltage(args: argparse.Namespace) -> int:
    eng, (formula, charged), placements = _engine(args, [args.formula, args.charged], open_li=True)
    v = eng.average_voltage(formula, charged, hull_reference=not args.raw)
    if args.json:
        _print_json("voltage", v.as_dict(), eng, placements=placements)
        return 0
    _banner(placements)
    hi, lo = v.lithiated, v.delithiated
    print(f"{hi.reduced_formula} -> {lo.reduced_formula} (host {v.host}): {v.li_transferred:.4g} Li per host "
          "formula unit")
    other = ("raw entries", v.voltage_raw) if v.reference == "hull" else ("hull", v.voltage_hull)
    print(f"  average voltage: {v.voltage:.3f} V vs Li/Li+ ({v.reference}-referenced; {other[0]}: {other[1]:.3f} V)")
    for s in (hi, lo):
        if s.has_entry:
            print(f"  {s.reduced_formula:<14} Li {s.li_per_host:<6.4g} entry {s.entry_id}  "
                  f"e_above_hull {1000 * s.e_above_hull:.1f} meV/atom")
        else:
            print(f"  {s.reduced_formula:<14} Li {s.li_per_host:<6.4g} [virtual: no entry, placed on the hull]")
    print("  hull steps (V vs Li/Li+, Li per host formula unit, phases):")
    for pl in v.steps:
        print(f"    {pl.voltage:8.3f}  {pl.li_start:7.3f} -> {pl.li_end:7.3f}  {', '.join(pl.phases)}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from screening.screen.verify import IntegrityError, verify_results

    report = verify_results(args.results_dir)
    if not report.ok:
        raise IntegrityError(report.message())
    print(report.message())
    return 0


def cmd_rank(args: argparse.Namespace) -> int:
    from screening.criteria import overrides_from_text
    from screening.screen.rerank import rerank

    df, out = rerank(args.results, args.criteria, overrides_from_text(args.overrides), args.name)
    crit = str(df["criteria"].iloc[0]) if len(df) else args.criteria
    print(f"{out}: {len(df)} rows under {crit}")
    for stack, note in df.drop_duplicates("stack_id")[["stack", "stack_note"]].itertuples(index=False):
        print(f"  {stack}: {note}")
    return 0


COMMANDS = {"window": cmd_window, "react": cmd_react, "decompose": cmd_decompose, "voltage": cmd_voltage}


def _print_warnings(caught) -> None:
    """``warning: ...`` lines on stderr for the package's warnings; others as Python formats them.

    Each recorded warning is printed exactly once, straight to stderr: re-emitting a library warning
    through :func:`warnings.showwarning` while the recording is active appended it to the very list being
    printed, so a command that triggered one never finished (issue 26, W1).
    """
    for w in list(caught):
        if issubclass(w.category, ScreeningWarning):
            print(f"warning: {w.message}", file=sys.stderr)
        else:
            sys.stderr.write(warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or one 'error:' line already printed
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    handler = COMMANDS.get(args.command) or getattr(args, "handler", None)
    caught: list = []
    try:
        _check_electronic_args(args)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ScreeningWarning)
                return int(handler(args) or 0)
        finally:  # outside the recording: printing can never add to the list being printed
            _print_warnings(caught)
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
