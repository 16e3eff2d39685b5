"""Logging of workflow steps: everything a step reports goes to its rule's ``log:`` file."""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from screening.errors import ScreeningError

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@contextmanager
def logged(log_path: str | Path, level: int = logging.INFO, inputs=None) -> Iterator[logging.Logger]:
    """Send the package's log records (and Python warnings) to ``log_path`` for the duration of a step.

    A :class:`~screening.errors.ScreeningError` (bad input, missing data) is written as one line to the
    log and to stderr and ends the step with exit status 1; any other exception is logged with its
    traceback and re-raised.

    Args:
        log_path: The rule's log file.
        level: Logging level.
        inputs: The rule's ``input`` (Snakemake object or paths). Checked first with
            :func:`screening.screen.verify.check_step_inputs`: an unreadable intermediate is removed
            (the next run recomputes it) and the step stops with one line; a results manifest
            (provenance.json) must match its tables' sha256.
    """
    path = Path(log_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    warnings.simplefilter("default")
    log = logging.getLogger("screening.workflow")
    try:
        if inputs is not None:
            from screening.screen.verify import check_step_inputs

            check_step_inputs(inputs)
        yield log
    except ScreeningError as exc:
        log.error("%s", exc)
        print(f"ERROR: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    except Exception:
        log.exception("step failed")
        raise
    else:
        log.info("done")
    finally:
        logging.captureWarnings(False)
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()


__all__ = ["logged"]
