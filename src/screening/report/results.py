"""Reading a results folder: the workflow's tables and provenance, checked, as DataFrames.

This is the one place that knows the folder layout the workflow writes (``tables/*.parquet`` and
``provenance.json``) and how the tables join: a stack's ranking rows, a coating's interfaces with each
neighbour (electrode at each potential, charged cathode, electrolyte at the electrode's potentials),
the uncoated baseline of the stack, and the kinks (``reactions``) of any interface.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from screening.errors import ResultsError
from screening.screen.provenance import RESULTS_FORMAT

#: Tables every results folder holds (``tables/<name>.parquet``).
TABLES = ("windows", "interfaces", "reactions", "rankings")
#: Two potentials closer than this [V] are the same electrode potential.
V_TOL = 1e-6


def _locate(path: str | Path) -> Path:
    """The results folder: ``path`` itself, or ``path/results`` (a workflow's working directory)."""
    p = Path(path).expanduser()
    for cand in (p, p / "results"):
        if (cand / "provenance.json").is_file() or (cand / "tables").is_dir():
            return cand
    if not p.exists():
        raise ResultsError(
            f"results folder {str(p)!r} does not exist; run the workflow first (snakemake --cores 2) "
            "or give the folder that holds tables/ and provenance.json"
        )
    raise ResultsError(
        f"{str(p)!r} is not a results folder (no provenance.json, no tables/); give the workflow's results/ "
        "folder, or finish the run (snakemake --cores 2)"
    )


@dataclass(frozen=True)
class ScreenResults:
    """The tables of one finished screen.

    Attributes:
        root: The results folder.
        windows: Stability window of every material [V vs Li/Li+].
        interfaces: One row per interface: minimum reaction energies (total ``energy`` and
            ``energy_mutual``) [eV/atom closed, eV per non-Li atom open to Li].
        reactions: Every kink of every interface profile (joined on the integer ``interface`` id).
        rankings: One row per (stack, coating): filters, fail reasons, Pareto rank, score.
        provenance: ``provenance.json`` (source and sha256, config, versions, results format).
    """

    root: Path
    windows: pd.DataFrame
    interfaces: pd.DataFrame
    reactions: pd.DataFrame
    rankings: pd.DataFrame
    provenance: dict

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path, rankings: str = "rankings") -> ScreenResults:
        """Read and check a results folder.

        Args:
            path: The workflow's ``results/`` folder (or the working directory that contains it).
            rankings: Which rankings table: ``rankings`` (the screen's), or one written by ``screening rank``
                (``rankings_nolan2021``).

        Raises:
            ResultsError: missing or incomplete folder, a folder written by another results format
                (an older version of screening), unreadable tables.
        """
        root = _locate(path)
        prov_file = root / "provenance.json"
        if not prov_file.is_file():
            raise ResultsError(
                f"results folder {str(root)!r} has no provenance.json: the run did not finish; "
                "complete it with snakemake --cores 2"
            )
        try:
            prov = json.loads(prov_file.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ResultsError(f"{prov_file} is not valid JSON ({exc}); rerun the workflow to rewrite it") from None
        fmt = prov.get("results_format") if isinstance(prov, dict) else None
        if fmt != RESULTS_FORMAT:
            written = prov.get("screening_version", "an unknown version") if isinstance(prov, dict) else "?"
            raise ResultsError(
                f"results folder {str(root)!r} was written by screening {written} (results format "
                f"{fmt if fmt is not None else 'none'}); this version reads format {RESULTS_FORMAT}: rerun the "
                "workflow with this version (snakemake --cores 2 --forceall)"
            )
        frames = {}
        if not rankings.startswith("rankings") or "/" in rankings or "\\" in rankings:
            raise ResultsError(f"rankings table {rankings!r}: give rankings or a rankings_<name> of screening rank")
        for name in TABLES:
            f = root / "tables" / f"{rankings if name == 'rankings' else name}.parquet"
            if not f.is_file():
                raise ResultsError(
                    f"results folder {str(root)!r} lacks tables/{f.name}; complete the run (snakemake --cores 2)"
                    + (" or write it with screening rank" if name == "rankings" and rankings != "rankings" else "")
                )
            try:
                frames[name] = pd.read_parquet(f)
            except Exception as exc:  # noqa: BLE001 - any reader failure is one line for the user
                raise ResultsError(f"cannot read {f} ({type(exc).__name__}); rerun the workflow to rewrite it") \
                    from None
        return cls(root=root, provenance=prov, **frames)

    # ------------------------------------------------------------------ queries
    @property
    def energy_kind(self) -> str:
        """Reaction energy the ranking used: ``mutual``, ``total`` or ``richards2016``."""
        if "reaction_energy_kind" in self.rankings and len(self.rankings):
            return str(self.rankings["reaction_energy_kind"].iloc[0])
        return str(self.provenance.get("config", {}).get("ranking", {}).get("reaction_energy", "mutual"))

    @property
    def energy_column(self) -> str:
        """Column of ``interfaces``/``reactions`` holding the ranking's reaction energy."""
        from screening.plan.config import ENERGY_COLUMN

        return ENERGY_COLUMN.get(self.energy_kind, "energy")

    @cached_property
    def _by_stack(self) -> dict[str, pd.DataFrame]:
        rk = self.rankings.sort_values(["rank", "coating"], na_position="last", kind="stable")
        return {str(k): g for k, g in rk.groupby("stack", sort=False)}

    @cached_property
    def _coating_interfaces(self) -> pd.DataFrame:
        itf = self.interfaces
        return itf[itf["kind"].str.startswith("coating|")]

    @cached_property
    def interface_labels(self) -> dict[int, str]:
        """``#id a | b (V)`` of every interface (``(charged)`` after a charged cathode; closed: ``(closed)``)."""
        itf = self.interfaces
        v = itf["voltage"].astype(float)
        where = v.map(lambda x: "closed" if x != x else f"{x:.2f} V")
        charged = itf["b_role"].eq("cathode_charged").map({True: " (charged)", False: ""}) if "b_role" in itf else ""
        labels = "#" + itf["interface"].astype(str) + " " + itf["a_name"] + " | " + itf["b_name"] + charged
        return dict(zip(itf["interface"].astype(int), labels + " (" + where + ")", strict=True))

    @property
    def stacks(self) -> list[str]:
        """Stack names (``electrode | electrolyte``) in table order."""
        return list(dict.fromkeys(self.rankings["stack"]))

    def stack(self, name: str) -> pd.DataFrame:
        """The ranking rows of one stack, best rank first.

        Raises:
            ResultsError: no stack of that name (the message lists the stacks there are).
        """
        sub = self._by_stack.get(name)
        if sub is None:
            names = ", ".join(repr(s) for s in self.stacks[:12]) + (" ..." if len(self.stacks) > 12 else "")
            raise ResultsError(f"no stack {name!r} in {self.root}; the stacks are {names}")
        return sub

    def verdicts(self) -> dict[str, str]:
        """Stack name -> its verdict line (the coatings that pass every gate of the criteria, or that none
        does, the closest and what it fails; ``stack_note`` of the rankings)."""
        rk = self.rankings.drop_duplicates("stack")
        return dict(zip(rk["stack"], rk["stack_note"], strict=True)) if "stack_note" in rk else {}

    def neighbours(self, stack: str, coating: str | list[str]) -> pd.DataFrame:
        """The interfaces of a coating (or several) in ``stack``: with the electrode at each potential (and
        the charged cathode, closed), and with the electrolyte at the electrode's potentials.

        Returns:
            Rows of ``interfaces`` with an added ``side`` column (``electrode`` or ``electrolyte``); the
            coating is in ``a_name``.

        Raises:
            ResultsError: unknown stack, or a coating that is not ranked in it.
        """
        sub = self.stack(stack)
        row = sub.iloc[0]
        wanted = [coating] if isinstance(coating, str) else list(coating)
        missing = sorted(set(wanted) - set(sub["coating"]))
        if missing:
            raise ResultsError(f"coating {missing[0]!r} is not ranked in stack {stack!r}; pick one of its table rows")
        itf = self._coating_interfaces
        mine = itf[itf["a_name"].isin(wanted)]
        electrode = mine[(mine["kind"] != "coating|electrolyte") & (mine["b_name"] == row["electrode"])]
        potentials = np.array([float(v) for v in (row.get("potential_low"), row.get("potential_high")) if _finite(v)])
        on_electrolyte = mine[(mine["kind"] == "coating|electrolyte") & (mine["b_name"] == row["electrolyte"])]
        v = on_electrolyte["voltage"].to_numpy(dtype=float)
        at_v = (np.abs(v[:, None] - potentials[None, :]) < V_TOL).any(axis=1) if len(potentials) else v != v
        at_v |= np.isnan(v)  # and closed
        out = pd.concat(
            [electrode.assign(side="electrode"), on_electrolyte[at_v].assign(side="electrolyte")]
        )
        out = out.sort_values(["a_name", "side", "kind", "voltage"], na_position="last", kind="stable")
        empty = [c for c in wanted if c not in set(out["a_name"])]
        if empty:
            rows = sub.set_index("coating")
            why = "; ".join(
                f"{c}: stage {rows.at[c, 'stage']}"
                + (f" ({rows.at[c, 'fail_reasons']})" if rows.at[c, "fail_reasons"] else "")
                for c in empty
            )
            out.attrs["why_empty"] = why
            warnings.warn(f"no interfaces of {why} in stack {stack!r}: they were not computed", stacklevel=2)
        return out

    def baseline(self, stack: str) -> pd.DataFrame:
        """The uncoated electrolyte | electrode interfaces of ``stack`` (rows of ``interfaces``)."""
        row = self.stack(stack).iloc[0]
        itf = self.interfaces
        sub = itf[
            itf["kind"].str.startswith("electrolyte|")
            & (itf["a_name"] == row["electrolyte"])
            & (itf["b_name"] == row["electrode"])
        ]
        return sub.assign(side="baseline").sort_values(["kind", "voltage"], na_position="last", kind="stable")

    def kinks(self, interface: int) -> pd.DataFrame:
        """Every kink of one interface profile (its integer id), by increasing x."""
        r = self.reactions
        return r[r["interface"] == int(interface)].sort_values("x", kind="stable")


def _finite(v) -> bool:
    try:
        return v is not None and v is not pd.NA and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def load_results(path: str | Path, rankings: str = "rankings") -> ScreenResults:
    """Read a results folder (see :meth:`ScreenResults.load`); ``rankings`` picks a re-ranked table."""
    return ScreenResults.load(path, rankings)


__all__ = ["TABLES", "ScreenResults", "load_results"]
