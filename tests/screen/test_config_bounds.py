"""Issue 11: non-finite and absurd numbers in a screen's config stop it with one line naming the key.

Each case edits the shipped default config (config/config.yaml) the way the issue saw it, then runs
what every run does first: schema validation with defaults (``screening.api.validate_config``, the
same schema as the workflow's) and the typed config (``ScreenConfig.from_dict``). The workflow itself
is checked once (``snakemake -n``): it stops before any job and writes nothing.
"""

from __future__ import annotations

import copy
import math
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from screening.api import validate_config
from screening.plan.config import ConfigError, ScreenConfig, check_finite

REPO = Path(__file__).resolve().parents[2]
BASE = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
NAN, INF = math.nan, math.inf
BIG = "9" * 400


def _set(cfg: dict, path: str, value):
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    node = cfg
    for k in keys[:-1]:
        node = node.setdefault(k, {}) if isinstance(k, str) else node[k]
    node[keys[-1]] = value


CASES = [
    ("voltage-nan", "cathodes.0.voltage", [NAN, 2.6], r"cathodes\[0\]\.voltage\[0\] = nan is not a finite number"),
    ("voltage-1e20", "cathodes.0.voltage", [3.0, 1e20], r"cathodes\[0\]\.voltage\[1\] = 1e\+20 must be <= 10"),
    ("voltage-inf", "cathodes.0.voltage", [3.0, INF], r"cathodes\[0\]\.voltage\[1\] = inf must be <= 10"),
    ("anode-potential-nan", "anodes.0.potential", NAN, r"anodes\[0\]\.potential = nan is not a finite number"),
    ("anode-potential-11", "anodes.0.potential", 11.0, r"anodes\[0\]\.potential = 11\.0 must be <= 10"),
    ("threshold-ehull-nan", "thresholds.e_above_hull", NAN, r"thresholds\.e_above_hull = nan is not a finite"),
    ("threshold-reaction-inf", "thresholds.reaction_energy", INF, r"thresholds\.reaction_energy = inf must be <="),
    ("weight-electrode-inf", "ranking.weights.electrode", INF, r"ranking\.weights\.electrode = inf must be <= 1000"),
    ("weight-window-nan", "ranking.weights.window", NAN, r"ranking\.weights\.window = nan is not a finite"),
    ("scale-nan", "ranking.scales.window", NAN, r"ranking\.scales\.window = nan is not a finite"),
    ("margin-cap-inf", "ranking.window_margin_cap", INF, r"window_margin_cap = inf must be <= 10"),
    ("user-energy-1e300", "coatings.user", [{"formula": "Li3BO3", "formation_energy": -1e300}],
     r"coatings\.user\[0\]\.formation_energy = -1e\+300 must be >= -10"),
    ("user-energy-nan", "coatings.user", [{"formula": "Li3BO3", "formation_energy": NAN}],
     r"coatings\.user\[0\]\.formation_energy = nan is not a finite number"),
    ("query-ehull-inf", "coatings.query.e_above_hull_max", INF, r"e_above_hull_max = inf must be <= 10"),
    ("formula-400-digits", "electrolytes.0.formula", f"Li{BIG}PS4",
     r"config key electrolytes\[0\]\.formula: cannot parse formula .*exceeds 1e\+06"),
    ("coating-400-digits", "coatings.formulas", [f"Li{BIG}O"],
     r"config key coatings\.formulas\[0\]\.formula: cannot parse formula"),
    ("charged-bad", "cathodes.0.charged", "Li0.5CoO2Xx", r"cathodes\[0\]\.charged: cannot parse formula"),
    # issue 26, F4: '|' separates the materials of a stack; a name holding it made two stacks print alike
    ("name-with-pipe", "electrolytes.0.name", "LPS | Li", r"electrolytes\[0\]\.name = 'LPS \| Li': .*without '\|'"),
    ("coating-name-with-pipe", "coatings.user", [{"name": "A|B", "formula": "Li3BO3", "on_hull": True}],
     r"coatings\.user\[0\]\.name = 'A\|B': a material name without '\|'"),
]


@pytest.mark.parametrize(("path", "value", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_number_names_the_key(path, value, message):
    cfg = copy.deepcopy(BASE)
    _set(cfg, path, value)
    with pytest.raises(ConfigError, match=message) as info:
        ScreenConfig.from_dict(validate_config(cfg))
    assert "\n" not in str(info.value)


def test_the_shipped_configs_pass():
    for name in ("config.yaml", "review.yaml"):
        cfg = yaml.safe_load((REPO / "config" / name).read_text())
        ScreenConfig.from_dict(validate_config(cfg))


def test_check_finite_walks_nested_lists():
    check_finite({"a": [1, 2.5, {"b": [0.0, -3]}]})
    with pytest.raises(ConfigError, match=r"a\[1\]\.b\[0\] = -inf"):
        check_finite({"a": [1, {"b": [-INF]}]})


def test_workflow_stops_before_any_job(tmp_path):
    cfg = copy.deepcopy(BASE)
    cfg["cathodes"][0]["voltage"] = [NAN, 2.6]
    cfg["results_dir"] = str(tmp_path / "results")
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(cfg))
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(path), "-d", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode != 0
    assert "cathodes[0].voltage[0] = nan is not a finite number" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"require_elements": ["Li", "Og"]}, r"require_elements \['Li', 'Og'\]: the source has no entry with Og"),
        ({"require_elements": ["Li"], "exclude_elements": ["Li"]},
         r"exclude_elements \['Li'\] leaves none of the \d+ entries left by the filters before it"),
        ({"elements": ["Li", "O"], "min_elements": 3},
         r"min_elements 3 / max_elements 4 leaves none of the \d+ entries"),
    ],
    ids=["missing-element", "exclude", "element-count"],
)
def test_empty_query_names_the_filter_at_fault(exp_engine, query, message):
    from screening.screen.candidates import select_candidates

    cfg = ScreenConfig.from_dict({
        "anodes": [{"name": "Li", "formula": "Li", "potential": 0.0}],
        "electrolytes": [{"name": "SE", "formula": "LiI"}],
        "coatings": {"query": {"enabled": True, **query}},
    })
    with pytest.raises(ConfigError, match=message):
        select_candidates(exp_engine, cfg)


def test_python_yaml_tag_is_named_not_executed(tmp_path):
    from screening.api.screen import read_config

    marker = tmp_path / "ran"
    path = tmp_path / "evil.yaml"
    path.write_text(f'electrolytes: []\nsource: !!python/object/apply:os.system ["touch {marker}"]\n')
    with pytest.raises(ConfigError, match=r"uses the YAML tag !!python/object/apply:os\.system.*\(line 2\)"):
        read_config(path)
    assert not marker.exists()


def test_pipe_in_a_name_is_refused_by_the_typed_config():
    """Without the schema (Python API with a dict) the typed config refuses '|' too (issue 26, F4)."""
    cfg = validate_config(copy.deepcopy(BASE))
    cfg["coatings"]["formulas"] = [{"name": "LiNbO3 | LPS", "formula": "LiNbO3"}]
    with pytest.raises(ConfigError, match=r"config key coatings\.formulas\[0\]: name 'LiNbO3 \| LPS' contains '\|'"):
        ScreenConfig.from_dict(cfg)
