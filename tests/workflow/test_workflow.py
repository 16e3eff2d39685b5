"""The Snakemake workflow end to end.

* the review screen (``config/review.yaml``) on the shared snapshot, in a temporary directory: its
  numbers equal what the engine computes directly, every configured material appears (virtual ones
  marked), provenance is recorded; a second run that is interrupted and resumed recomputes no finished
  chunk and gives byte-identical tables; a lost chunk output reruns only that chunk;
* the default screen (``config/config.yaml``, offline) and the HTML report;
* bad configs stop before anything runs, with the key and the allowed values.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

import screening
from screening.composition import parse_formula
from screening.entries import sha256_of
from screening.screen.io import read_provenance
from screening.screen.provenance import config_sha256

REPO = Path(__file__).resolve().parents[2]
SNAKEFILE = REPO / "Snakefile"
REVIEW = REPO / "config" / "review.yaml"
DEFAULT = REPO / "config" / "config.yaml"
TABLES = ["windows", "interfaces", "reactions", "rankings"]
TABLE_FILES = [f"results/tables/{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")]
TIMEOUT = 3600  # s; a hang guard for one run of the review screen (~3 min on 2 idle cores, >20 min on busy ones)

pytestmark = pytest.mark.workflow


def snakemake_exe() -> list[str]:
    exe = Path(sys.executable).with_name("snakemake")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "snakemake"]


def snakemake(
    workdir: Path, *args: str, configfile: Path | None = None, check: bool = True, timeout: float = TIMEOUT
) -> subprocess.CompletedProcess:
    """Run snakemake on the repository's Snakefile in ``workdir``. Targets go first in ``args``: --config
    takes every following word that is not an option."""
    cmd = [*snakemake_exe(), *args, "-s", str(SNAKEFILE), "--directory", str(workdir), "--cores", "2"]
    if configfile is not None:
        cmd += ["--configfile", str(configfile)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"snakemake failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}"
        )
    return proc


def job_counts(output: str) -> dict[str, int]:
    """Rule -> number of jobs, from the 'Job stats' table snakemake prints."""
    m = re.search(r"Job stats:\n(.*?)\n\n", output + "\n\n", re.S)
    if not m:
        return {}
    out = {}
    for line in m.group(1).splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and parts[0] != "total":
            out[parts[0]] = int(parts[1])
    return out


# ---------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def review_run(snapshot_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole review screen (tables, figures, provenance) in a temporary directory."""
    workdir = tmp_path_factory.mktemp("review_a")
    t0 = time.perf_counter()
    snakemake(workdir, configfile=REVIEW)
    print(f"review screen: {time.perf_counter() - t0:.1f} s")
    return workdir


@pytest.fixture(scope="module")
def review_cfg() -> dict:
    return yaml.safe_load(REVIEW.read_text())


def table(workdir: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(workdir / "results" / "tables" / f"{name}.parquet")


def plan_chunks(workdir: Path) -> int:
    """Number of interface chunks in the plan the run wrote."""
    plan = pd.read_parquet(workdir / "results" / "work" / "plan" / "interfaces.parquet")
    return plan.loc[plan["chunk"] >= 0, "chunk"].nunique()


def find_interface(itf: pd.DataFrame, kind: str, a: str, b: str, voltage: float | None) -> pd.Series:
    """The one row of the interfaces table with these typed columns (voltage None: closed)."""
    v = itf["voltage"]
    at = v.isna() if voltage is None else v == voltage
    rows = itf[(itf["kind"] == kind) & (itf["a_name"] == a) & (itf["b_name"] == b) & at]
    assert len(rows) == 1, (kind, a, b, voltage, len(rows))
    return rows.iloc[0]


# ---------------------------------------------------------------------------------------------- numbers
@pytest.mark.snapshot
@pytest.mark.slow
def test_linbo3_numbers_equal_the_engine(review_run: Path, engine) -> None:
    win = table(review_run, "windows").set_index(["role", "name"])
    w = engine.window("LiNbO3")
    row = win.loc[("coating", "LiNbO3")]
    assert row["reduction_limit"] == pytest.approx(w.reduction_limit, abs=1e-6)
    assert row["oxidation_limit"] == pytest.approx(w.oxidation_limit, abs=1e-6)
    assert row["e_above_hull"] == pytest.approx(w.e_above_hull, abs=1e-6)
    assert not row["virtual"]

    itf = table(review_run, "interfaces")
    cases = [
        ("coating|cathode", "LiCoO2", "LiCoO2", 3.0),
        ("coating|cathode", "LiCoO2", "LiCoO2", 4.3),
        ("coating|cathode_charged", "LiCoO2", "Li0.5CoO2", None),
        ("coating|electrolyte", "Li3PS4", "Li3PS4", 3.0),
        ("coating|electrolyte", "Li3PS4", "Li3PS4", 4.3),
        ("coating|anode", "Li", "Li", None),
    ]
    for kind, name, partner, v in cases:
        p = engine.react("LiNbO3", partner, voltage=v)
        r = find_interface(itf, kind, "LiNbO3", name, v)
        assert r["b_formula"] == partner
        assert r["status"] == "ok", (kind, name, v)
        assert r["energy"] == pytest.approx(p.min_energy, abs=1e-6), (kind, name, v)
        assert r["energy_mutual"] == pytest.approx(p.min_energy_mutual, abs=1e-6), (kind, name, v)
        assert r["x_at_energy"] == pytest.approx(p.min_x, abs=1e-6), (kind, name, v)
        assert r["n_kinks"] == len(p.kinks), (kind, name, v)
        assert r["reaction_at_energy"] == p.minimum.reaction, (kind, name, v)
    # every kink with its products is in the reactions table
    kinks = table(review_run, "reactions")
    ident = find_interface(itf, "coating|electrolyte", "LiNbO3", "Li3PS4", 4.3)["interface"]
    mine = kinks[kinks["interface"] == ident].sort_values("x")
    p = engine.react("LiNbO3", "Li3PS4", voltage=4.3)
    assert mine["x"].tolist() == pytest.approx([k.x for k in sorted(p.kinks, key=lambda k: k.x)], abs=1e-6)
    assert mine["products"].str.len().min() > 0


@pytest.mark.snapshot
@pytest.mark.slow
def test_baseline_is_strongly_negative_and_linbo3_improves_it(review_run: Path, engine) -> None:
    rk = table(review_run, "rankings")
    stack = rk[rk["stack"] == "LiCoO2 | Li3PS4"].set_index("coating")
    nb = stack.loc["LiNbO3"]
    # the baseline (no coating): the worst electrolyte | cathode reaction open to Li [eV per non-Li atom]
    # and, apart, the closed one with the charged cathode [eV/atom]
    expected_open = min(
        engine.react("Li3PS4", "LiCoO2", voltage=3.0).min_energy_mutual,
        engine.react("Li3PS4", "LiCoO2", voltage=4.3).min_energy_mutual,
    )
    assert nb["baseline_energy_electrode_open_eV_per_nonLi_atom"] == pytest.approx(expected_open, abs=1e-6)
    assert nb["baseline_energy_charged_closed_eV_per_atom"] == pytest.approx(
        engine.react("Li3PS4", "Li0.5CoO2").min_energy_mutual, abs=1e-6
    )
    assert nb["baseline_energy_electrode_closed_eV_per_atom"] == pytest.approx(
        engine.react("Li3PS4", "LiCoO2").min_energy_mutual, abs=1e-6
    )
    assert expected_open < -0.3  # strongly negative
    assert bool(nb["coating_needed"])
    # LiNbO3 between them: its worst open interfaces are much less negative than the baseline
    worst_open = min(nb["energy_electrode_open_eV_per_nonLi_atom"], nb["energy_electrolyte_open_eV_per_nonLi_atom"])
    assert worst_open > expected_open + 0.2
    # LiNbO3 (a named coating) is ranked under xiao2019: its closed reaction with Li3PS4 (-0.146 eV/atom on the
    # snapshot; -0.164 in Xiao 2019) fails the reactivity gate, its 3.76 V oxidation limit is marginal
    assert nb["stage"] == "fails" and nb["rank"] >= 1
    assert nb["tier_reaction_electrolyte"] == "fail" and nb["tier_oxidation_limit"] == "marginal"
    assert nb["energy_electrolyte_closed_eV_per_atom"] == pytest.approx(
        engine.react("LiNbO3", "Li3PS4").min_energy_mutual, abs=1e-6
    )
    assert nb["energy_electrolyte_open_eV_per_nonLi_atom"] == pytest.approx(
        engine.react("LiNbO3", "Li3PS4", voltage=4.3).min_energy_mutual, abs=1e-6
    )
    assert nb["oxidation_limit"] == pytest.approx(engine.window("LiNbO3").oxidation_limit, abs=1e-6)
    # every candidate has a row: ranked if it reached the reaction energies, else the stage where it left
    ranked = stack[stack["stage"].isin(["passed", "marginal", "fails"])]
    assert ranked["rank"].notna().all() and stack.loc[~stack.index.isin(ranked.index), "rank"].isna().all()
    assert ranked["rank"].min() == 1 and ranked["rank"].max() <= len(ranked)
    assert (stack.loc[stack["status"] != "ok", "note"].str.len() > 0).all()
    assert (stack.loc[~stack["stage"].isin(["passed", "skipped"]), "fail_reasons"].str.len() > 0).all()
    # review (funnel: false): every candidate is ranked, and every stack has a verdict line
    assert stack["rank"].notna().sum() >= len(stack) - (stack["stage"].isin(["excluded", "skipped"])).sum()
    verdicts = rk.drop_duplicates("stack")["stack_note"]
    assert len(verdicts) == rk["stack"].nunique() and verdicts.str.contains("xiao2019 gate").all()


@pytest.mark.snapshot
@pytest.mark.slow
def test_every_material_appears_virtual_ones_marked(review_run: Path, review_cfg: dict, engine) -> None:
    win = table(review_run, "windows")
    rk = table(review_run, "rankings")
    itf = table(review_run, "interfaces")
    have = set(zip(win["role"], win["name"], strict=True))
    expected = (
        [("cathode", c["name"]) for c in review_cfg["cathodes"]]
        + [("cathode_charged", c["name"]) for c in review_cfg["cathodes"] if c.get("charged")]
        + [("anode", a["name"]) for a in review_cfg["anodes"]]
        + [("electrolyte", e["name"]) for e in review_cfg["electrolytes"]]
        + [("coating", c) for c in review_cfg["coatings"]["formulas"]]
    )
    assert set(expected) <= have, set(expected) - have
    assert len(win) == len(expected)
    # virtual flags agree with the engine (no entry of their own: placed on the hull)
    for r in win.itertuples(index=False):
        if r.status != "ok":
            assert r.note, r
            continue
        dec = engine.decompose(r.formula)
        assert bool(r.has_entry) == dec.has_entry, r.name
        assert bool(r.virtual) == dec.virtual, r.name
        if not dec.has_entry:
            assert "virtual" in r.note and math.isnan(r.e_above_hull), r.name
    virtual = set(win.loc[win["virtual"].fillna(False).astype(bool), "name"])
    assert {"NCA", "Li2.3C0.7B0.3O3", "Ta-LLZO", "Li9.54Si1.74P1.44S11.7Cl0.3"} <= virtual
    # every stack x coating is in the ranking, virtual coatings flagged there too
    n_stacks = (len(review_cfg["cathodes"]) + len(review_cfg["anodes"])) * len(review_cfg["electrolytes"])
    assert rk["stack"].nunique() == n_stacks
    assert len(rk) == n_stacks * len(review_cfg["coatings"]["formulas"])
    v = rk[rk["coating"] == "Li2.3C0.7B0.3O3"]
    assert v["virtual"].all() and v["note"].str.contains("virtual").all()
    # electrolytes and electrodes appear in the interfaces (baseline) with their virtual flags
    base = itf[itf["kind"].str.startswith("electrolyte|")]
    assert set(base["a_name"]) == {e["name"] for e in review_cfg["electrolytes"]}
    assert base.loc[base["a_name"] == "Ta-LLZO", "a_virtual"].all()
    # figures: one reaction-profile figure per stack, one heatmap per electrode
    figs = review_run / "results" / "figures"
    assert len(list((figs / "profiles").glob("*.png"))) == n_stacks
    assert len(list((figs / "heatmaps").glob("*.png"))) == len(review_cfg["cathodes"]) + len(review_cfg["anodes"])
    assert (figs / "windows.png").stat().st_size > 10_000


@pytest.mark.snapshot
@pytest.mark.slow
def test_provenance(review_run: Path, snapshot_path: Path) -> None:
    prov = json.loads((review_run / "results" / "provenance.json").read_text())
    assert prov["source"]["sha256"] == sha256_of(snapshot_path)  # the packaged snapshot (source mp2019)
    assert prov["source"]["source"] == "mp2019"
    assert prov["source"]["file"] == "screening/data/mp_e_form_2019.csv.gz"
    assert prov["source"]["license"].startswith("CC BY 4.0") and len(prov["source"]["citation"]) == 2
    assert "path" not in prov["source"]  # nothing of this machine
    assert prov["screening_version"] == screening.__version__
    assert prov["config"]["source"] == "mp2019"
    assert prov["config"]["ranking"]["reaction_energy"] == "mutual"  # defaults filled in
    for f in TABLE_FILES:
        assert prov["files"][f] == sha256_of(review_run / f)
    for name in TABLES:
        p = read_provenance(review_run / "results" / "tables" / f"{name}.parquet")
        assert p["source"]["sha256"] == prov["source"]["sha256"]
        # a table records the part of the config its step reads (docs/funnel.md, "Reruns"), as in provenance.json
        assert p["config"] and all(prov["config"][k] == v for k, v in p["config"].items()), name
        assert p["config_sha256"] == config_sha256(p["config"])
        assert "report" not in p["config"] and ("ranking" in p["config"]) == (name == "rankings"), name
    # no timestamps in the tables
    for f in TABLE_FILES:
        if f.endswith(".csv"):
            assert not re.search(r"20\d\d-\d\d-\d\dT", (review_run / f).read_text())


# ---------------------------------------------------------------------------------------------- resume
@pytest.mark.snapshot
@pytest.mark.slow
def test_interrupted_run_resumes_without_recomputing_and_is_byte_identical(
    review_run: Path, snapshot_path: Path, tmp_path: Path
) -> None:
    """A second run, killed mid-way and restarted, reuses its finished chunks and equals the first run."""
    workdir = tmp_path / "review_b"
    workdir.mkdir()
    targets = [*TABLE_FILES, "results/provenance.json"]
    cmd = [
        *snakemake_exe(),
        *targets,
        "-s",
        str(SNAKEFILE),
        "--directory",
        str(workdir),
        "--cores",
        "1",
        "--configfile",
        str(REVIEW),
    ]
    chunk_dir = workdir / "results" / "work" / "interfaces"
    # Event-driven: read snakemake's output as it comes and press Ctrl-C right after the second
    # interface chunk reports "Finished". No sleeps, no deadline racing the run: however slow a loaded
    # machine makes the jobs, the interruption lands at the same point. The watchdog only ends a run
    # that hangs (then the test fails).
    done = re.compile(r"Finished jobid: \d+ \(Rule: interface_chunk\)")
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True, bufsize=1
    )
    watchdog = threading.Timer(TIMEOUT, lambda: os.killpg(proc.pid, signal.SIGKILL))
    watchdog.start()
    lines: list[str] = []
    try:
        n_done = 0
        for line in proc.stdout:
            lines.append(line)
            if n_done < 2 and done.search(line):
                n_done += 1
                if n_done == 2:
                    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C
        proc.wait()
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    (tmp_path / "first.log").write_text("".join(lines))
    assert n_done == 2, "".join(lines)[-3000:]
    finished = sorted(chunk_dir.glob("chunk_*.summary.parquet"))
    n_chunks = plan_chunks(workdir)
    assert 2 <= len(finished) < n_chunks, "interrupted too late to test resuming"
    assert not (workdir / "results" / "tables" / "rankings.csv").exists()
    stamps = {p: p.stat().st_mtime_ns for p in finished}
    bench = {p: p.stat().st_mtime_ns for p in (workdir / "results" / "benchmarks" / "interface_chunk").glob("*.tsv")}

    # dry run: only the missing chunks are planned
    plan = snakemake(workdir, *targets, "-n", "--rerun-incomplete", configfile=REVIEW)
    counts = job_counts(plan.stdout)
    assert counts.get("interface_chunk", 0) == n_chunks - len(finished), plan.stdout[-3000:]
    assert not {"entries", "candidates", "plan"} & set(counts), counts

    snakemake(workdir, *targets, "--rerun-incomplete", configfile=REVIEW)
    for p, t in stamps.items():
        assert p.stat().st_mtime_ns == t, f"{p.name} was recomputed"
    for p, t in bench.items():
        assert p.stat().st_mtime_ns == t, f"{p.name} was recomputed"

    # byte-identical result tables and provenance as the uninterrupted run in another directory
    for f in [
        *TABLE_FILES,
        "results/provenance.json",
        "results/candidates.csv",
        "results/work/plan/interfaces.parquet",
    ]:
        assert (workdir / f).read_bytes() == (review_run / f).read_bytes(), f"{f} differs between runs"


@pytest.mark.snapshot
@pytest.mark.slow
def test_lost_chunk_and_table_rerun_only_that_chunk(review_run: Path, snapshot_path: Path) -> None:
    """One chunk's output and the merged tables gone (e.g. a failed node): only that chunk is recomputed."""
    chunk_dir = review_run / "results" / "work" / "interfaces"
    chunks = sorted(chunk_dir.glob("chunk_*.summary.parquet"))
    before = {f: (review_run / f).read_bytes() for f in TABLE_FILES}
    others = {p: p.stat().st_mtime_ns for p in chunks[:-1]}
    lost = chunks[-1].name.split(".")[0]
    for p in chunk_dir.glob(f"{lost}.*.parquet"):
        p.unlink()
    for name in ("interfaces", "reactions"):
        for ext in ("csv", "parquet"):
            (review_run / "results" / "tables" / f"{name}.{ext}").unlink()
    plan = snakemake(review_run, *TABLE_FILES, "-n", configfile=REVIEW)
    counts = job_counts(plan.stdout)
    assert counts.get("interface_chunk") == 1, plan.stdout[-3000:]
    assert f"wildcards: chunk={lost.split('_')[1]}" in plan.stdout
    assert not {"entries", "candidates", "plan", "windows", "baseline"} & set(counts), counts
    snakemake(review_run, *TABLE_FILES, configfile=REVIEW)
    for p, t in others.items():
        assert p.stat().st_mtime_ns == t
    for f, data in before.items():
        assert (review_run / f).read_bytes() == data, f


# ---------------------------------------------------------------------------------------------- default
@pytest.mark.slow
def test_default_screen_runs_offline_with_report(tmp_path: Path, engine) -> None:
    t0 = time.perf_counter()
    own = ["--config", "results_dir=screen_default"]  # its own results folder (config key results_dir)
    snakemake(tmp_path, *own, configfile=DEFAULT)
    assert not (tmp_path / "results").exists() and not (tmp_path / "logs").exists()
    out = tmp_path / "screen_default"
    assert (out / "logs" / "entries.log").is_file() and (out / "benchmarks" / "entries.tsv").is_file()
    print(f"default screen: {time.perf_counter() - t0:.1f} s")
    cands = pd.read_csv(out / "candidates.csv")
    assert {"explicit", "user", "query"} <= set(cands["origin"])
    # the query: every Li-B-O and Li-P-O oxide on the snapshot's hull
    query = set(cands.loc[cands["origin"] == "query", "coating"])
    assert {"Li3BO3", "LiBO2", "Li2B4O7", "Li3PO4", "LiPO3", "Li4P2O7", "Li2O"} <= query
    assert all("O" in parse_formula(f) and "Li" in parse_formula(f) for f in query)
    win = pd.read_parquet(out / "tables" / "windows.parquet").set_index(["role", "name"])
    assert bool(win.loc[("coating", "LBCO"), "virtual"])  # user-defined glass, placed on the hull
    assert not bool(win.loc[("coating", "LiNbO3"), "virtual"])
    assert not bool(win.loc[("cathode", "LiCoO2"), "virtual"])  # on the snapshot, unlike the experimental data
    ref = engine.window("LiNbO3")
    assert win.loc[("coating", "LiNbO3"), "oxidation_limit"] == pytest.approx(ref.oxidation_limit, abs=1e-6)
    rk = pd.read_parquet(out / "tables" / "rankings.parquet")
    assert set(rk["stack"]) == {"LiCoO2 | Li3PS4", "LiCoO2 | LLZO", "Li | Li3PS4", "Li | LLZO"}
    assert rk["passes"].fillna(False).any()
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["source"]["source"] == "mp2019" and prov["source"]["license"].startswith("CC BY 4.0")
    # the report of that run: the same --configfile and --config as the run (README)
    report = out / "report.html"
    snakemake(tmp_path, "--report", str(report), *own, configfile=DEFAULT)
    text = report.read_text(errors="replace")
    for word in ("windows.csv", "funnel.csv", "windows.png", "Ranking heatmaps"):
        assert word in text, word
    # only the summary figures and the small tables are embedded (the review's report was 110 MB with every
    # profile PNG, the interactive report and the large tables; tests/workflow/test_report_declarations.py)
    assert "Reaction profiles" not in text and "Interactive report" not in text
    assert report.stat().st_size < 8e6, report.stat().st_size
    # the interactive report: one file, its data block holds every stack of the ranking
    html = (out / "report" / "index.html").read_text()
    for stack in set(rk["stack"]):
        assert f'"name":"{stack}"' in html, stack


# ---------------------------------------------------------------------------------------------- configs
@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "ranking={reaction_energy: lowest}",
            "ranking.reaction_energy = 'lowest' is not allowed; allowed values: 'mutual', 'total'",
        ),
        ("chunksize=3", "unknown config key(s) 'chunksize' at the top level; allowed keys:"),
        ("mp={thermo_type: PBE}", "mp.thermo_type = 'PBE' is not allowed; allowed values: 'GGA_GGA+U', 'R2SCAN'"),
        ("chunk_size=0", "chunk_size = 0 must be >= 1"),
        ("funnel=maybe", "funnel = 'maybe' must be of type boolean"),
        ("source=no/such/file.csv", "config key source = 'no/such/file.csv': no such file"),
    ],
)
def test_bad_config_stops_with_the_key_and_allowed_values(tmp_path: Path, override: str, message: str) -> None:
    proc = snakemake(tmp_path, "-n", "--config", override, configfile=DEFAULT, check=False, timeout=120)
    assert proc.returncode != 0
    assert message in proc.stdout + proc.stderr, (proc.stdout + proc.stderr)[-2000:]


@pytest.mark.parametrize("top_n", [0, -2])
def test_top_n_below_one_stops_with_the_key(tmp_path: Path, top_n: int) -> None:
    """`--config report={top_n: 0}` reaches Snakemake as a string (its YAML BaseLoader), so the number goes
    through a config file, as a user would write it."""
    import yaml

    cfg = yaml.safe_load(DEFAULT.read_text())
    cfg.setdefault("report", {})["top_n"] = top_n
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    proc = snakemake(tmp_path, "-n", configfile=path, check=False, timeout=120)
    assert proc.returncode != 0
    assert f"report.top_n = {top_n} must be >= 1" in proc.stdout + proc.stderr, (proc.stdout + proc.stderr)[-2000:]


def test_review_config_accepts_source_mp(tmp_path: Path) -> None:
    """The review screen plans against Materials Project: one fetch job (on the submit host), then entries."""
    proc = snakemake(tmp_path, "-n", "--config", "source=mp", configfile=REVIEW, timeout=120)
    counts = job_counts(proc.stdout)
    assert counts.get("fetch_mp") == 1 and counts.get("entries") == 1, proc.stdout[-3000:]


def test_csv_false_plans_the_large_tables_in_parquet_only(tmp_path: Path) -> None:
    """`csv: false` (config/discovery.yaml): no interfaces/reactions/rankings CSV is planned, the small ones stay."""
    proc = snakemake(tmp_path, "-n", "--config", "csv=False", configfile=DEFAULT, timeout=120)
    planned = set(re.findall(r"results/tables/[a-z]+\.(?:csv|parquet)", proc.stdout))
    assert planned == {
        f"results/tables/{name}" for name in (
            "windows.csv", "windows.parquet", "interfaces.parquet", "reactions.parquet", "rankings.parquet",
            "funnel.csv", "funnel.parquet",
        )
    }, proc.stdout[-3000:]


def test_lint_is_clean() -> None:
    proc = subprocess.run(
        [*snakemake_exe(), "-s", str(SNAKEFILE), "--lint"], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Congratulations" in proc.stdout + proc.stderr
