"""Rules read only what they use: which jobs a config change reruns (docs/funnel.md, "Reruns").

The default screen (``config/config.yaml``) runs once in a temporary directory; then, per kind of change,
``snakemake -n`` (default ``--rerun-triggers``) with the changed config lists the rules that would rerun.
Jobs behind the plan checkpoint (the interface chunks) are only known once the plan has run, so two real
reruns check them: a criteria change that leaves the plan's rows alone reruns the plan but no chunk, and
one that changes them reruns exactly the chunks whose rows changed.
"""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml
from test_workflow import DEFAULT, job_counts, snakemake

pytestmark = [pytest.mark.workflow, pytest.mark.slow]

FIGURES = {"plot_windows", "plot_profiles", "plot_heatmaps"}
#: provenance.json records the whole config, and the HTML report shows it: any change reruns both (seconds).
REPORT = {"provenance", "report_html"}
ALL = {"entries", "candidates", "windows", "baseline", "plan", "interfaces", "rankings", *FIGURES, *REPORT}
PLAN_ON = {"plan", "interfaces", "rankings", *FIGURES, *REPORT}


def _add_coatings(c: dict) -> None:
    c["coatings"]["formulas"] += ["Li3PO4", "LiBO2"]


def _remove_coating(c: dict) -> None:
    c["coatings"]["formulas"].remove("ZrO2")


def _weight(c: dict) -> None:
    c["ranking"]["weights"]["window"] = 0.7


def _threshold(c: dict) -> None:
    c["thresholds"] = {"e_above_hull": 0.05}


def _criteria(c: dict) -> None:
    c["criteria"] = {"preset": "xiao2019", "gates": {"oxidation_limit": {"marginal": 3.6}}}


def _top_n(c: dict) -> None:
    c["report"]["top_n"] = 5


def _html_top_n(c: dict) -> None:
    c["report"]["html_top_n"] = 10


def _source(c: dict) -> None:
    c["source"] = "experimental"


def _potential(c: dict) -> None:
    c["cathodes"][0]["voltage"] = [3.0, 4.2]


def _li_tolerance(c: dict) -> None:
    c["li_tolerance"] = 0.01


def _reorder(c: dict) -> None:
    """The same config with its keys in another order (params hold them sorted)."""
    reordered = dict(reversed(list(c.items())))
    c.clear()
    c.update(reordered)
    c["ranking"]["weights"] = dict(reversed(list(c["ranking"]["weights"].items())))


#: (change, edit of the default config, rules a dry run reruns). Adding or removing a coating reruns the
#: whole screen for now (entries reads every material's elements; a content-addressed store of windows and
#: interfaces is part 1 of issue 22); a source or an electrode potential is read by every step.
CHANGES: list[tuple[str, Callable[[dict], None], set[str]]] = [
    ("nothing (keys reordered)", _reorder, set()),
    ("coating added", _add_coatings, ALL),
    ("coating removed", _remove_coating, ALL),
    ("weight changed", _weight, {"rankings", *FIGURES, *REPORT}),
    ("threshold changed", _threshold, PLAN_ON),
    ("criteria changed", _criteria, PLAN_ON),
    ("report.top_n changed", _top_n, FIGURES | REPORT),
    ("report.html_top_n changed", _html_top_n, REPORT),
    ("li_tolerance changed", _li_tolerance, {"windows", *PLAN_ON}),
    ("source changed", _source, ALL),
    ("potential changed", _potential, ALL),
]


def changed_config(workdir: Path, edit: Callable[[dict], None], name: str = "changed.yaml") -> Path:
    cfg = yaml.safe_load(DEFAULT.read_text())
    edit(cfg)
    path = workdir / name
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


def rerun_rules(workdir: Path, edit: Callable[[dict], None]) -> set[str]:
    """Rules ``snakemake -n`` would run with the edited default config (``all`` left out)."""
    proc = snakemake(workdir, "-n", configfile=changed_config(workdir, edit), timeout=600)
    return set(job_counts(proc.stdout + proc.stderr)) - {"all"}


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default screen, run once to the end."""
    workdir = tmp_path_factory.mktemp("reruns")
    snakemake(workdir, configfile=DEFAULT)
    assert not rerun_rules(workdir, lambda c: None)  # up to date
    return workdir


def test_each_change_reruns_only_the_rules_that_read_it(default_run: Path) -> None:
    table = [(name, rerun_rules(default_run, edit), expected) for name, edit, expected in CHANGES]
    width = max(len(name) for name, _, _ in table)
    print("\nchange".ljust(width + 3) + "rules rerun (snakemake -n)")
    for name, got, _ in table:
        print(f"{name.ljust(width)}  {', '.join(sorted(got)) or '-'}")
    for name, got, expected in table:
        assert got == expected, (name, sorted(got ^ expected))


def _chunk_rows(workdir: Path) -> dict[int, pd.DataFrame]:
    plan = pd.read_parquet(workdir / "results" / "work" / "plan" / "interfaces.parquet")
    planned = plan[plan["chunk"] >= 0]
    return {int(c): g.drop(columns="chunk").reset_index(drop=True) for c, g in planned.groupby("chunk")}


def _mtimes(workdir: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (workdir / "results" / "work").rglob("*.parquet")}


def _gates(gates: dict) -> Callable[[dict], None]:
    """An edit that overrides gates of the default preset."""
    return lambda c: c.update(criteria={"preset": "xiao2019", "gates": gates})


def _ran(proc) -> set[str]:
    return set(re.findall(r"\(Rule: (\w+)\)", proc.stdout + proc.stderr)) - {"all"}


def test_a_plan_rerun_reruns_only_the_chunks_whose_rows_changed(default_run: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "run"
    shutil.copytree(default_run, workdir)  # mtimes and .snakemake metadata kept
    # an expensive gate: the plan step reruns, its rows stay the same, no interface is computed again
    before, rows = _mtimes(workdir), _chunk_rows(workdir)
    edit = {"reaction_electrolyte": {"pass": 0.05}}
    proc = snakemake(workdir, configfile=changed_config(workdir, _gates(edit)))
    after = _mtimes(workdir)
    assert _ran(proc) == PLAN_ON, sorted(_ran(proc))
    assert after["funnel.parquet"] != before["funnel.parquet"]  # the plan step ran
    assert _chunk_rows(workdir).keys() == rows.keys()
    assert all(after[k] == before[k] for k in before if k.startswith(("chunk_", "baseline"))), "a chunk reran"
    # a cheap gate that stops more query candidates: the chunks whose rows changed rerun, the others do not
    before, rows = after, _chunk_rows(workdir)
    stricter = copy.deepcopy(edit) | {"oxidation_limit": {"marginal": 3.95}}
    proc = snakemake(workdir, configfile=changed_config(workdir, _gates(stricter)))
    after, new_rows = _mtimes(workdir), _chunk_rows(workdir)
    assert "interface_chunk" in _ran(proc)
    for chunk, frame in new_rows.items():
        same = chunk in rows and frame.equals(rows[chunk])
        for kind in ("summary", "kinks"):
            name = f"chunk_{chunk}.{kind}.parquet"
            assert (after[name] == before.get(name)) == same, (chunk, same)
    assert after["baseline.summary.parquet"] == before["baseline.summary.parquet"]


def test_heatmaps_and_report_do_not_wait_on_each_other(tmp_path: Path) -> None:
    """plot_heatmaps reads the rankings only; report_html reads the tables and provenance.json, no figure."""
    proc = snakemake(tmp_path, "--rulegraph", configfile=DEFAULT, timeout=600)
    labels = dict(re.findall(r"^\s*(\d+)\[label = \"(\w+)\"", proc.stdout, re.M))
    edges = [(labels[a], labels[b]) for a, b in re.findall(r"^\s*(\d+) -> (\d+)", proc.stdout, re.M)]
    upstream: dict[str, set[str]] = {}
    for a, b in edges:
        upstream.setdefault(b, set()).add(a)

    def ancestors(rule: str) -> set[str]:
        seen, todo = set(), [rule]
        while todo:
            for r in upstream.get(todo.pop(), ()):
                if r not in seen:
                    seen.add(r)
                    todo.append(r)
        return seen

    assert "report_html" not in ancestors("plot_heatmaps")
    assert "plot_heatmaps" not in ancestors("report_html")
    assert ancestors("plot_heatmaps") == {"rankings", *ancestors("rankings")}
