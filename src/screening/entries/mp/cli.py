"""The ``screening mp fetch`` and ``screening mp export`` commands, and the network options every command
with ``--source mp`` shares (``--retries``, ``--backoff``, ``--timeout``, ``--budget``).

Errors end with one line ``error: <problem>; <fix>`` on stderr and exit status 2, as in :mod:`screening.cli`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from screening.entries.mp.fetch import export_cache, fetch
from screening.entries.mp.options import (
    DEFAULT_CACHE_DIR,
    DEFAULT_THERMO_TYPE,
    THERMO_TYPES,
    MPOptions,
    chemsys_of,
    normalise_elements,
)
from screening.errors import ScreeningError

EXIT_ERROR = 2  # as screening.cli for bad input


#: Default total time [s] one command may spend on the API (``--budget``).
CLI_BUDGET = 300.0


def add_network_options(p: argparse.ArgumentParser, group: str | None = None) -> None:
    """``--retries``, ``--backoff``, ``--timeout`` and ``--budget`` of the Materials Project source."""
    g = p.add_argument_group(group) if group else p
    g.add_argument("--retries", type=int, default=3, help="extra attempts on HTTP 429/5xx and time-outs (default 3)")
    g.add_argument("--backoff", type=float, default=2.0, help="first retry delay in seconds, doubling (default 2)")
    g.add_argument("--timeout", type=float, default=30.0, help="heartbeat time-out in seconds (default 30)")
    g.add_argument(
        "--budget", type=float, default=CLI_BUDGET,
        help="total seconds for all requests, retries and waits; a hung server ends after this "
        f"(default {CLI_BUDGET:g})",
    )


def add_source_options(p: argparse.ArgumentParser) -> None:
    """The option group of a command with ``--source``: ``--mp-cache-dir`` and the network options."""
    g = p.add_argument_group("Materials Project source (with --source mp)")
    g.add_argument(
        "--mp-cache-dir", default=None, metavar="DIR", help="Materials Project cache root (default resources/mp_cache)"
    )
    add_network_options(g)


def network_options(args: argparse.Namespace) -> dict:
    """The :class:`MPOptions` fields (keyword arguments of :func:`fetch`/:func:`load_mp`) from
    :func:`add_network_options`."""
    return {k: getattr(args, k) for k in ("retries", "backoff", "timeout", "budget") if hasattr(args, k)}


def register_cli(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``mp fetch`` and ``mp export`` to a command line.

    Each subcommand stores its handler in ``args.handler`` (the convention of :mod:`screening.cli`; also
    ``args.func``); ``args.handler(args)`` returns the exit code: 0 on success, 2 on an error, which is
    reported as one line ``error: <problem>; <fix>`` on stderr.

    Args:
        subparsers: The object returned by ``ArgumentParser.add_subparsers()``.

    Returns:
        The ``mp`` parser.
    """
    mp = subparsers.add_parser(
        "mp",
        help="Materials Project data: fetch into the local cache, export a snapshot",
        description="Fetch Materials Project entries (API key from MP_API_KEY) into a local cache, "
        "or export the cache as a snapshot file for --source PATH.",
    )
    sub = mp.add_subparsers(dest="mp_command", metavar="{fetch,export}")
    sub.required = True

    f = sub.add_parser("fetch", help="fetch a chemical system (and all its subsystems) into the cache")
    f.add_argument("elements", nargs="+", help="element symbols, e.g. 'Li Co O' or 'Li-Co-O'")
    f.add_argument("--thermo-type", default=DEFAULT_THERMO_TYPE, choices=THERMO_TYPES, help="MP thermo type")
    f.add_argument("--cache-dir", default=None, help=f"cache root (default {DEFAULT_CACHE_DIR})")
    f.add_argument("--refresh", action="store_true", help="fetch again even if cached")
    add_network_options(f)
    f.set_defaults(handler=cmd_fetch, func=cmd_fetch)

    e = sub.add_parser("export", help="write cached entries as a snapshot file for --source PATH")
    e.add_argument("out", help="snapshot file to write (.json or .json.gz)")
    e.add_argument("--cache-dir", default=None, help=f"cache root (default {DEFAULT_CACHE_DIR})")
    e.add_argument("--elements", nargs="+", default=None, help="export only this chemical system")
    e.add_argument("--thermo-type", default=DEFAULT_THERMO_TYPE, choices=THERMO_TYPES, help="MP thermo type")
    e.set_defaults(handler=cmd_export, func=cmd_export)
    return mp


def cmd_fetch(args: argparse.Namespace) -> int:
    """``screening mp fetch``: returns the exit code."""
    try:
        rec = fetch(
            args.elements, args.thermo_type, args.cache_dir, refresh=args.refresh, **network_options(args)
        )
    except ScreeningError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    how = "already cached" if rec.from_cache else "fetched"
    print(
        f"{chemsys_of(normalise_elements(args.elements))}: {how} in {rec.path} ({len(rec.entries)} {rec.thermo_type} "
        f"entries of {rec.chemsys}, database {rec.database_version}, retrieved {rec.retrieved_at})"
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """``screening mp export``: returns the exit code."""
    try:
        path, n = export_cache(args.cache_dir, args.out, elements=args.elements, thermo_type=args.thermo_type)
    except ScreeningError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"wrote {n} {args.thermo_type} entries to {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m screening.entries.mp fetch|export ...`` (the same as ``screening mp ...``)."""
    parser = argparse.ArgumentParser(prog="python -m screening.entries.mp")
    sub = parser.add_subparsers(dest="command")
    sub.required = True
    register_cli(sub)
    args = parser.parse_args(["mp", *(argv if argv is not None else sys.argv[1:])])
    return args.handler(args)


def options_from_args(args: argparse.Namespace) -> MPOptions:
    """The :class:`MPOptions` of a command with ``--source mp``: ``--thermo-type``, ``--mp-cache-dir`` and
    the network options (those the command has)."""
    return MPOptions.build(
        None,
        thermo_type=getattr(args, "thermo_type", None) or None,
        cache_dir=getattr(args, "mp_cache_dir", None) or None,
        **network_options(args),
    )


__all__ = [
    "CLI_BUDGET",
    "add_network_options",
    "add_source_options",
    "main",
    "network_options",
    "options_from_args",
    "register_cli",
]
