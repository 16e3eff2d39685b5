"""Command-line pieces: ``screening energy FILE...`` and structure files in window/react/decompose.

A structure file given where a formula is expected is relaxed (or read from the cache), added to the
source's entries as a flagged ``mlip:`` entry, and replaced by its reduced formula; every printed and
JSON output says the energy is machine-learned.
"""

from __future__ import annotations

import argparse
import os
import sys

from screening.data import DEFAULT_SOURCE
from screening.mlip.structures import MAX_ATOMS


def add_options(p: argparse.ArgumentParser) -> None:
    """Options of the potential, for every command that accepts structure files."""
    g = p.add_argument_group("structure files (machine-learned potential; needs the 'mlip' extra)")
    g.add_argument("--model", default="chgnet", help="universal potential (default chgnet)")
    g.add_argument("--fmax", type=float, default=0.05, help="force convergence [eV/A] (default 0.05)")
    g.add_argument("--steps", type=int, default=300, help="maximum relaxation steps (default 300)")
    g.add_argument("--cache-dir", dest="mlip_cache_dir", default=None,
                   help="relaxation cache, shared with the workflow and run_screen (default $SCREENING_MLIP_CACHE, "
                   "else resources/mlip_cache in the working directory, the config's mlip.cache_dir default)")
    g.add_argument("--join-hull", action="store_true",
                   help="let the machine-learned entries join the data's hull (default: judged against it, never "
                   "part of it; config mlip.join_hull)")
    g.add_argument("--max-atoms", type=_positive_int, default=MAX_ATOMS, metavar="N",
                   help=f"most atoms per structure (default {MAX_ATOMS}; memory ~1 GB + 16 MB per atom)")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not >= 1")
    return value


def read_all(args: argparse.Namespace, paths: list[str]) -> list:
    """Every structure file read and checked (bounds included) before any model is loaded."""
    from screening.mlip.structures import read_structure

    return [read_structure(p, args.max_atoms) for p in paths]


def calculator(args: argparse.Namespace):
    from screening.mlip.energies import MLIPCalculator
    from screening.mlip.model import RelaxSettings

    settings = RelaxSettings(fmax=args.fmax, steps=args.steps)
    cache = args.mlip_cache_dir if args.mlip_cache_dir else "default"
    return MLIPCalculator(args.model, settings, cache_dir=cache, max_atoms=args.max_atoms)


def warn_flags(entry) -> None:
    """One stderr line per flag of a relaxed structure (a flagged row stays in the output)."""
    for flag in entry.flags:
        if flag == "not_converged":
            print(f"warning: {entry.file}: relaxation did not converge in {entry.steps} steps (max force "
                  f"{entry.max_force:.3f} eV/A); energy flagged, rerun with a larger --steps", file=sys.stderr)
        elif flag.startswith("approximate_reference:"):
            el = flag.split(":", 1)[1]
            print(f"warning: {entry.file}: the {el} reference is a simple stand-in structure, not its ground "
                  "state; formation energy less certain", file=sys.stderr)


def resolve(args: argparse.Namespace, items: list[str]) -> tuple[list[str], list]:
    """Replace structure paths in ``items`` by reduced formulas; relax them.

    Returns:
        (formulas, [StructureEnergy, ...] in the order of the files).
    """
    from screening.mlip.structures import directory_error, looks_like_structure_path

    for item in items:  # a folder written as a path: the same error as in the config's coatings.structures
        if (os.sep in item or looks_like_structure_path(item)) and os.path.isdir(item):
            raise directory_error(item)
    if not any(looks_like_structure_path(i) for i in items):
        return list(items), []
    files = dict(zip([i for i in items if looks_like_structure_path(i)],
                     read_all(args, [i for i in items if looks_like_structure_path(i)]), strict=True))
    calc = calculator(args)
    formulas, entries = [], []
    for item in items:
        if looks_like_structure_path(item):
            e = calc.energy_of(files[item])
            warn_flags(e)
            entries.append(e)
            formulas.append(e.reduced_formula)
        else:
            formulas.append(item)
    return formulas, entries


def add_entries(table, entries: list):
    """``table`` with the relaxed entries; an element the source lacks names the file."""
    from screening.errors import MissingElementError
    from screening.mlip.hull import with_mlip_entries

    for e in entries:
        try:
            table.check_elements(e.composition, e.reduced_formula)
        except MissingElementError as exc:
            raise MissingElementError(f"structure {e.file!r}: {exc}") from None
    return with_mlip_entries(table, entries)


def banner(placements: list) -> list[str]:
    """Text lines describing machine-learned entries against the data's hull."""
    from screening.mlip.energies import MLIP_NOTE

    lines = []
    for p in placements:
        e = p.entry
        flags = f"  FLAGGED: {', '.join(e.flags)}" if e.flags else ""
        lines.append(f"{e.reduced_formula} from {e.file} [mlip: {e.model['model']} {e.model['version']}]"
                     f"  E_f = {e.formation_energy_per_atom:.4f} eV/atom  distance to data hull "
                     f"{1000 * p.distance:+.1f} meV/atom{flags}")
        if p.distance < 0:
            lines.append(f"  {e.file}: below the data's hull by {-1000 * p.distance:.1f} meV/atom (judged against "
                         "it, not part of it; within the model/data scale offset unless much larger, docs/mlip.md)")
    if placements:
        lines.append(f"  note: {MLIP_NOTE}")
    return lines


def cmd_energy(args: argparse.Namespace) -> int:
    """``screening energy FILE...``: relax, formation energy, e_above_hull and decomposition."""
    from screening.entries import entry_source
    from screening.mlip.energies import MLIP_NOTE
    from screening.mlip.hull import place
    from screening.thermo import Engine

    files = read_all(args, args.files)  # every bound checked before the model loads
    calc = calculator(args)
    entries = []
    for sf in files:
        e = calc.energy_of(sf)
        warn_flags(e)
        entries.append(e)
    elements = sorted({el for e in entries for el in e.composition})
    table = entry_source(args.source, {"thermo_type": args.thermo_type}).load(elements)  # options: mp only
    eng = Engine(table)
    placements = [place(e, eng) for e in entries]
    model_scale = [None] * len(placements)
    if args.model_reference:
        from screening.errors import ScreeningError
        from screening.mlip.competing import against_competing_phases, structures_of_source

        structures = structures_of_source(table.provenance)
        if not structures:
            raise ScreeningError(
                "--model-reference needs the structures of the competing phases: use --source mp, or a JSON "
                "snapshot with structures (screening mp export)"
            )
        model_scale = [against_competing_phases(p, structures, calc) for p in placements]
    if args.json:
        import json

        from screening import __version__
        from screening.output import jsonable

        results = [p.as_dict() | ({"model_scale": m.as_dict()} if m else {}) for p, m in zip(placements, model_scale,
                                                                                               strict=True)]
        doc = {"command": "energy", "result": results, "note": MLIP_NOTE,
               "provenance": {"package": "screening", "version": __version__, "source": table.provenance}}
        print(json.dumps(jsonable(doc), indent=2))
        return 0
    src = table.provenance.get("file") or table.provenance.get("source")
    print(f"structures relaxed with {entries[0].model['model']} {entries[0].model['version']}; hull of {src}")
    print(f"  note: {MLIP_NOTE}")
    head = f"  {'file':<24} {'formula':<12} {'E_f':>9} {'E_hull':>9} {'e_above_hull':>13}  {'conv':<5} decomposition"
    print(head)
    print(f"  {'':<24} {'':<12} {'eV/atom':>9} {'eV/atom':>9} {'meV/atom':>13}")
    for p, m in zip(placements, model_scale, strict=True):
        e = p.entry
        dec = ", ".join(f"{a:.4g} {f}" for f, _, a in p.decomposition) or "-"
        conv = "yes" if e.converged else "NO"
        flag = f"  [{', '.join(e.flags)}]" if e.flags else ""
        print(f"  {e.file:<24} {e.reduced_formula:<12} {e.formation_energy_per_atom:9.4f} {p.hull_energy:9.4f} "
              f"{1000 * p.e_above_hull:13.1f}  {conv:<5} {dec}{flag}")
        if p.distance < 0:
            print(f"  {'':<24} below the data's hull by {-1000 * p.distance:.1f} meV/atom (within the scale offset "
                  "of model and data unless much larger; see docs/mlip.md)")
        if m is not None:
            print(f"  {'':<24} against the same phases relaxed by the model: {1000 * m.distance:+.1f} meV/atom "
                  f"(model hull {m.hull_energy:.4f} eV/atom)")
    return 0


def register_cli(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``energy`` to the command line."""
    p = sub.add_parser(
        "energy", help="formation energy, e_above_hull and decomposition of structure files (machine-learned)",
        description="Relax structure files (CIF, POSCAR, pymatgen JSON) with a universal machine-learned "
        "potential (CHGNet), compute formation energies against the model's own elemental references and "
        "place them on the source's hull. A screening estimate, not DFT.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--source", default=DEFAULT_SOURCE, help="entry source whose hull is used (see 'window -h')")
    p.add_argument("--thermo-type", default=None, help="Materials Project thermo type (with --source mp)")
    p.add_argument("--json", action="store_true", help="print one JSON document with every number")
    p.add_argument("--model-reference", action="store_true",
                   help="also compare with the data's competing phases relaxed by the same model (needs a source "
                   "with structures: --source mp or a JSON export); removes the model/data scale offset")
    add_options(p)
    p.set_defaults(handler=cmd_energy)
    return p


__all__ = ["add_entries", "add_options", "banner", "cmd_energy", "read_all", "register_cli", "resolve"]
