"""A local, Materials-Project-shaped HTTP server for testing the ``mp`` entry source.

It answers the endpoints the real ``mp_api.client.MPRester`` touches when
``get_entries_in_chemsys`` runs with a single thermo type (mp-api 0.46):

* ``GET /heartbeat`` (read twice by ``MPRester.__init__``: emmet version and database version),
* ``GET /materials/thermo/`` (``ThermoRester.search``: ``chemsys``, ``thermo_types``, ``_fields``,
  ``_limit``/``_skip`` pagination; ``{"data": [...], "meta": {"total_doc": N, ...}}``),
* ``GET /materials/summary/`` (``SummaryRester.search`` as ``MPRester.materials.summary.search(chemsys=[...],
  deprecated=False, fields=[...])`` calls it: ``chemsys`` (comma-joined systems), ``deprecated``, ``_fields``,
  pagination). Documents carry emmet ``SummaryDoc`` fields (``material_id``, ``formula_pretty``,
  ``composition_reduced``, ``band_gap``, ``is_metal``, ``formation_energy_per_atom``, ...). The snapshot has
  no band gaps: ``tests/data/mp_band_gaps.csv`` gives PBE-like gaps of a few compounds (every polymorph of a
  composition gets the same), anion-free intermetallics and elemental metals are served as metals (gap 0,
  ``is_metal`` true), everything else with ``band_gap``/``is_metal`` null (allowed by the schema).

Anything else is answered with 404 and logged, so a test notices when the client starts calling
something new. Documents follow emmet-core's ``ThermoDoc``: the ``entries`` field holds
``ComputedStructureEntry`` dicts keyed by run type. They are built from the shared matbench snapshot
``mp_e_form_2019.csv.gz`` (formation energy per atom) and the MP elemental references
``mp_elemental_refs_2023.json.gz``: total corrected energy = e_form x atoms + sum of elemental
reference energies per atom. Row N of the CSV (1-based, data rows) becomes material ``mpfake-N``, so
ids are deterministic and obviously not real Materials Project ids. Structures are placeholders
(atoms on a cubic grid); only compositions and energies carry meaning.

The data are read from ``../shared/data`` relative to the repository root; nothing is copied.

Failure injection (for retry and error-path tests): :meth:`MPServer.inject` (e.g. one 429, a
persistent 500), ``reject_key`` (401 for data endpoints), ``empty`` (every search returns nothing).
Every request is recorded in :attr:`MPServer.requests` (method, path, query parameters, whether the
``x-api-key`` header matched; never the key itself).
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import re
import threading
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

#: ../shared/data relative to the repository root (this file is <repo>/tests/mp_server.py).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
E_FORM_CSV = "mp_e_form_2019.csv.gz"
ELEMENTAL_REFS = "mp_elemental_refs_2023.json.gz"
#: What each file of SHARED_DATA is and where it comes from (named when one is missing).
SHARED_DATA_FILES = {
    E_FORM_CSV: "matbench's mp_e_form, Materials Project 2019 formation energies per atom; the same file the "
    "package ships as src/screening/data/mp_e_form_2019.csv.gz, copy it from there",
    ELEMENTAL_REFS: "Materials Project elemental references, a JSON object element -> ComputedEntry dict of the "
    "element's lowest-energy GGA entry (MP database 2023, e.g. from mp-api's get_entries)",
}


def require_shared_data() -> Path:
    """SHARED_DATA when both files are there; otherwise skip (fail under CI=true) naming what is missing.

    Only the Materials Project server tests (tests/entries/test_mp_*.py) use these files.
    """
    import os

    import pytest

    missing = [n for n in (E_FORM_CSV, ELEMENTAL_REFS) if not (SHARED_DATA / n).is_file()]
    if not missing:
        return SHARED_DATA
    what = "; ".join(f"{n} ({SHARED_DATA_FILES[n]})" for n in missing)
    msg = (
        f"the fake Materials Project server's data are missing from {SHARED_DATA} (shared/data beside the "
        f"repository): {what}"
    )
    if os.environ.get("CI") == "true":  # as conftest.require_file
        pytest.fail(f"{msg}; CI must provide it", pytrace=False)
    pytest.skip(msg)

#: A syntactically valid (32 characters) key the server accepts by default.
TEST_API_KEY = "0123456789abcdefABCDEF0123456789"
DB_VERSION = "2025.09.25"

_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*\.?\d*)")
# GGA+U run type for oxides/fluorides of these metals (MP's U values, eV), as in MaterialsProject2020.
_HUBBARD_U = {"Co": 3.32, "Cr": 3.7, "Fe": 5.3, "Mn": 3.9, "Mo": 4.38, "Ni": 6.2, "V": 3.25, "W": 6.2}
# A subset of MP2020 anion corrections [eV per anion atom]: stored as energy adjustments so that a
# client using the uncorrected energy would get different formation energies.
_ANION_CORRECTION = {"O": -0.687, "S": -0.503}
# r2SCAN documents: the same formation energies on another absolute scale [eV/atom shift per element].
_R2SCAN_SHIFT = -0.25

_THERMO_TYPES = {"gga_gga+u": "GGA_GGA+U", "r2scan": "R2SCAN"}
_LIGHT_FIELDS = {
    "material_id",
    "thermo_id",
    "thermo_type",
    "chemsys",
    "elements",
    "nelements",
    "nsites",
    "formula_pretty",
    "composition",
    "energy_per_atom",
    "uncorrected_energy_per_atom",
    "formation_energy_per_atom",
    "energy_type",
    "entry_types",
    "entries",
    "deprecated",
    "property_name",
}
_SUMMARY_FIELDS = {
    "material_id", "formula_pretty", "composition_reduced", "band_gap", "is_metal", "formation_energy_per_atom",
    "energy_above_hull", "chemsys", "elements", "nelements", "nsites", "deprecated", "theoretical", "energy_per_atom",
}
_SUMMARY_FILTERS = {"chemsys", "material_ids", "formula", "deprecated"}
BAND_GAPS = Path(__file__).resolve().parent / "data" / "mp_band_gaps.csv"
_NON_METALS = set("H He B C N O F Ne Si P S Cl Ar Ge As Se Br Kr Te I Xe At Rn".split())
_FILTERS = {"chemsys", "material_ids", "thermo_types", "formula", "thermo_ids", "nelements_min", "nelements_max"}


def _parse(formula: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for el, n in _TOKEN.findall(formula):
        out[el] = out.get(el, 0) + int(n or 1)
    return out


@dataclass
class Dataset:
    """The shared snapshot indexed by chemical system (built once per process, see :func:`load_dataset`).

    Attributes:
        rows: (formula, formation energy [eV/atom], composition) per CSV data row, row N at index N-1.
        refs: Elemental reference energy [eV/atom] per element symbol (MP 2023, corrected).
        by_chemsys: Sorted dash-joined chemical system -> indices into ``rows``.
    """

    rows: list[tuple[str, float, dict[str, int]]]
    refs: dict[str, float]
    by_chemsys: dict[str, list[int]]
    _docs: dict = field(default_factory=dict)
    _full: dict = field(default_factory=dict)

    def material_id(self, i: int) -> str:
        return f"mpfake-{i + 1}"

    def total_energy(self, i: int, thermo_type: str) -> float:
        """Corrected total energy [eV per formula unit as written in the CSV]."""
        _, e_form, comp = self.rows[i]
        shift = _R2SCAN_SHIFT if thermo_type == "R2SCAN" else 0.0
        return e_form * sum(comp.values()) + sum(n * (self.refs[el] + shift) for el, n in comp.items())

    def entry_dict(self, i: int, thermo_type: str) -> dict:
        """A ``ComputedStructureEntry`` dict as MP serves it inside a thermo document."""
        formula, _, comp = self.rows[i]
        mid = self.material_id(i)
        if thermo_type == "R2SCAN":
            run_type, hubbards = "r2SCAN", {}
        elif set(comp) & {"O", "F"} and set(comp) & set(_HUBBARD_U):
            run_type, hubbards = "GGA+U", {el: _HUBBARD_U.get(el, 0.0) for el in comp}
        else:
            run_type, hubbards = "GGA", {}
        adjustments = []
        if len(comp) > 1:
            for anion, adj in _ANION_CORRECTION.items():
                if anion in comp:
                    adjustments.append(
                        {
                            "@module": "pymatgen.entries.computed_entries",
                            "@class": "CompositionEnergyAdjustment",
                            "@version": None,
                            "adj_per_atom": adj,
                            "n_atoms": comp[anion],
                            "uncertainty_per_atom": 0.0,
                            "name": f"MP2020 anion correction ({anion})",
                            "cls": {},
                            "description": "Composition-based energy adjustment",
                        }
                    )
        correction = sum(a["adj_per_atom"] * a["n_atoms"] for a in adjustments)
        total = self.total_energy(i, thermo_type)
        return {
            "@module": "pymatgen.entries.computed_entries",
            "@class": "ComputedStructureEntry",
            "energy": total - correction,  # uncorrected DFT energy
            "composition": {el: float(n) for el, n in comp.items()},
            "entry_id": f"{mid}-{run_type}",
            "correction": correction,
            "energy_adjustments": adjustments,
            "parameters": {"run_type": run_type, "is_hubbard": bool(hubbards), "hubbards": hubbards},
            "data": {
                "oxide_type": "oxide" if "O" in comp and len(comp) > 1 else "None",
                "aspherical": True,
                "last_updated": "2025-09-25T00:00:00",
                "task_id": f"mpfake-{i + 1}",
                "material_id": mid,
                "license": "BY-C",
                "run_type": run_type,
            },
            "structure": _placeholder_structure(comp),
        }

    def light_doc(self, i: int, thermo_type: str) -> dict:
        """The ThermoDoc fields that need no phase diagram (what ``get_entries`` asks for)."""
        key = (i, thermo_type)
        if key not in self._docs:
            formula, e_form, comp = self.rows[i]
            entry = self.entry_dict(i, thermo_type)
            n = sum(comp.values())
            run_type = entry["parameters"]["run_type"]
            self._docs[key] = {
                "material_id": self.material_id(i),
                "thermo_id": f"{self.material_id(i)}_{thermo_type}",
                "thermo_type": thermo_type,
                "property_name": "thermo",
                "deprecated": False,
                "chemsys": "-".join(sorted(comp)),
                "elements": sorted(comp),
                "nelements": len(comp),
                "nsites": n,
                "formula_pretty": formula,
                "composition": {el: float(v) for el, v in comp.items()},
                "energy_per_atom": self.total_energy(i, thermo_type) / n,
                "uncorrected_energy_per_atom": entry["energy"] / n,
                "formation_energy_per_atom": e_form,
                "energy_type": run_type,
                "entry_types": [run_type],
                "entries": {run_type: entry},
            }
        return self._docs[key]

    def summary_doc(self, i: int) -> dict:
        """A ``SummaryDoc``-shaped document of row ``i`` (GGA_GGA+U energies; band gap, see the module doc)."""
        from pymatgen.core import Composition

        if ("summary", i) in self._docs:
            return self._docs[("summary", i)]
        formula, e_form, comp = self.rows[i]
        c = Composition(comp)
        reduced, _ = c.get_reduced_composition_and_factor()
        gap = band_gap_table().get(c.reduced_formula)
        if gap is None and not (set(comp) & (_NON_METALS - {"Si", "Ge"})) and set(comp) - {"Si", "Ge"}:
            gap = (0.0, True)  # elemental metal or anion-free intermetallic
        n = sum(comp.values())
        self._docs[("summary", i)] = {
            "material_id": self.material_id(i),
            "formula_pretty": c.reduced_formula,
            "composition_reduced": {el.symbol: float(v) for el, v in reduced.items()},
            "chemsys": "-".join(sorted(comp)),
            "elements": sorted(comp),
            "nelements": len(comp),
            "nsites": n,
            "band_gap": None if gap is None else gap[0],
            "is_metal": None if gap is None else gap[1],
            "formation_energy_per_atom": e_form,
            "energy_per_atom": self.total_energy(i, "GGA_GGA+U") / n,
            "energy_above_hull": None,
            "deprecated": False,
            "theoretical": True,
        }
        return self._docs[("summary", i)]

    def full_doc(self, i: int, thermo_type: str) -> dict:
        """A complete ThermoDoc built with emmet's own builder (``ThermoDoc.from_entries``), JSON-ready."""
        key = (i, thermo_type)
        if key not in self._full:
            from emmet.core.thermo import ThermoDoc
            from pymatgen.entries.computed_entries import ComputedStructureEntry

            chemsys = "-".join(sorted(self.rows[i][2]))
            members = [j for cs in _subsystems(chemsys.split("-")) for j in self.by_chemsys.get(cs, [])]
            entries = [ComputedStructureEntry.from_dict(self.entry_dict(j, thermo_type)) for j in members]
            with warnings.catch_warnings():  # spglib deprecation noise from the symmetry metadata
                warnings.simplefilter("ignore", DeprecationWarning)
                docs = ThermoDoc.from_entries(entries, thermo_type, use_max_chemsys=True)
            for doc in docs:
                j = int(str(doc.material_id).split("-")[1]) - 1
                self._full[(j, thermo_type)] = json.loads(doc.model_dump_json())
        return self._full[key]


@lru_cache(maxsize=1)
def band_gap_table() -> dict[str, tuple[float, bool]]:
    """Reduced formula (as pymatgen writes it) -> (PBE-like band gap [eV], is_metal) of ``mp_band_gaps.csv``."""
    from pymatgen.core import Composition

    with open(BAND_GAPS, newline="") as fh:
        return {
            Composition(r["formula"]).reduced_formula: (float(r["band_gap"]), r["is_metal"].strip() == "true")
            for r in csv.DictReader(fh)
        }


def _subsystems(elements: list[str]) -> list[str]:
    from itertools import combinations

    els = sorted(set(elements))
    return ["-".join(c) for k in range(1, len(els) + 1) for c in combinations(els, k)]


def _placeholder_structure(comp: dict[str, int]) -> dict:
    """Atoms of ``comp`` on a simple cubic grid (3 A spacing): valid for pymatgen, physically meaningless."""
    species = [el for el, n in sorted(comp.items()) for _ in range(n)]
    side = max(1, math.ceil(len(species) ** (1 / 3)))
    a = 3.0 * side
    sites = []
    for k, el in enumerate(species):
        abc = [(k % side) / side, (k // side % side) / side, (k // side // side) / side]
        sites.append(
            {
                "species": [{"element": el, "occu": 1}],
                "abc": abc,
                "properties": {},
                "label": el,
                "xyz": [x * a for x in abc],
            }
        )
    return {
        "@module": "pymatgen.core.structure",
        "@class": "Structure",
        "charge": 0.0,
        "lattice": {"matrix": [[a, 0.0, 0.0], [0.0, a, 0.0], [0.0, 0.0, a]], "pbc": [True, True, True]},
        "properties": {},
        "sites": sites,
    }


@lru_cache(maxsize=2)
def load_dataset(data_dir: str | None = None) -> Dataset:
    """Read and index the shared snapshot (about 1 s; cached per process).

    Raises:
        FileNotFoundError: when the shared data are missing.
    """
    root = Path(data_dir) if data_dir else SHARED_DATA
    with gzip.open(root / ELEMENTAL_REFS, "rt") as fh:
        raw_refs = json.load(fh)
    refs = {}
    for el, d in raw_refs.items():
        n = sum(d["composition"].values())
        refs[el] = (d["energy"] + d.get("correction", 0.0)) / n
    rows: list[tuple[str, float, dict[str, int]]] = []
    by_chemsys: dict[str, list[int]] = defaultdict(list)
    with gzip.open(root / E_FORM_CSV, "rt", newline="") as fh:
        for rec in csv.DictReader(fh):
            comp = _parse(rec["formula"])
            by_chemsys["-".join(sorted(comp))].append(len(rows))
            rows.append((rec["formula"], float(rec["target"]), comp))
    return Dataset(rows, refs, dict(by_chemsys))


@dataclass
class RequestRecord:
    """One request as the server saw it (the API key itself is never stored)."""

    method: str
    path: str
    params: dict[str, str]
    key_ok: bool
    status: int = 0


@dataclass
class _Injection:
    status: int
    remaining: int | None  # None = forever
    path_prefix: str
    skip: int = 0  # requests to let through before injecting


class MPServer:
    """A Materials-Project-shaped REST server on 127.0.0.1 (random free port), run in a thread.

    Use as a context manager, or call :meth:`start`/:meth:`stop`. Point the client at
    :attr:`endpoint`.

    Args:
        dataset: Documents to serve; default the shared snapshot (:func:`load_dataset`).
        api_key: The key accepted in the ``x-api-key`` header.
        db_version: Database version reported by ``/heartbeat``.
    """

    def __init__(self, dataset: Dataset | None = None, api_key: str = TEST_API_KEY, db_version: str = DB_VERSION):
        self.dataset = dataset or load_dataset()
        self.api_key = api_key
        self.db_version = db_version
        self.requests: list[RequestRecord] = []
        self.reject_key = False
        self.reject_status = 401
        self.empty = False
        self._injections: list[_Injection] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> MPServer:
        handler = type("Handler", (_Handler,), {"server_state": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="mp-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> MPServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        """Base URL with a trailing slash, e.g. ``http://127.0.0.1:54321/``."""
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/"

    # ------------------------------------------------------------------ test controls
    def inject(
        self, status: int, times: int | None = 1, path_prefix: str = "/materials/thermo", skip: int = 0
    ) -> None:
        """Answer requests under ``path_prefix`` with HTTP ``status``.

        Args:
            status: e.g. 429 (sent with ``Retry-After: 0``), 500, 503.
            times: How many requests to fail; None fails every one (a persistent error).
            path_prefix: Which requests (default: the thermo documents search).
            skip: Let this many matching requests through first.
        """
        with self._lock:
            self._injections.append(_Injection(status, times, path_prefix, skip))

    def clear_injections(self) -> None:
        with self._lock:
            self._injections.clear()

    def count(self, path_prefix: str = "/") -> int:
        """Number of requests received whose path starts with ``path_prefix``."""
        with self._lock:
            return sum(r.path.startswith(path_prefix) for r in self.requests)

    def thermo_requests(self) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith("/materials/thermo")]

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # ------------------------------------------------------------------ internals
    def _take_injection(self, path: str) -> int | None:
        with self._lock:
            for inj in self._injections:
                if path.startswith(inj.path_prefix) and (inj.remaining is None or inj.remaining > 0):
                    if inj.skip > 0:
                        inj.skip -= 1
                        continue
                    if inj.remaining is not None:
                        inj.remaining -= 1
                    return inj.status
        return None

    def _record(self, rec: RequestRecord) -> None:
        with self._lock:
            self.requests.append(rec)

    def summary_requests(self) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith("/materials/summary")]

    def search_summary(self, params: dict[str, str]) -> tuple[int, dict]:
        """The ``/materials/summary/`` search: ``chemsys``/``material_ids``/``formula``, projection, pagination."""
        unknown = [k for k in params if not k.startswith("_") and k not in _SUMMARY_FILTERS]
        if unknown:
            return 400, {"detail": f"unsupported query parameter(s): {', '.join(sorted(unknown))}"}
        ds = self.dataset
        fields = params.get("_fields")
        wanted = fields.split(",") if fields else sorted(_SUMMARY_FIELDS)
        if set(wanted) - _SUMMARY_FIELDS:
            return 400, {"detail": f"this test server does not serve {sorted(set(wanted) - _SUMMARY_FIELDS)}"}
        idx: list[int] = []
        if not self.empty:
            if "chemsys" in params:
                systems = ["-".join(sorted(cs.split("-"))) for cs in params["chemsys"].split(",") if cs]
                idx = [i for cs in dict.fromkeys(systems) for i in ds.by_chemsys.get(cs, [])]
            elif "material_ids" in params:
                ids = [m.strip() for m in params["material_ids"].split(",")]
                idx = [int(m.split("-")[1]) - 1 for m in ids if m.startswith("mpfake-")]
            elif "formula" in params:
                forms = set(params["formula"].split(","))
                idx = [i for i, (f, _, _) in enumerate(ds.rows) if f in forms]
            else:
                return 400, {"detail": "this test server needs chemsys, material_ids or formula"}
        if params.get("deprecated", "").lower() == "true":
            idx = []  # nothing here is deprecated
        skip = int(params.get("_skip", 0))
        limit = int(params.get("_limit", params.get("_per_page", 1000)))
        page = idx[skip : skip + min(limit, 1000)]
        data = [{k: ds.summary_doc(i)[k] for k in wanted} for i in page]
        meta = {"api_version": "local-test", "time_stamp": datetime.now(UTC).isoformat(), "total_doc": len(idx),
                "max_limit": 1000, "db_version": self.db_version}
        return 200, {"data": data, "meta": meta}

    def search_thermo(self, params: dict[str, str]) -> tuple[int, dict]:
        """The ``/materials/thermo/`` search: filters, projection and pagination."""
        unknown = [k for k in params if not k.startswith("_") and k not in _FILTERS]
        if unknown:
            return 400, {"detail": f"unsupported query parameter(s): {', '.join(sorted(unknown))}"}
        ds = self.dataset
        tt_raw = params.get("thermo_types", "GGA_GGA+U")
        thermo_types = [_THERMO_TYPES.get(t.strip().lower()) for t in tt_raw.split(",") if t.strip()]
        hits: list[tuple[int, str]] = []
        if not self.empty:
            if "chemsys" in params:
                systems = ["-".join(sorted(cs.split("-"))) for cs in params["chemsys"].split(",") if cs]
                idx = [i for cs in dict.fromkeys(systems) for i in ds.by_chemsys.get(cs, [])]
            elif "material_ids" in params:
                wanted = {m.strip() for m in params["material_ids"].split(",")}
                idx = [int(m.split("-")[1]) - 1 for m in wanted if m.startswith("mpfake-")]
                idx = [i for i in idx if 0 <= i < len(ds.rows)]
            elif "formula" in params:
                wanted = set(params["formula"].split(","))
                idx = [i for i, (f, _, _) in enumerate(ds.rows) if f in wanted]
            else:
                return 400, {"detail": "this test server needs chemsys, material_ids or formula"}
            hits = [(i, tt) for tt in thermo_types if tt for i in idx]
        total = len(hits)
        skip = int(params.get("_skip", 0))
        limit = int(params.get("_limit", params.get("_per_page", 1000)))
        page = hits[skip : skip + min(limit, 1000)]
        fields = params.get("_fields")
        all_fields = params.get("_all_fields", "false").lower() == "true"
        wanted_fields = None if all_fields or not fields else fields.split(",")
        data = []
        for i, tt in page:
            if wanted_fields is not None and set(wanted_fields) <= _LIGHT_FIELDS:
                doc = ds.light_doc(i, tt)
            else:
                doc = ds.full_doc(i, tt)
            data.append(doc if wanted_fields is None else {k: doc[k] for k in wanted_fields if k in doc})
        meta = {
            "api_version": "local-test",
            "time_stamp": datetime.now(UTC).isoformat(),
            "total_doc": total,
            "max_limit": 1000,
            "db_version": self.db_version,
        }
        return 200, {"data": data, "meta": meta}


class _Handler(BaseHTTPRequestHandler):
    server_state: MPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr log
        pass

    def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        state = self.server_state
        url = urlsplit(self.path)
        path = url.path if url.path.endswith("/") else url.path + "/"
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        rec = RequestRecord("GET", path, params, self.headers.get("x-api-key") == state.api_key)
        state._record(rec)
        injected = state._take_injection(path)
        if injected is not None:
            rec.status = injected
            headers = {"Retry-After": "0"} if injected == 429 else None
            return self._send(injected, {"detail": f"injected HTTP {injected} by the test server"}, headers)
        if path == "/heartbeat/":
            rec.status = 200
            return self._send(
                200,
                {
                    "status": "OK",
                    "message": "local Materials-Project-shaped test server",
                    "version": version("emmet-core"),
                    "db_version": state.db_version,
                    "access_controlled_batch_ids": [],
                },
            )
        if path.startswith("/materials/"):
            if state.reject_key or not rec.key_ok:
                rec.status = state.reject_status
                return self._send(state.reject_status, {"detail": "Invalid authentication credentials"})
            if path == "/materials/thermo/":
                rec.status, body = state.search_thermo(params)
                return self._send(rec.status, body)
            if path == "/materials/summary/":
                rec.status, body = state.search_summary(params)
                return self._send(rec.status, body)
        rec.status = 404
        self._send(404, {"detail": "Not Found"})


__all__ = [
    "BAND_GAPS", "DB_VERSION", "SHARED_DATA", "SHARED_DATA_FILES", "TEST_API_KEY", "Dataset", "MPServer",
    "RequestRecord", "load_dataset", "require_shared_data",
]
