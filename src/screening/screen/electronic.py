"""The screen's electronic model: the ``electronic:`` config, Materials Project band gaps with ``source: mp``.

Band gaps of every chemical system the screen needs are fetched once by the ``fetch_mp`` step (the only
step that talks to the API, :func:`fetch_band_gaps`); every later job reads them from the cache offline
(:func:`electronic_model`). With any other source, the evidence is the user table and the rules (metals
conduct, closed-shell ionic compounds insulate; docs/interphase.md; Wenzel et al., Solid State Ionics 278,
98 (2015)).
"""

from __future__ import annotations

import logging

from screening.entries.sources import entry_source
from screening.interphase import ElectronicModel
from screening.screen.config import ScreenConfig, source_spec
from screening.screen.systems import required_systems

log = logging.getLogger(__name__)


def _mp_options(cfg: ScreenConfig, offline: bool) -> dict:
    opts = dict(cfg.raw.get("mp") or {})
    return {"cache_dir": opts.get("cache_dir"), "offline": offline}


def electronic_model(cfg: ScreenConfig, offline: bool = True) -> ElectronicModel:
    """The electronic model of a screen (user table, MP band gaps of its systems with ``source: mp``, rule).

    Raises:
        ElectronicTableError: a malformed user table. SourceError: MP band gaps not cached (offline).
    """
    systems = required_systems(cfg) if entry_source(source_spec(cfg.raw)).has_band_gaps else None
    return cfg.electronic.model(systems, _mp_options(cfg, offline))


def fetch_band_gaps(cfg: ScreenConfig) -> dict:
    """Fetch (or find cached) the MP band gaps of every chemical system of the screen; their provenance."""
    from screening.entries.mp.summary import load_mp_gaps

    gaps, provenance = load_mp_gaps(required_systems(cfg), **_mp_options(cfg, offline=False))
    log.info("band gaps of %d compositions over %d systems", len(gaps), len(provenance["systems"]))
    return provenance


__all__ = ["electronic_model", "fetch_band_gaps"]
