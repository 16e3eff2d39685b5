"""Issue 26 (W1): a library warning raised inside a command is printed once and the command finishes.

``main`` records warnings while a command runs and prints them afterwards. Re-showing a library warning
while the recording was still active appended it to the list being printed, so any command that
triggered one (e.g. mp-api's emmet version warning) printed its answer and then looped forever. The
command runs in a subprocess with a timeout, so a regression fails here instead of hanging the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import screening

SRC = Path(screening.__file__).resolve().parents[1]  # the package under test (PYTHONPATH)

# A command whose work raises a library UserWarning (as if from pymatgen) and a real numpy RuntimeWarning.
SCRIPT = textwrap.dedent(
    """
    import sys
    import warnings

    import numpy as np

    from screening import cli

    original = cli.COMMANDS["decompose"]

    def noisy(args):
        warnings.warn("library says: emmet version mismatch", UserWarning, stacklevel=1)
        np.log(np.zeros(1))  # RuntimeWarning: divide by zero encountered in log
        return original(args)

    cli.COMMANDS["decompose"] = noisy
    sys.exit(cli.main(["decompose", "Li2O", "--source", "experimental"]))
    """
)


def test_library_warning_in_a_command_is_printed_once_and_the_command_exits_0():
    env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONWARNINGS": ""}
    try:
        proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, env=env)
    except subprocess.TimeoutExpired as exc:  # the regression: printing the warnings never ends
        raise AssertionError("the command did not finish within 60 s (warnings printed in a loop?)") from exc
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "decomposition (per formula unit): 1 Li2O" in proc.stdout
    assert proc.stderr.count("UserWarning: library says: emmet version mismatch") == 1, proc.stderr[-2000:]
    assert proc.stderr.count("RuntimeWarning: divide by zero encountered in log") == 1, proc.stderr[-2000:]


class _BoundedLog(list):
    """The recorded-warnings list, refusing to grow past 10 (a regression re-emits into it forever)."""

    def append(self, item):
        if len(self) >= 10:
            raise RuntimeError("a warning was re-emitted into the list of recorded warnings")
        super().append(item)


class _BoundedCatch(warnings.catch_warnings):
    def __enter__(self):
        log = super().__enter__()
        if log is None:
            return log
        bounded = _BoundedLog()
        self._module._showwarnmsg_impl = bounded.append
        return bounded


def test_library_warning_in_process_is_printed_once(capsys, monkeypatch):
    """The same in-process (under pytest's own warning capture), bounded so that a regression fails."""
    from screening import cli

    def noisy(args):
        warnings.warn("library says: deprecated thing", UserWarning, stacklevel=1)
        return 0

    monkeypatch.setitem(cli.COMMANDS, "decompose", noisy)
    monkeypatch.setattr(cli.warnings, "catch_warnings", _BoundedCatch)
    assert cli.main(["decompose", "Li2O"]) == 0
    err = capsys.readouterr().err
    assert err.count("UserWarning: library says: deprecated thing") == 1, err
