"""A parsed, binary cache of entry tables, so a snapshot is parsed once per machine, not once per call.

Parsing the 132,752 rows of the packaged Materials Project snapshot (every formula through
:func:`screening.composition.parse_formula`) costs seconds; reading the parsed arrays back costs
milliseconds. The cache holds the finished :class:`~screening.entries.table.EntryTable` arrays (the
sparse amounts matrix, energies, formulas, ids, flags and provenance) in one uncompressed ``.npz``
file, keyed by the sha256 of the source file, the name it is read under (CSV ids are built from the
file's stem) and :data:`CACHE_FORMAT`. A changed file therefore gets a new key and is parsed again.

Where: ``$SCREENING_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/screening``, else
``~/.cache/screening``. Files are written atomically (temporary file in the same folder, then
:func:`os.replace`); a cache file that cannot be read or does not match its key is rebuilt, and an
unwritable cache folder only costs speed (the parsed table is returned all the same).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from screening.entries.table import EntryTable

#: Environment variable that overrides the cache folder.
CACHE_ENV = "SCREENING_CACHE_DIR"
#: Version of the on-disk layout; bump it whenever the layout or the parsers' output changes.
CACHE_FORMAT = 2  # 2: JSON snapshots naming classes outside an allow-list are refused (issue 26, S1)
_SEP = "\n"


def cache_dir() -> Path:
    """The folder of the parsed-table cache (created on first write, never at import)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "screening"


def cache_key(sha256: str, name: str) -> str:
    """Key of a source file: its content hash, the name it is read under and the cache format."""
    return hashlib.sha256(f"{CACHE_FORMAT}\0{sha256}\0{name}".encode()).hexdigest()


def cache_path(sha256: str, name: str) -> Path:
    """Path of the cache file of a source file with content hash ``sha256`` read under ``name``."""
    return cache_dir() / f"entries-v{CACHE_FORMAT}-{cache_key(sha256, name)[:32]}.npz"


def _strings(values) -> np.ndarray:
    text = _SEP.join(values)
    if any(_SEP in v for v in values):  # pragma: no cover - formulas and ids never hold newlines
        raise ValueError("a string of the table holds a newline")
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _unstrings(blob: np.ndarray, n: int) -> tuple[str, ...]:
    if n == 0:
        return ()
    out = tuple(blob.tobytes().decode("utf-8").split(_SEP))
    if len(out) != n:
        raise ValueError(f"expected {n} strings, found {len(out)}")
    return out


def _savez_reproducible(fh, arrays: dict[str, np.ndarray]) -> None:
    """``np.savez`` with a fixed time stamp on every member, so the same table gives the same bytes."""
    with zipfile.ZipFile(fh, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, arr in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with zf.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(arr), allow_pickle=False)


def write_table(path: str | os.PathLike, table: EntryTable, key: str) -> Path:
    """Write ``table`` to ``path`` (``.npz``) atomically, tagged with ``key``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    a = table.amounts.tocsr()
    arrays = {
        "key": np.frombuffer(key.encode(), dtype=np.uint8),
        "elements": _strings(table.elements),
        "indptr": a.indptr.astype(np.int64),
        "indices": a.indices.astype(np.int32),
        "data": a.data.astype(np.float64),
        "energy_per_atom": np.asarray(table.energy_per_atom, dtype=np.float64),
        "formulas": _strings(table.formulas),
        "ids": _strings(table.ids),
        "virtual": np.asarray(table.virtual, dtype=bool),
        "provenance": np.frombuffer(json.dumps(table.provenance).encode(), dtype=np.uint8),
    }
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            _savez_reproducible(fh, arrays)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_table(path: str | os.PathLike, key: str) -> EntryTable:
    """Read a table written by :func:`write_table`.

    Raises:
        ValueError, OSError, KeyError, zipfile.BadZipFile: the file is missing, truncated, corrupt, or
            was written for another key (callers rebuild it).
    """
    with np.load(path, allow_pickle=False) as z:
        if z["key"].tobytes().decode() != key:
            raise ValueError("cache file belongs to another source")
        elements = tuple(z["elements"].tobytes().decode("utf-8").split(_SEP))
        indptr, indices, data = z["indptr"], z["indices"], z["data"]
        energy = z["energy_per_atom"]
        virtual = z["virtual"]
        n = len(energy)
        formulas = _unstrings(z["formulas"], n)
        ids = _unstrings(z["ids"], n)
        provenance = json.loads(z["provenance"].tobytes().decode("utf-8"))
    if len(indptr) != n + 1 or len(virtual) != n or len(indices) != len(data) or indptr[-1] != len(data):
        raise ValueError("cache file arrays are inconsistent")
    if len(indices) and (indices.min() < 0 or indices.max() >= len(elements)):
        raise ValueError("cache file element indices out of range")
    amounts = sp.csr_matrix((data, indices, indptr), shape=(n, len(elements)))
    return EntryTable(elements, amounts, energy, formulas, ids, virtual, provenance)


def cached_table(sha256: str, name: str, build: Callable[[], EntryTable]) -> EntryTable:
    """The table of a source file from the cache, or ``build()`` it and store it.

    Args:
        sha256: Content hash of the source file.
        name: The file name it is read under (CSV ids depend on the stem).
        build: Parses the file; its :class:`~screening.errors.SourceError` propagates and nothing is stored.

    Returns:
        The table; identical (arrays, ids, provenance) whether it was read from the cache or built.
    """
    path = cache_path(sha256, name)
    key = cache_key(sha256, name)
    try:
        return read_table(path, key)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError):
        pass  # missing or unusable: rebuild below
    table = build()
    try:
        write_table(path, table, key)
    except OSError:
        pass  # read-only or full cache folder: slower next time, never wrong
    return table


__all__ = ["CACHE_ENV", "CACHE_FORMAT", "cache_dir", "cache_path", "cached_table", "read_table", "write_table"]
