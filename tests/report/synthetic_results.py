"""A synthetic results folder of any size, with the workflow's layout (for the report's size tests)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from screening.screen.provenance import RESULTS_FORMAT


def synthetic_results(
    root: Path, n_coatings: int, kinks_per_interface: int = 4, seed: int = 0, coatings: list[str] | None = None
) -> Path:
    """A results folder with the workflow's layout: 2 electrodes x 3 electrolytes, ``n_coatings`` coatings.

    Numbers are random but consistent (each interface's minimum is its lowest kink; each ranking row's
    energies are its interfaces' minima), which is all the report needs. ``coatings`` (optional) names the
    first coatings (e.g. hostile names); the rest are generated.
    """
    rng = np.random.default_rng(seed)
    res = root / "results"
    (res / "tables").mkdir(parents=True)
    given = list(coatings or [])
    coatings = given + [f"Li{i}Xx{i % 7 + 1}O{i % 5 + 1}" for i in range(len(given), n_coatings)]
    electrolytes = ["Li3PS4", "Li6PS5Cl", "Li7La3Zr2O12"]
    electrodes = [("LiCoO2", "cathode", [3.0, 4.3], True), ("Li", "anode", [0.0], False)]
    itf, kinks = [], []

    def add(kind, a, b, v):
        iid = len(itf)
        x = np.sort(np.concatenate([[0.0, 1.0], rng.uniform(0, 1, kinks_per_interface - 2)]))
        e = np.round(np.where((x > 0) & (x < 1), -rng.uniform(0, 0.5, len(x)), 0.0), 6)
        for j, (xx, ee) in enumerate(zip(x, e, strict=True)):
            kinks.append((iid, j, xx, xx, ee, ee, 0.0, f"{xx:.3f} {a} + {1 - xx:.3f} {b} -> P{j}", f"1 P{j}"))
        itf.append((iid, kind, a, b, kind.split("|")[1], v, v is not None, e.min(), e.min(), "ok"))
        return e.min()

    for el in electrolytes:
        for name, role, vs, _ in electrodes:
            for v in vs if role == "cathode" else [None]:
                add(f"electrolyte|{role}", el, name, v)
    rank_rows = []
    for c in coatings:
        e_el = {}
        for name, role, vs, _ in electrodes:
            e_el[name] = min(add(f"coating|{role}", c, name, v) for v in (vs if role == "cathode" else [None]))
        for el in electrolytes:
            pots = sorted({v for _, _, vs, _ in electrodes for v in vs})
            e_ly = {v: add("coating|electrolyte", c, el, v) for v in pots}
            for name, role, vs, _ in electrodes:
                rank_rows.append({
                    "stack": f"{name} | {el}", "electrode": name, "electrode_role": role, "electrolyte": el,
                    "coating": c, "status": "ok", "reaction_energy_kind": "mutual",
                    "energy_electrode": e_el[name], "energy_electrolyte": min(e_ly[v] for v in vs),
                    "potential_low": min(vs), "potential_high": max(vs),
                    "score": float(rng.uniform()), "fail_reasons": "window does not span 0.00 V (margin -0.5 V)",
                    "e_above_hull": float(rng.uniform(0, 0.02)),
                })
    rk = pd.DataFrame(rank_rows)
    # the workflow's other ranking columns, so that the size is that of a real table
    n = len(rk)
    rk["coating_formula"] = rk["coating"]
    rk["origin"] = "query"
    for col in ("pareto_rank", "pareto_rank_all"):
        rk[col] = pd.array(rng.integers(1, 40, n), dtype="Int64")
    rk["interface_electrode"] = rk["coating"] + " | " + rk["electrode"] + " @ 4.300 V"
    rk["interface_electrolyte"] = rk["coating"] + " | " + rk["electrolyte"] + " @ 4.300 V"
    rk["baseline_interface"] = "baseline: " + rk["electrolyte"] + " | " + rk["electrode"] + " @ 4.300 V"
    for col in ("worst_interface_energy", "baseline_energy", "improvement", "e_above_hull_used", "reduction_limit",
                "oxidation_limit", "window_margin", "s_electrode", "s_electrolyte", "s_window", "s_e_above_hull"):
        rk[col] = np.round(rng.uniform(-1, 1, n), 6)
    for col in ("has_entry", "virtual"):
        rk[col] = rng.uniform(size=n) < 0.5
    rk["note"] = ""
    rk["rank"] = rk.groupby("stack")["score"].rank(ascending=False, method="first").astype("Int64")
    rk["passes"] = rk["rank"] <= 50
    # the funnel: the last quarter stopped at the window filter (no rank), the rest reached the reactions
    cut = rk["rank"] > (3 * n_coatings) // 4
    rk["stage"] = np.where(rk["passes"], "passed", np.where(cut, "screened", "fails"))
    rk.loc[cut, "rank"] = pd.NA
    pd.DataFrame(itf, columns=["interface", "kind", "a_name", "b_name", "b_role", "voltage", "open_to_li",
                               "energy", "energy_mutual", "status"]).to_parquet(res / "tables" / "interfaces.parquet")
    pd.DataFrame(kinks, columns=["interface", "kink", "x", "x_molar", "energy", "energy_mutual", "li_exchanged",
                                 "reaction", "products"]).to_parquet(res / "tables" / "reactions.parquet")
    rk.to_parquet(res / "tables" / "rankings.parquet")
    win = pd.DataFrame({"role": "coating", "name": coatings, "formula": coatings, "virtual": False,
                        "e_above_hull": 0.0, "reduction_limit": rng.uniform(0, 2, n_coatings),
                        "oxidation_limit": rng.uniform(3, 5, n_coatings), "status": "ok"})
    win.to_parquet(res / "tables" / "windows.parquet")
    prov = {"results_format": RESULTS_FORMAT, "screening_version": "synthetic", "source": {"source": "synthetic"}}
    (res / "provenance.json").write_text(json.dumps(prov))
    return res
