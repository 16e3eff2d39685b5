"""Typed records of a screen: stacks and interfaces, and their table form.

A screen is a set of *stacks* (one electrode with one electrolyte) and the candidate coatings that
could sit between them. Each reaction the screen computes is an :class:`Interface` ``a | b``, closed
(``voltage`` None) or open to Li at ``voltage`` [V vs Li/Li+] (docs/science.md; Richards et al., Chem.
Mater. 28, 266 (2016)). The plan gives every interface an integer id; every table joins on it, never
on a formatted string.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from screening.plan.config import Material, slug

#: Interface kinds: ``<role of a>|<role of b>``, in the order the tables list them.
KINDS = (
    "electrolyte|cathode",
    "electrolyte|cathode_charged",
    "electrolyte|anode",
    "coating|cathode",
    "coating|cathode_charged",
    "coating|anode",
    "coating|electrolyte",
)

#: Key of an interface: (kind, a role, a name, b role, b name, voltage or None). Voltages are compared
#: exactly (two potentials 0.3 mV apart are two interfaces).
InterfaceKey = tuple[str, str, str, str, str, float | None]


@dataclass(frozen=True)
class Stack:
    """One electrode with one electrolyte; candidate coatings go between them.

    Attributes:
        id: Position of the stack in the plan (electrodes in config order, then electrolytes).
        electrode: The cathode or anode.
        electrolyte: The solid electrolyte.
    """

    id: int
    electrode: Material
    electrolyte: Material

    @property
    def name(self) -> str:
        """``LiCoO2 | Li3PS4``."""
        return f"{self.electrode.name} | {self.electrolyte.name}"

    @property
    def slug(self) -> str:
        """File name of the stack's figures: ``LiCoO2__Li3PS4``."""
        return f"{slug(self.electrode.name)}__{slug(self.electrolyte.name)}"


@dataclass(frozen=True)
class Interface:
    """One reaction ``a | b``: closed (``voltage`` None) or open to Li at ``voltage`` [V vs Li/Li+].

    Attributes:
        id: Integer id assigned by the plan (the join key of every table).
        kind: One of :data:`KINDS`.
        a: The coating (or, for a baseline interface, the electrolyte).
        b: The electrode, the charged cathode (role ``cathode_charged``) or the electrolyte.
        voltage: Electrode potential [V vs Li/Li+], or None for closed mixing.
    """

    id: int
    kind: str
    a: Material
    b: Material
    voltage: float | None

    @property
    def open_to_li(self) -> bool:
        return self.voltage is not None

    @property
    def key(self) -> InterfaceKey:
        return interface_key(self.kind, self.a, self.b, self.voltage)

    @property
    def label(self) -> str:
        """Display text (never a join key): ``LiNbO3 | LiCoO2 (charged) closed``, ``... @ 4.3 V``."""
        b = f"{self.b.name} (charged)" if self.b.role == "cathode_charged" else self.b.name
        where = "closed" if self.voltage is None else f"@ {self.voltage!r} V"
        return f"{self.a.name} | {b} {where}"


def interface_key(kind: str, a: Material, b: Material, voltage: float | None) -> InterfaceKey:
    return (kind, a.role, a.name, b.role, b.name, None if voltage is None else float(voltage))


# ---------------------------------------------------------------------------------------------- tables
#: Columns of the plan's interface table (and the leading columns of ``interfaces.csv``).
INTERFACE_COLUMNS = [
    "interface",
    "kind",
    "a_role",
    "a_name",
    "a_formula",
    "b_role",
    "b_name",
    "b_formula",
    "voltage",
    "open_to_li",
]


def interface_frame(interfaces, chunks: dict[int, int] | None = None) -> pd.DataFrame:
    """The table form of interfaces (one row each, typed columns); ``chunks`` adds a ``chunk`` column
    (interface id -> chunk number, -1 for interfaces computed outside the chunks)."""
    rows = [
        (i.id, i.kind, i.a.role, i.a.name, i.a.formula, i.b.role, i.b.name, i.b.formula, i.voltage, i.open_to_li)
        for i in interfaces
    ]
    df = pd.DataFrame.from_records(rows, columns=INTERFACE_COLUMNS)
    df["interface"] = df["interface"].astype("int64")
    df["voltage"] = df["voltage"].astype(float)
    df["open_to_li"] = df["open_to_li"].astype(bool)
    if chunks is not None:
        df["chunk"] = np.array([chunks.get(int(i), -1) for i in df["interface"]], dtype=np.int64)
    return df


def interfaces_from_frame(df: pd.DataFrame, materials: dict[tuple[str, str], Material]) -> list[Interface]:
    """Interfaces back from :func:`interface_frame` rows; ``materials`` maps (role, name) to the record.

    A material missing from ``materials`` (e.g. a coating read from the table only) is rebuilt from
    the row's name and formula.
    """
    out = []
    cols = ["interface", "kind", "a_role", "a_name", "a_formula", "b_role", "b_name", "b_formula", "voltage"]
    for ident, kind, ar, an, af, br, bn, bf, v in df[cols].itertuples(index=False, name=None):
        a = materials.get((ar, an)) or Material(an, af, ar, "")
        b = materials.get((br, bn)) or Material(bn, bf, br, "")
        out.append(Interface(int(ident), kind, a, b, None if v is None or math.isnan(v) else float(v)))
    return out


__all__ = [
    "INTERFACE_COLUMNS",
    "KINDS",
    "Interface",
    "InterfaceKey",
    "Stack",
    "interface_frame",
    "interface_key",
    "interfaces_from_frame",
]
