"""The screen's plan: stacks, and every interface computed once with its integer id and chunk.

Per coating C and stack (electrode E, electrolyte L) (docs/science.md; Xiao et al., Joule 3, 1252 (2019);
Richards et al., Chem. Mater. 28, 266 (2016)):

* C | E: a cathode open to Li at the bottom and at the top of its voltage range, and C | charged cathode
  closed when a charged composition is given; Li metal closed; any other anode open to Li at its
  potential;
* C | E closed (the discharged electrode; Xiao et al. 2019 judge closed pseudo-binary energies);
* C | L open to Li at each potential of E (the coating sits at its electrode's potential) and closed.

Baseline (no coating): L | E at the same potentials, closed, and closed with the charged cathode.

Ids: the baseline interfaces first (0, 1, ...; they depend on the config only, so the baseline job can
build them without the plan file), then the coatings' interfaces in candidate order. An interface that
several stacks share (C | L at a potential two electrodes have in common) is listed, and computed, once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from screening.composition import parse_formula
from screening.errors import ScreeningError
from screening.plan.config import Material, ScreenConfig
from screening.plan.records import (
    Interface,
    InterfaceKey,
    Stack,
    interface_frame,
    interface_key,
    interfaces_from_frame,
)


def charged_material(cathode: Material) -> Material:
    """The charged (delithiated) cathode as a material of its own (role ``cathode_charged``)."""
    return Material(cathode.name, str(cathode.charged), "cathode_charged", cathode.key + ".charged")


def is_li_metal(m: Material) -> bool:
    return set(parse_formula(m.formula)) == {"Li"}


def electrode_partners(electrode: Material) -> list[tuple[Material, float | None]]:
    """(b, voltage) of the interfaces with an electrode: a cathode at the bottom and top of its range, closed
    (discharged; Xiao et al., Joule 3, 1252 (2019) judge closed energies) and its charged composition
    closed; Li metal closed; another anode at its potential and closed."""
    if electrode.role == "cathode":
        out: list[tuple[Material, float | None]] = [(electrode, v) for v in electrode.potentials]
        out.append((electrode, None))
        if electrode.charged:
            out.append((charged_material(electrode), None))
        return out
    if is_li_metal(electrode):
        return [(electrode, None)]
    return [(electrode, electrode.potentials[0]), (electrode, None)]


def electrolyte_voltages(electrode: Material) -> list[float | None]:
    """Voltages of a coating's interfaces with the electrolyte of a stack: open to Li at each of the
    electrode's potentials, and closed (the coating decouples the electrolyte from the electrode's
    potential when it is insulating; Xiao et al. 2019)."""
    return [*electrode.potentials, None]


def stacks_of(cfg: ScreenConfig) -> tuple[Stack, ...]:
    """Every (electrode, electrolyte) pair: electrodes in config order (cathodes, then anodes)."""
    pairs = [(e, el) for e in cfg.electrodes for el in cfg.electrolytes]
    return tuple(Stack(i, e, el) for i, (e, el) in enumerate(pairs))


def baseline_interfaces(cfg: ScreenConfig) -> tuple[Interface, ...]:
    """Electrolyte | electrode interfaces without a coating, ids 0, 1, ... (electrolytes, then electrodes)."""
    out = []
    for el in cfg.electrolytes:
        for e in cfg.electrodes:
            for b, v in electrode_partners(e):
                out.append(Interface(len(out), f"electrolyte|{b.role}", el, b, v))
    return tuple(out)


def coating_materials(candidates: pd.DataFrame) -> tuple[Material, ...]:
    """The candidate coatings (rows of the candidates table) as materials, in table order."""
    out = []
    for c in candidates.itertuples(index=False):
        fe = getattr(c, "formation_energy", None)
        out.append(
            Material(
                str(c.coating),
                str(c.formula),
                "coating",
                str(c.config_key),
                origin=str(c.origin),
                formation_energy=None if fe is None or pd.isna(fe) else float(fe),
                on_hull=bool(getattr(c, "on_hull", False)),
            )
        )
    return tuple(out)


def stack_keys(stack: Stack, coating: Material) -> tuple[list[InterfaceKey], list[InterfaceKey]]:
    """Keys of a coating's interfaces in one stack: (with the electrode, with the electrolyte)."""
    e, el = stack.electrode, stack.electrolyte
    electrode = [interface_key(f"coating|{b.role}", coating, b, v) for b, v in electrode_partners(e)]
    electrolyte = [interface_key("coating|electrolyte", coating, el, v) for v in electrolyte_voltages(e)]
    return electrode, electrolyte


def coating_interface_keys(cfg: ScreenConfig, coating: Material) -> list[InterfaceKey]:
    """Every interface a coating can have in the screen, in a fixed order: electrodes in config order,
    then each electrolyte at every electrode potential of the screen (ascending)."""
    keys = [interface_key(f"coating|{b.role}", coating, b, v) for e in cfg.electrodes for b, v in electrode_partners(e)]
    keys += [
        interface_key("coating|electrolyte", coating, el, v) for el in cfg.electrolytes for v in (*cfg.potentials, None)
    ]
    return list(dict.fromkeys(keys))


def _interface_from_key(ident: int, key: InterfaceKey, materials: dict[tuple[str, str], Material]) -> Interface:
    kind, ar, an, br, bn, v = key
    return Interface(ident, kind, materials[(ar, an)], materials[(br, bn)], v)


@dataclass(frozen=True)
class ScreenPlan:
    """The typed plan of a screen: config, coatings, stacks and every interface with its id and chunk.

    Attributes:
        config: The parsed config.
        coatings: Candidate coatings in candidates-table order.
        stacks: Every (electrode, electrolyte) pair.
        interfaces: Baseline interfaces first, then the coatings' (ids = positions).
        chunks: Interface id -> chunk number of the coatings' interfaces (the baseline has none).
    """

    config: ScreenConfig
    coatings: tuple[Material, ...]
    stacks: tuple[Stack, ...]
    interfaces: tuple[Interface, ...]
    chunks: dict[int, int] = field(default_factory=dict, compare=False)

    # ------------------------------------------------------------------------------------------ build
    @classmethod
    def build(
        cls,
        cfg: ScreenConfig,
        candidates: pd.DataFrame,
        keep: set[tuple[int, int]] | None = None,
    ) -> ScreenPlan:
        """Plan every interface the ranking needs.

        Args:
            cfg: The parsed config.
            candidates: The candidates table (``coating``, ``formula``, ``origin``, ``config_key``, ...).
            keep: (stack id, candidate position) pairs whose interfaces are computed (the survivors of
                the funnel); None computes every interface of every candidate.
        """
        coatings = coating_materials(candidates)
        stacks = stacks_of(cfg)
        base = baseline_interfaces(cfg)
        materials = _materials(cfg, coatings)
        interfaces = list(base)
        chunks: dict[int, int] = {}
        n_with = 0
        for ci, c in enumerate(coatings):
            if keep is None:
                keys: Iterable[InterfaceKey] = coating_interface_keys(cfg, c)
            else:
                needed: set[InterfaceKey] = set()
                for s in stacks:
                    if (s.id, ci) in keep:
                        el, ly = stack_keys(s, c)
                        needed.update(el + ly)
                keys = [k for k in coating_interface_keys(cfg, c) if k in needed]
            chunk = n_with // cfg.chunk_size
            added = False
            for k in keys:
                itf = _interface_from_key(len(interfaces), k, materials)
                interfaces.append(itf)
                chunks[itf.id] = chunk
                added = True
            n_with += added
        return cls(cfg, coatings, stacks, tuple(interfaces), chunks)

    # ------------------------------------------------------------------------------------------ lookups
    @functools.cached_property
    def _by_key(self) -> dict[InterfaceKey, Interface]:
        return {i.key: i for i in self.interfaces}

    def find(self, key: InterfaceKey) -> Interface | None:
        """The planned interface with this key (None: not planned, e.g. left out by the funnel)."""
        return self._by_key.get(key)

    @property
    def baseline(self) -> tuple[Interface, ...]:
        return tuple(i for i in self.interfaces if i.kind.startswith("electrolyte|"))

    @property
    def n_chunks(self) -> int:
        return max(self.chunks.values()) + 1 if self.chunks else 0

    def chunk(self, number: int) -> list[Interface]:
        """The interfaces of one chunk, in id order."""
        return [i for i in self.interfaces if self.chunks.get(i.id) == number]

    def baseline_ids(self, stack: Stack) -> list[int | None]:
        """Ids of the stack's uncoated electrolyte | electrode interfaces (None where not planned)."""
        keys = [
            interface_key(f"electrolyte|{b.role}", stack.electrolyte, b, v)
            for b, v in electrode_partners(stack.electrode)
        ]
        return [self._id(k) for k in keys]

    def stack_ids(self, stack: Stack, coating: Material) -> tuple[list[int | None], list[int | None]]:
        """Ids of a coating's interfaces in one stack: (with the electrode, with the electrolyte)."""
        el, ly = stack_keys(stack, coating)
        return [self._id(k) for k in el], [self._id(k) for k in ly]

    def _id(self, key: InterfaceKey) -> int | None:
        i = self._by_key.get(key)
        return None if i is None else i.id

    # ------------------------------------------------------------------------------------------ files
    def frame(self) -> pd.DataFrame:
        """Every planned interface as a table (:data:`~screening.plan.records.INTERFACE_COLUMNS` + ``chunk``)."""
        return interface_frame(self.interfaces, self.chunks)

    @classmethod
    def from_frame(cls, cfg: ScreenConfig, candidates: pd.DataFrame, frame: pd.DataFrame) -> ScreenPlan:
        """The plan back from its table (:meth:`frame`), the config and the candidates table."""
        coatings = coating_materials(candidates)
        materials = _materials(cfg, coatings)
        interfaces = tuple(interfaces_from_frame(frame, materials))
        if [i.id for i in interfaces] != list(range(len(interfaces))):
            raise ScreeningError("the plan's interface ids are not 0..n-1 in order; rerun the plan step")
        chunks = {int(i): int(c) for i, c in zip(frame["interface"], frame["chunk"], strict=True) if int(c) >= 0}
        return cls(cfg, coatings, stacks_of(cfg), interfaces, chunks)

    @classmethod
    def read(cls, cfg: ScreenConfig, candidates: pd.DataFrame, path: str | Path) -> ScreenPlan:
        return cls.from_frame(cfg, candidates, pd.read_parquet(path))


def _materials(cfg: ScreenConfig, coatings: Iterable[Material]) -> dict[tuple[str, str], Material]:
    out: dict[tuple[str, str], Material] = {}
    for m in (*cfg.electrodes, *cfg.electrolytes, *coatings):
        out[(m.role, m.name)] = m
        if m.charged:
            ch = charged_material(m)
            out[(ch.role, ch.name)] = ch
    return out


__all__ = [
    "ScreenPlan",
    "baseline_interfaces",
    "charged_material",
    "coating_interface_keys",
    "coating_materials",
    "electrode_partners",
    "electrolyte_voltages",
    "is_li_metal",
    "stack_keys",
    "stacks_of",
]
