"""Which interfaces hold a coating's energies in a stack: slots read from the plan.

A coating C in a stack (electrode E, electrolyte L) has its interfaces in five *slots*
(:func:`screening.plan.build.electrode_partners`, :func:`screening.plan.build.electrolyte_voltages`):

* ``electrode_open``: C | E open to Li at each of E's potentials [eV per non-Li atom];
* ``electrode_closed``: C | E closed, the discharged electrode (Li metal) [eV/atom];
* ``charged_closed``: C | charged cathode, closed [eV/atom];
* ``electrolyte_open``: C | L open to Li at each of E's potentials [eV per non-Li atom];
* ``electrolyte_closed``: C | L closed [eV/atom].

A slot's energy is the most negative over its interfaces (the worst potential). The uncoated baseline
L | E fills the electrode slots the same way. Joins are on typed keys (candidate id, interface kind,
partner, exact voltage), never on names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from screening.plan import ScreenPlan, Stack
from screening.plan.build import electrode_partners, electrolyte_voltages

#: Slots, with the units of their energies (as column names write them).
SLOTS = {
    "electrode_open": "eV_per_nonLi_atom",
    "electrode_closed": "eV_per_atom",
    "charged_closed": "eV_per_atom",
    "electrolyte_open": "eV_per_nonLi_atom",
    "electrolyte_closed": "eV_per_atom",
}
#: The coating's own decomposition energy at the electrode's potentials (the worst of them).
DECOMPOSITION_COLUMN = "coating_decomposition_open_eV_per_nonLi_atom"
#: Slots of the baseline (electrolyte | electrode, no coating).
BASELINE_SLOTS = ("electrode_open", "electrode_closed", "charged_closed")


def energy_column(slot: str, baseline: bool = False) -> str:
    """``energy_electrolyte_closed_eV_per_atom`` (``baseline_energy_...`` for the baseline)."""
    return f"{'baseline_' if baseline else ''}energy_{slot}_{SLOTS[slot]}"


def interface_column(slot: str, baseline: bool = False) -> str:
    """``interface_electrolyte_closed`` (``baseline_interface_...``): the interface of the slot's energy."""
    return f"{'baseline_' if baseline else ''}interface_{slot}"


def electrode_slot(role: str, voltage: float | None) -> str:
    if voltage is not None:
        return "electrode_open"
    return "charged_closed" if role == "cathode_charged" else "electrode_closed"


def _vkey(v) -> float:
    return -1.0 if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)


def stack_slots(stack: Stack) -> list[tuple[str, str, str, str, float]]:
    """(slot, interface kind, b role, b name, voltage key) of a coating's interfaces in a stack."""
    out = [
        (electrode_slot(b.role, v), f"coating|{b.role}", b.role, b.name, _vkey(v))
        for b, v in electrode_partners(stack.electrode)
    ]
    out += [
        ("electrolyte_open" if v is not None else "electrolyte_closed", "coating|electrolyte", "electrolyte",
         stack.electrolyte.name, _vkey(v))
        for v in electrolyte_voltages(stack.electrode)
    ]
    return out


def present_slots(stack: Stack) -> set[str]:
    """The slots a stack has (a cathode without a charged composition has no ``charged_closed``)."""
    return {s[0] for s in stack_slots(stack)}


def link_frame(plan: ScreenPlan, pairs: pd.DataFrame) -> pd.DataFrame:
    """Which interface holds each (stack, candidate)'s energy in each slot.

    Returns:
        Columns ``stack_id``, ``candidate``, ``slot``, ``interface`` (-1 where the plan has none: left out
        by the funnel), one row per interface of the slot.
    """
    partners: dict[tuple, int] = {}
    rows = []
    for s in plan.stacks:
        for slot, kind, br, bn, vk in stack_slots(s):
            code = partners.setdefault((kind, br, bn, vk), len(partners))
            rows.append((s.id, slot, code))
    per_stack = pd.DataFrame(rows, columns=["stack_id", "slot", "partner"])
    coating_ids = {c.name: i for i, c in enumerate(plan.coatings)}
    planned = [
        (i.id, coating_ids[i.a.name], partners[(i.kind, i.b.role, i.b.name, _vkey(i.voltage))])
        for i in plan.interfaces
        if i.a.role == "coating" and (i.kind, i.b.role, i.b.name, _vkey(i.voltage)) in partners
    ]
    planned_df = pd.DataFrame(planned, columns=["interface", "candidate", "partner"])
    links = pairs[["stack_id", "candidate"]].merge(per_stack, on="stack_id")
    links = links.merge(planned_df, on=["candidate", "partner"], how="left", validate="many_to_one")
    links["interface"] = links["interface"].fillna(-1).astype(np.int64)
    return links[["stack_id", "candidate", "slot", "interface"]]


def slot_energies(links: pd.DataFrame, interfaces: pd.DataFrame, col: str) -> pd.DataFrame:
    """Per (stack, candidate): each slot's most negative energy and its interface, as columns
    (:func:`energy_column`, :func:`interface_column`), plus ``_miss_<slot>`` (interfaces not planned),
    ``_bad_<slot>`` (failed) and ``_note_<slot>`` (the first failure's note). An incomplete slot's energy
    is NaN."""
    res = interfaces[["interface", "status", col, "note"]].rename(columns={col: "e", "note": "itf_note"})
    d = links.merge(res, on="interface", how="left")
    d["missing"] = d["interface"] < 0
    d["bad"] = ~d["missing"] & (d["status"] != "ok")
    keys = ["stack_id", "candidate", "slot"]
    flags = d.groupby(keys, sort=False).agg(n_missing=("missing", "sum"), n_bad=("bad", "sum")).reset_index()
    bad_notes = d[d["bad"]].drop_duplicates(keys)[[*keys, "itf_note"]].rename(columns={"itf_note": "bad_note"})
    best = d[~d["missing"] & ~d["bad"]].sort_values([*keys, "e", "interface"], kind="stable")
    best = best.drop_duplicates(keys)[[*keys, "e", "interface"]]
    out = flags.merge(best, on=keys, how="left").merge(bad_notes, on=keys, how="left")
    incomplete = (out["n_missing"] > 0) | (out["n_bad"] > 0)
    out.loc[incomplete, "e"] = np.nan
    out.loc[incomplete, "interface"] = np.nan
    wide = None
    for slot in SLOTS:
        sub = out[out["slot"] == slot][["stack_id", "candidate", "e", "interface", "n_missing", "n_bad", "bad_note"]]
        sub = sub.rename(
            columns={
                "e": energy_column(slot),
                "interface": interface_column(slot),
                "n_missing": f"_miss_{slot}",
                "n_bad": f"_bad_{slot}",
                "bad_note": f"_note_{slot}",
            }
        )
        wide = sub if wide is None else wide.merge(sub, on=["stack_id", "candidate"], how="outer")
    return wide


def coating_decomposition(links: pd.DataFrame, interfaces: pd.DataFrame) -> pd.DataFrame:
    """Per (stack, candidate): the coating's own decomposition energy open to Li at the electrode's potentials
    (Zhu, He & Mo, ACS Appl. Mater. Interfaces 7, 23685 (2015): E_D at a potential), the most negative over
    them, and that potential. Read from the coating | electrolyte interfaces open to Li (the profile's end
    with the coating alone).

    Returns:
        Columns ``stack_id``, ``candidate``, :data:`DECOMPOSITION_COLUMN`, ``coating_decomposition_voltage``.
    """
    cols = ["interface", "status", "voltage", "decomposition_energy_a"]
    if "decomposition_energy_a" not in interfaces.columns:  # tables written before the column existed
        return pd.DataFrame(columns=["stack_id", "candidate", DECOMPOSITION_COLUMN, "coating_decomposition_voltage"])
    mine = links[(links["slot"] == "electrolyte_open") & (links["interface"] >= 0)]
    d = mine.merge(interfaces[cols], on="interface", how="inner")
    d = d[d["status"] == "ok"].sort_values(["stack_id", "candidate", "decomposition_energy_a", "voltage"])
    d = d.drop_duplicates(["stack_id", "candidate"])
    return d[["stack_id", "candidate", "decomposition_energy_a", "voltage"]].rename(
        columns={"decomposition_energy_a": DECOMPOSITION_COLUMN, "voltage": "coating_decomposition_voltage"}
    )


def baseline_energies(plan: ScreenPlan, interfaces: pd.DataFrame, col: str) -> pd.DataFrame:
    """Per stack: the uncoated interfaces' most negative energy per electrode slot, with its interface id
    (:data:`BASELINE_SLOTS`), and ``_base_note`` when one could not be computed."""
    res = interfaces.set_index("interface")
    rows = []
    for s in plan.stacks:
        row: dict = {"stack_id": s.id, "_base_note": ""}
        for slot in BASELINE_SLOTS:
            row[energy_column(slot, True)] = np.nan
            row[interface_column(slot, True)] = pd.NA
        for (b, v), ident in zip(electrode_partners(s.electrode), plan.baseline_ids(s), strict=True):
            slot = electrode_slot(b.role, v)
            ecol, icol = energy_column(slot, True), interface_column(slot, True)
            r = None if ident is None or ident not in res.index else res.loc[ident]
            if r is None or r["status"] != "ok":
                row["_base_note"] = f"baseline interface {ident}: {'not computed' if r is None else r['note']}"
                continue
            if np.isnan(row[ecol]) or float(r[col]) < row[ecol]:
                row[ecol], row[icol] = float(r[col]), int(ident)
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = [
    "BASELINE_SLOTS",
    "DECOMPOSITION_COLUMN",
    "SLOTS",
    "baseline_energies",
    "coating_decomposition",
    "electrode_slot",
    "energy_column",
    "interface_column",
    "link_frame",
    "present_slots",
    "slot_energies",
    "stack_slots",
]
