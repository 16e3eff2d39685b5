"""Exceptions raised by the screening package.

Every error carries a one-line message that names the problem and the fix; the command line prints
that line (no traceback) and exits non-zero.
"""

from __future__ import annotations


class ScreeningError(Exception):
    """Base class of every error the package raises on bad input."""


class FormulaError(ScreeningError, ValueError):
    """A formula (or glass/composite notation) that cannot be parsed."""


class MissingElementError(ScreeningError, KeyError):
    """A composition contains an element that the entry source has no data for."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it a plain sentence.
        return str(self.args[0]) if self.args else ""


class SourceError(ScreeningError, ValueError):
    """An entry source (snapshot file, entries JSON, database) is missing, empty or malformed."""


class InputError(ScreeningError, ValueError):
    """Any other invalid argument (negative voltage, unknown option, ...)."""


class ScreeningWarning(UserWarning):
    """Something the user should know that does not stop the computation (an excluded entry that does
    not exist, a stability limit on a very short plateau). The command line prints ``warning: ...``."""


class ResultsError(ScreeningError, ValueError):
    """A results folder that is missing, incomplete, from another version, or lacks the asked stack."""


class IntegrityError(ScreeningError):
    """A result or intermediate file is missing, corrupt, or differs from its recorded sha256."""
