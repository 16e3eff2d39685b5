"""Interfaces of every stack: computing the planned reactions and collecting the tables.

Which interfaces a screen computes, and their ids, is the plan's business
(:class:`screening.plan.ScreenPlan`); here each planned :class:`~screening.plan.Interface` is computed
with :meth:`screening.thermo.Engine.react` (Richards et al., Chem. Mater. 28, 266 (2016); docs/science.md)
and its minimum (total, mutual and richards2016: the electrode ``b`` held in its own equilibrium at its
potential, see ``docs/conventions.md``) and every kink become rows keyed by the interface id.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pandas as pd

from screening.errors import ScreeningError
from screening.interphase import ElectronicModel, classify_profile
from screening.interphase import tables as interphase_tables
from screening.plan import INTERFACE_COLUMNS, Interface, ScreenPlan, baseline_interfaces, interface_frame
from screening.screen.candidates import load_candidates
from screening.screen.config import ScreenConfig
from screening.screen.electronic import electronic_model
from screening.screen.entries import load_entries
from screening.screen.io import write_table
from screening.screen.provenance import provenance_record
from screening.screen.windows import format_phases
from screening.thermo import Engine, ReactionProfile

log = logging.getLogger(__name__)
#: Roles of ``Interface.b`` that are an electrode (held in its own equilibrium in ``energy_richards2016``).
ELECTRODE_ROLES = ("cathode", "cathode_charged", "anode")

# ---------------------------------------------------------------------------------------------- compute
#: Columns of ``interfaces.csv``: the plan's typed interface columns, then the result.
SUMMARY_COLUMNS = [
    *INTERFACE_COLUMNS,
    "status",
    "energy",
    "x_at_energy",
    "reaction_at_energy",
    "energy_mutual",
    "x_at_energy_mutual",
    "reaction_at_energy_mutual",
    "products_at_energy_mutual",
    "energy_richards2016",
    "x_at_energy_richards2016",
    "decomposition_energy_a",
    "decomposition_energy_b",
    "n_kinks",
    "a_virtual",
    "b_virtual",
    "reference",
    "units",
    *interphase_tables.INTERFACE_COLUMNS,
    "note",
]
#: Columns of ``reactions.csv``: every kink of every interface, keyed by the interface id; ``units`` of its
#: energies (eV/atom closed, eV per non-Li atom open to Li).
KINK_COLUMNS = [
    "interface",
    "kink",
    "x",
    "x_molar",
    "energy",
    "energy_mutual",
    "energy_richards2016",
    "li_exchanged",
    "reaction",
    "products",
    "units",
    *interphase_tables.KINK_COLUMNS,
]


def summary_row(itf: Interface, profile: ReactionProfile | None, note: str = "", classes=None) -> dict:
    """One interface's result (the minimum over the mixing ratio, total and mutual), with its interphase
    classes (:func:`screening.interphase.tables.interface_columns`) when ``classes`` is given."""
    row: dict = {"interface": itf.id, "note": note}
    if profile is None:
        row["status"] = "skipped"
        return row
    k_tot = min(profile.kinks, key=lambda k: (k.energy, k.x))
    k_mut = min(profile.kinks, key=lambda k: (k.energy_mutual, k.x))
    # Richards 2016: b is the electrode when it is one; an interface without an electrode keeps the total
    e_r16, x_r16 = profile.min_of("richards2016" if itf.b.role in ELECTRODE_ROLES else "total")
    glass = [name for name, flag in profile.glass_as_crystal.items() if flag]
    if glass:
        notes = [note] if note else []
        notes += [f"{g}: glass/composite notation takes the crystalline entry of the same composition" for g in glass]
        row["note"] = "; ".join(notes)
    row.update(
        status="ok",
        energy=profile.min_energy,
        x_at_energy=profile.min_x,
        reaction_at_energy=k_tot.reaction,
        energy_mutual=profile.min_energy_mutual,
        x_at_energy_mutual=profile.min_x_mutual,
        reaction_at_energy_mutual=k_mut.reaction,
        products_at_energy_mutual=format_phases(k_mut.products),
        energy_richards2016=e_r16,
        x_at_energy_richards2016=x_r16,
        # each reactant's own decomposition energy at the interface's conditions (the profile's ends; open
        # to Li, Zhu, He & Mo 2015's E_D at the potential) [eV/atom closed, eV per non-Li atom open]
        decomposition_energy_a=_end(profile, 1.0),
        decomposition_energy_b=_end(profile, 0.0),
        n_kinks=len(profile.kinks),
        a_virtual=bool(profile.virtual.get(itf.a.formula, False)),
        b_virtual=bool(profile.virtual.get(itf.b.formula, False)),
        reference=profile.reference,
        units=profile.units,
    )
    if classes is not None:
        row.update(interphase_tables.interface_columns(classes))
    return row


def _end(profile: ReactionProfile, x: float) -> float:
    """The total energy of the profile's kink at ``x`` (1: reactant a alone, 0: b alone)."""
    return next((k.energy for k in profile.kinks if k.x == x), float("nan"))


def kink_rows(itf: Interface, profile: ReactionProfile, classes=None) -> list[dict]:
    extra = interphase_tables.kink_columns(classes) if classes is not None else [{}] * len(profile.kinks)
    electrode = itf.b.role in ELECTRODE_ROLES
    return [
        {
            "interface": itf.id,
            "kink": i,
            "x": k.x,
            "x_molar": k.x_molar,
            "energy": k.energy,
            "energy_mutual": k.energy_mutual,
            "energy_richards2016": k.energy_electrode if electrode else k.energy,
            "li_exchanged": k.li_exchanged,
            "reaction": k.reaction,
            "products": format_phases(k.products),
            "units": profile.units,
            **extra[i],
        }
        for i, k in enumerate(profile.kinks)
    ]


def compute(
    engine: Engine,
    interfaces: list[Interface],
    hull_reference: bool = True,
    electronic: ElectronicModel | None = None,
    reaction_tolerance: float = interphase_tables.DEFAULT_REACTION_TOLERANCE,
    own_energies: dict[str, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compute every interface; one the source cannot describe becomes a ``skipped`` row with the reason.

    With ``electronic``, every interface and every kink also gets its interphase class (next to a, next to
    b — the electrode or the electrolyte — and at the minimum; docs/interphase.md), with the evidence.
    ``own_energies``: coating name -> its own formation energy [eV/atom] as reactant a, for a candidate judged
    against the hull but not part of it (:func:`screening.mlip.screen.own_energies`).

    Returns:
        (summary, kinks): :data:`SUMMARY_COLUMNS` and :data:`KINK_COLUMNS` frames, sorted by interface id.
        Progress (done/total, rate, time left) goes to the log every ~5 %.
    """
    summaries, kinks = [], []
    t0 = time.perf_counter()
    step = max(1, len(interfaces) // 20)
    for i, itf in enumerate(interfaces, start=1):
        try:
            own = (own_energies or {}).get(itf.a.name) if itf.a.role == "coating" else None
            profile = engine.react(
                itf.a.formula, itf.b.formula, voltage=itf.voltage, hull_reference=hull_reference, electrode="b",
                energy_a=own,
            )
        except ScreeningError as exc:
            log.warning("skipped %s: %s", itf.label, exc)
            summaries.append(summary_row(itf, None, note=str(exc)))
        else:
            classes = None if electronic is None else classify_profile(profile, electronic, reaction_tolerance)
            summaries.append(summary_row(itf, profile, classes=classes))
            kinks += kink_rows(itf, profile, classes)
        if i % step == 0 or i == len(interfaces):
            dt = time.perf_counter() - t0
            log.info(
                "interfaces: %d/%d done (%.1f s, %.1f ms each, ~%.0f s left)",
                i,
                len(interfaces),
                dt,
                1000 * dt / i,
                dt / i * (len(interfaces) - i),
            )
    return sort_interfaces(_summary_frame(interfaces, summaries), _kink_frame(kinks))


def _summary_frame(interfaces: list[Interface], rows: list[dict]) -> pd.DataFrame:
    result = pd.DataFrame.from_records(rows, columns=[c for c in SUMMARY_COLUMNS if c not in INTERFACE_COLUMNS[1:]])
    df = interface_frame(interfaces).merge(result, on="interface", how="left", validate="one_to_one")[SUMMARY_COLUMNS]
    for col in (
        "voltage",
        "energy",
        "x_at_energy",
        "energy_mutual",
        "x_at_energy_mutual",
        "energy_richards2016",
        "x_at_energy_richards2016",
    ):
        df[col] = df[col].astype(float)
    df["n_kinks"] = df["n_kinks"].astype("Int64")
    df["open_to_li"] = df["open_to_li"].astype("boolean")
    for col in ("a_virtual", "b_virtual"):
        df[col] = df[col].astype("boolean")
    return df


def _kink_frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows, columns=KINK_COLUMNS)
    for col in ("interface", "kink"):
        df[col] = df[col].astype("int64")
    for col in ("x", "x_molar", "energy", "energy_mutual", "energy_richards2016", "li_exchanged"):
        df[col] = df[col].astype(float)
    return df


def sort_interfaces(summary: pd.DataFrame, kinks: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fixed row order: interfaces by id; kinks by interface id and x."""
    s = summary.sort_values("interface", kind="stable")
    k = kinks.sort_values(["interface", "x", "kink"], kind="stable")
    return s.reset_index(drop=True), k.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------- steps
def n_chunks(plan_parquet: str | Path) -> int:
    """Number of interface chunks of a plan file."""
    chunks = pd.read_parquet(plan_parquet, columns=["chunk"])["chunk"]
    return int(chunks.max()) + 1 if len(chunks) and chunks.max() >= 0 else 0


def run_chunk(
    entries_csv, provenance_json, candidates_csv, plan_parquet, config: dict, chunk: int, out_summary, out_kinks
):
    """Workflow step ``interface_chunk``: every planned interface of one chunk -> two Parquet files."""
    cfg = ScreenConfig.from_dict(config)
    plan = ScreenPlan.read(cfg, load_candidates(candidates_csv), plan_parquet)
    mine = plan.chunk(int(chunk))
    if not mine:
        raise ScreeningError(f"chunk {chunk} has no interfaces in {plan_parquet}; rerun the plan step")
    coatings = list(dict.fromkeys(i.a.name for i in mine))
    log.info("chunk %s: %d coatings (%s), %d interfaces", chunk, len(coatings), ", ".join(coatings), len(mine))
    engine = Engine(load_entries(entries_csv, provenance_json, cfg))
    from screening.mlip.screen import own_energies

    summary, kinks = compute(
        engine, mine, cfg.hull_reference, electronic_model(cfg), cfg.electronic.reaction_tolerance,
        own_energies(load_candidates(candidates_csv), cfg.raw),
    )
    write_table(summary, parquet_path=out_summary)
    write_table(kinks, parquet_path=out_kinks)


def run_baseline(entries_csv, provenance_json, config: dict, out_summary, out_kinks) -> None:
    """Workflow step ``baseline``: electrolyte | electrode interfaces without a coating (ids from the config)."""
    cfg = ScreenConfig.from_dict(config)
    tasks = list(baseline_interfaces(cfg))
    log.info("baseline: %d interfaces", len(tasks))
    engine = Engine(load_entries(entries_csv, provenance_json, cfg))
    summary, kinks = compute(
        engine, tasks, cfg.hull_reference, electronic_model(cfg), cfg.electronic.reaction_tolerance
    )
    write_table(summary, parquet_path=out_summary)
    write_table(kinks, parquet_path=out_kinks)


def run_collect(
    summaries: list[str | Path],
    kinks: list[str | Path],
    plan_parquet,
    provenance_json,
    config: dict,
    out_csv,
    out_parquet,
    out_reactions_csv,
    out_reactions_parquet,
) -> None:
    """Workflow step ``interfaces``: merge the chunks and the baseline into ``interfaces`` and ``reactions``.

    Raises:
        ScreeningError: a planned interface is missing from the chunks, or a chunk holds one the plan
            does not (outputs of another plan: rerun).
    """
    s = pd.concat([pd.read_parquet(p) for p in summaries], ignore_index=True)
    k = pd.concat([pd.read_parquet(p) for p in kinks], ignore_index=True)
    planned = pd.read_parquet(plan_parquet, columns=["interface"])["interface"]
    if sorted(s["interface"]) != sorted(planned):
        raise ScreeningError(
            f"the interface chunks do not match the plan {plan_parquet} ({len(s)} computed, {len(planned)} planned); "
            "delete results/work and rerun"
        )
    s, k = sort_interfaces(s, k)
    prov = provenance_record(provenance_json, config)
    write_table(s, out_csv, out_parquet, prov)
    write_table(k, out_reactions_csv, out_reactions_parquet, prov)
    log.info("%d interfaces (%d skipped), %d reaction kinks", len(s), int((s["status"] != "ok").sum()), len(k))


__all__ = [
    "KINK_COLUMNS",
    "SUMMARY_COLUMNS",
    "compute",
    "n_chunks",
    "run_baseline",
    "run_chunk",
    "run_collect",
    "sort_interfaces",
]
