"""Interface stability screening for all-solid-state lithium batteries.

Nothing is read or fetched at import time; see :mod:`screening.entries` for data sources,
:mod:`screening.thermo` for hulls, interface reactions and stability windows.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("screening")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
