"""File helpers every entry source shares: content hashes, package versions, atomic JSON writes, UTC time.

The bottom of :mod:`screening.entries` (it imports nothing of the package), so the file sources, the
Materials Project cache and the band gap cache record the same facts the same way.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path


def sha256_of(path: str | os.PathLike) -> str:
    """Hex sha256 of a file (streamed)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def dist_version(name: str) -> str | None:
    """Installed version of distribution ``name`` (None if it is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def utc_now() -> str:
    """The current time, UTC, ISO 8601 to the second (``2026-01-01T00:00:00Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical_sha256(obj) -> str:
    """sha256 of ``obj`` as canonical JSON (sorted keys, no spaces, ASCII): a checksum stored next to data."""
    canon = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=True)
    return hashlib.sha256(canon.encode("ascii")).hexdigest()


def write_json_atomic(path: Path, obj: dict) -> None:
    """Write JSON (gzipped if the name ends in .gz) via a temporary file and ``os.replace``.

    An interrupted write (full disk, killed job) never leaves a file that looks complete.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(obj, separators=(",", ":")).encode("utf-8")
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


__all__ = ["canonical_sha256", "dist_version", "sha256_of", "utc_now", "write_json_atomic"]
