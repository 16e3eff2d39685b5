"""What the command lines print as JSON, shared by :mod:`screening.cli` and :mod:`screening.mlip.cli`.

Below both command lines (it imports nothing of the package), so neither imports the other for it.
"""

from __future__ import annotations

import math


def jsonable(obj):
    """``obj`` with every non-finite float (inf, nan) replaced by None, so ``json.dumps`` writes valid JSON."""
    if isinstance(obj, float):
        return None if not math.isfinite(obj) else obj
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    return obj


__all__ = ["jsonable"]
