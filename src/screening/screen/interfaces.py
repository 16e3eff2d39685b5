"""Interfaces of every stack: which reactions to compute, computing them, collecting the tables.

Per coating C (SCIENCE.md; Xiao et al. 2019; Richards et al. 2016):

* C | cathode open to Li at the bottom and at the top of the cathode's voltage range, and C | charged
  cathode closed when a charged composition is given;
* C | anode: closed mixing with Li metal; any other anode open to Li at its potential;
* C | electrolyte open to Li at every electrode potential of the screen (the coating sits at its
  electrode's potential, so each stack uses those of its electrode).

Baseline (no coating): electrolyte | electrode at the same potentials (and closed with the charged
cathode). Every reaction (a, b, voltage) is computed once and identified by :func:`interface_id`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from screening.composition import parse_formula
from screening.errors import ScreeningError
from screening.screen.config import Material, ScreenConfig
from screening.screen.io import write_table
from screening.screen.materials import format_phases, load_candidates, load_entries
from screening.screen.provenance import provenance_record
from screening.thermo import Engine, ReactionProfile

log = logging.getLogger(__name__)

KIND_ORDER = (
    "electrolyte|cathode",
    "electrolyte|cathode_charged",
    "electrolyte|anode",
    "coating|cathode",
    "coating|cathode_charged",
    "coating|anode",
    "coating|electrolyte",
)


def interface_id(a_name: str, b_label: str, voltage: float | None, baseline: bool = False) -> str:
    """Identifier of one reaction: ``LiNbO3 | LiCoO2 @ 4.300 V``, ``LiNbO3 | Li (closed)``, or for an
    electrolyte | electrode reaction without coating ``baseline: Li3PS4 | LiCoO2 @ 4.300 V``."""
    where = "(closed)" if voltage is None else f"@ {voltage:.3f} V"
    return f"{'baseline: ' if baseline else ''}{a_name} | {b_label} {where}"


def charged_label(cathode: str) -> str:
    return f"{cathode} (charged)"


def is_li_metal(m: Material) -> bool:
    return set(parse_formula(m.formula)) == {"Li"}


@dataclass(frozen=True)
class Task:
    """One reaction to compute: A | B, closed (voltage None) or open to Li at ``voltage``."""

    interface_id: str
    kind: str
    a_name: str
    a_formula: str
    b_name: str
    b_label: str
    b_formula: str
    voltage: float | None


def _task(kind: str, a_name: str, a_formula: str, b_name: str, b_label: str, b_formula: str, v) -> Task:
    ident = interface_id(a_name, b_label, v, baseline=kind.startswith("electrolyte|"))
    return Task(ident, kind, a_name, a_formula, b_name, b_label, b_formula, v)


def electrode_tasks(a_kind: str, a_name: str, a_formula: str, electrode: Material) -> list[Task]:
    """A | electrode: a cathode at the bottom and top of its range (+ charged, closed); an anode."""
    role = electrode.role
    if role == "cathode":
        out = [
            _task(f"{a_kind}|cathode", a_name, a_formula, electrode.name, electrode.name, electrode.formula, v)
            for v in electrode.potentials
        ]
        if electrode.charged:
            out.append(
                _task(
                    f"{a_kind}|cathode_charged",
                    a_name,
                    a_formula,
                    electrode.name,
                    charged_label(electrode.name),
                    electrode.charged,
                    None,
                )
            )
        return out
    v = None if is_li_metal(electrode) else electrode.potentials[0]
    return [_task(f"{a_kind}|anode", a_name, a_formula, electrode.name, electrode.name, electrode.formula, v)]


def coating_tasks(cfg: ScreenConfig, coating: str, formula: str) -> list[Task]:
    """Every reaction of one coating with the screen's electrodes and electrolytes."""
    out: list[Task] = []
    for e in cfg.electrodes:
        out += electrode_tasks("coating", coating, formula, e)
    for el in cfg.electrolytes:
        out += [_task("coating|electrolyte", coating, formula, el.name, el.name, el.formula, v) for v in cfg.potentials]
    return out


def baseline_tasks(cfg: ScreenConfig) -> list[Task]:
    """Electrolyte | electrode reactions without a coating."""
    return [
        t
        for el in cfg.electrolytes
        for e in cfg.electrodes
        for t in electrode_tasks("electrolyte", el.name, el.formula, e)
    ]


# ---------------------------------------------------------------------------------------------- compute
SUMMARY_COLUMNS = [
    "interface_id",
    "kind",
    "a_name",
    "a_formula",
    "b_name",
    "b_label",
    "b_formula",
    "open_to_li",
    "voltage",
    "status",
    "energy",
    "x_at_energy",
    "reaction_at_energy",
    "energy_mutual",
    "x_at_energy_mutual",
    "reaction_at_energy_mutual",
    "products_at_energy_mutual",
    "n_kinks",
    "a_virtual",
    "b_virtual",
    "reference",
    "units",
    "note",
]
KINK_COLUMNS = [
    "interface_id",
    "kink",
    "x",
    "x_molar",
    "energy",
    "energy_mutual",
    "li_exchanged",
    "reaction",
    "products",
]


def summary_row(task: Task, profile: ReactionProfile | None, note: str = "") -> dict:
    """One interface's result (the minimum over the mixing ratio, total and mutual)."""
    row = asdict(task)
    row.update(open_to_li=task.voltage is not None, note=note)
    if profile is None:
        row["status"] = "skipped"
        return row
    k_tot = min(profile.kinks, key=lambda k: (k.energy, k.x))
    k_mut = min(profile.kinks, key=lambda k: (k.energy_mutual, k.x))
    row.update(
        status="ok",
        energy=profile.min_energy,
        x_at_energy=profile.min_x,
        reaction_at_energy=k_tot.reaction,
        energy_mutual=profile.min_energy_mutual,
        x_at_energy_mutual=profile.min_x_mutual,
        reaction_at_energy_mutual=k_mut.reaction,
        products_at_energy_mutual=format_phases(k_mut.products),
        n_kinks=len(profile.kinks),
        a_virtual=bool(profile.virtual.get(task.a_formula, False)),
        b_virtual=bool(profile.virtual.get(task.b_formula, False)),
        reference=profile.reference,
        units=profile.units,
    )
    return row


def kink_rows(task: Task, profile: ReactionProfile) -> list[dict]:
    return [
        {
            "interface_id": task.interface_id,
            "kink": i,
            "x": k.x,
            "x_molar": k.x_molar,
            "energy": k.energy,
            "energy_mutual": k.energy_mutual,
            "li_exchanged": k.li_exchanged,
            "reaction": k.reaction,
            "products": format_phases(k.products),
        }
        for i, k in enumerate(profile.kinks)
    ]


def compute(engine: Engine, tasks: list[Task], hull_reference: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compute every task; a reaction the source cannot describe becomes a ``skipped`` row with the reason.

    Progress (done/total, rate, time left) goes to the log every ~5 %.
    """
    summaries, kinks = [], []
    t0 = time.perf_counter()
    step = max(1, len(tasks) // 20)
    for i, task in enumerate(tasks, start=1):
        try:
            profile = engine.react(task.a_formula, task.b_formula, voltage=task.voltage, hull_reference=hull_reference)
        except ScreeningError as exc:
            log.warning("skipped %s: %s", task.interface_id, exc)
            summaries.append(summary_row(task, None, note=str(exc)))
        else:
            summaries.append(summary_row(task, profile))
            kinks += kink_rows(task, profile)
        if i % step == 0 or i == len(tasks):
            dt = time.perf_counter() - t0
            log.info(
                "interfaces: %d/%d done (%.1f s, %.1f ms each, ~%.0f s left)",
                i,
                len(tasks),
                dt,
                1000 * dt / i,
                dt / i * (len(tasks) - i),
            )
    return _summary_frame(summaries), _kink_frame(kinks)


def _summary_frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows, columns=SUMMARY_COLUMNS)
    for col in ("voltage", "energy", "x_at_energy", "energy_mutual", "x_at_energy_mutual"):
        df[col] = df[col].astype(float)
    df["n_kinks"] = df["n_kinks"].astype("Int64")
    for col in ("open_to_li", "a_virtual", "b_virtual"):
        df[col] = df[col].astype("boolean")
    return df


def _kink_frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows, columns=KINK_COLUMNS)
    df["kink"] = df["kink"].astype("int64")
    for col in ("x", "x_molar", "energy", "energy_mutual", "li_exchanged"):
        df[col] = df[col].astype(float)
    return df


def sort_interfaces(summary: pd.DataFrame, kinks: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fixed row order: by kind, A, B, voltage (closed first); kinks by interface and x."""
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    s = summary.assign(_k=summary["kind"].map(order), _v=summary["voltage"].fillna(-1.0))
    s = s.sort_values(["_k", "a_name", "b_label", "_v"], kind="stable").drop(columns=["_k", "_v"])
    k = kinks.sort_values(["interface_id", "x", "kink"], kind="stable")
    return s.reset_index(drop=True), k.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------- steps
def run_chunk(entries_csv, provenance_json, candidates_csv, config: dict, chunk: int, out_summary, out_kinks) -> None:
    """Workflow step: every interface of the coatings in one chunk -> two Parquet files."""
    cfg = ScreenConfig.from_dict(config)
    cands = load_candidates(candidates_csv)
    mine = cands[cands["chunk"] == int(chunk)]
    if mine.empty:
        raise ScreeningError(f"chunk {chunk} has no candidates in {candidates_csv}; rerun the candidates step")
    tasks = [t for c in mine.itertuples(index=False) for t in coating_tasks(cfg, c.coating, c.formula)]
    log.info("chunk %s: %d coatings (%s), %d interfaces", chunk, len(mine), ", ".join(mine["coating"]), len(tasks))
    engine = Engine(load_entries(entries_csv, provenance_json, config))
    summary, kinks = sort_interfaces(*compute(engine, tasks, cfg.hull_reference))
    write_table(summary, parquet_path=out_summary)
    write_table(kinks, parquet_path=out_kinks)


def run_baseline(entries_csv, provenance_json, config: dict, out_summary, out_kinks) -> None:
    """Workflow step: electrolyte | electrode interfaces without a coating."""
    cfg = ScreenConfig.from_dict(config)
    tasks = baseline_tasks(cfg)
    log.info("baseline: %d interfaces", len(tasks))
    engine = Engine(load_entries(entries_csv, provenance_json, config))
    summary, kinks = sort_interfaces(*compute(engine, tasks, cfg.hull_reference))
    write_table(summary, parquet_path=out_summary)
    write_table(kinks, parquet_path=out_kinks)


def run_collect(
    summaries: list[str | Path],
    kinks: list[str | Path],
    provenance_json,
    config: dict,
    out_csv,
    out_parquet,
    out_reactions_csv,
    out_reactions_parquet,
) -> None:
    """Workflow step: merge the chunks and the baseline into ``interfaces`` and ``reactions`` tables."""
    s = pd.concat([pd.read_parquet(p) for p in summaries], ignore_index=True)
    k = pd.concat([pd.read_parquet(p) for p in kinks], ignore_index=True)
    s = s.drop_duplicates("interface_id")
    s, k = sort_interfaces(s, k.drop_duplicates(["interface_id", "kink"]))
    prov = provenance_record(provenance_json, config)
    write_table(s, out_csv, out_parquet, prov)
    write_table(k, out_reactions_csv, out_reactions_parquet, prov)
    log.info("%d interfaces (%d skipped), %d reaction kinks", len(s), int((s["status"] != "ok").sum()), len(k))


__all__ = [
    "Task",
    "baseline_tasks",
    "charged_label",
    "coating_tasks",
    "compute",
    "interface_id",
    "run_baseline",
    "run_chunk",
    "run_collect",
]
