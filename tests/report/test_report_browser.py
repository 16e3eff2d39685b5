"""The interactive report in a real headless browser (Debian's chromium + chromium-driver, via selenium).

``.ci/run`` installs both; elsewhere the tests skip when they are missing (and fail under CI=true).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from screening.report import write_report
from screening.screen.provenance import RESULTS_FORMAT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Bounds for the report of a 2,000-candidate screen (6 stacks, 12,000 ranking rows).
LARGE_MAX_BYTES = 15_000_000
LARGE_MAX_SECONDS = 90.0


@pytest.fixture(scope="module")
def browser():
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        msg = f"{', '.join(missing)} not installed (apt-get install chromium chromium-driver; .ci/run does it)"
        if os.environ.get("CI") == "true":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", "--window-size=1400,1100"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    drv = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    drv.set_page_load_timeout(LARGE_MAX_SECONDS)
    yield drv
    drv.quit()


def _open(drv, html: Path, timeout: float = LARGE_MAX_SECONDS) -> float:
    """Load the page, wait until the app has drawn; seconds taken."""
    drv.get_log("browser")  # drop anything from a previous page
    drv.get_log("performance")
    t0 = time.perf_counter()
    drv.get(html.resolve().as_uri())
    while drv.execute_script("return document.body && document.body.dataset.ready") != "true":
        if time.perf_counter() - t0 > timeout:
            raise AssertionError(f"report not ready after {timeout} s")
        time.sleep(0.1)
    return time.perf_counter() - t0


def _requests(drv) -> list[str]:
    """URLs the page asked for since the last call (Chrome's performance log, Network domain)."""
    out = []
    for entry in drv.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            out.append(msg["params"]["request"]["url"])
    return out


def _errors(drv) -> list:
    return [e for e in drv.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def _select_stack(drv, name: str) -> None:
    idx = drv.execute_script(
        "return Array.from(document.querySelectorAll('#stack-select option'))"
        ".findIndex(o => o.textContent.startsWith(arguments[0] + ' ('))",
        name,
    )
    assert idx >= 0, name
    drv.execute_script(
        "const s = document.getElementById('stack-select'); s.value = String(arguments[0]);"
        "s.dispatchEvent(new Event('change'));",
        idx,
    )


def _minima(drv) -> dict[str, float]:
    return {
        m[0]: m[1]
        for m in drv.execute_script(
            "return document.getElementById('profiles').data.filter(t => t.meta.role === 'minimum')"
            ".map(t => [t.meta.interface_id, t.y[0]])"
        )
    }


def test_report_in_browser_rows_profiles_and_screenshot(small_screen, browser, tmp_path) -> None:
    html = write_report(small_screen, tmp_path / "report" / "index.html", top_n=3)
    _open(browser, html)
    assert _errors(browser) == []
    # no network: the page itself is the only thing loaded (plotly.js and the data are inline)
    assert _requests(browser) == [html.resolve().as_uri()]
    stack = "TiS2 | LiI"
    _select_stack(browser, stack)
    n_rows = browser.execute_script("return document.querySelectorAll('#ranking-table tbody tr').length")
    assert n_rows == int((small_screen.rankings["stack"] == stack).sum()) == 5
    # the funnel line counts the candidates at each stage of the stack
    funnel = browser.find_element("id", "funnel").text
    for st, n in small_screen.stack(stack)["stage"].value_counts().items():
        assert f"{st}: {n}" in funnel, (st, n, funnel)
    # select the second-ranked coating by clicking its row
    second = small_screen.stack(stack)["coating"].iloc[1]
    row = browser.find_element("css selector", f'#ranking-table tbody tr[data-coating="{second}"]')
    row.click()
    assert "selected" in row.get_attribute("class")
    drawn = _minima(browser)
    expected = pd.concat([small_screen.neighbours(stack, second), small_screen.baseline(stack)])
    col = small_screen.energy_column
    assert set(drawn) == {str(i) for i in expected["interface"]}
    for r in expected.itertuples():
        assert drawn[str(r.interface)] == pytest.approx(getattr(r, col), abs=1e-9), r.interface
    # filtering and sorting keep the row count honest
    browser.execute_script(
        "const f = document.getElementById('passing-only'); f.checked = true; f.dispatchEvent(new Event('change'));"
    )
    n_pass = browser.execute_script("return document.querySelectorAll('#ranking-table tbody tr').length")
    assert n_pass == int(small_screen.stack(stack)["passes"].fillna(False).astype(bool).sum())
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    assert _errors(browser) == []


def synthetic_results(root: Path, n_coatings: int, kinks_per_interface: int = 4, seed: int = 0) -> Path:
    """A results folder with the workflow's layout: 2 electrodes x 3 electrolytes, ``n_coatings`` coatings.

    Numbers are random but consistent (each interface's minimum is its lowest kink; each ranking row's
    energies are its interfaces' minima), which is all the report needs.
    """
    rng = np.random.default_rng(seed)
    res = root / "results"
    (res / "tables").mkdir(parents=True)
    coatings = [f"Li{i}Xx{i % 7 + 1}O{i % 5 + 1}" for i in range(n_coatings)]
    electrolytes = ["Li3PS4", "Li6PS5Cl", "Li7La3Zr2O12"]
    electrodes = [("LiCoO2", "cathode", [3.0, 4.3], True), ("Li", "anode", [0.0], False)]
    itf, kinks = [], []

    def add(kind, a, b, v):
        iid = len(itf)
        x = np.sort(np.concatenate([[0.0, 1.0], rng.uniform(0, 1, kinks_per_interface - 2)]))
        e = np.round(np.where((x > 0) & (x < 1), -rng.uniform(0, 0.5, len(x)), 0.0), 6)
        for j, (xx, ee) in enumerate(zip(x, e, strict=True)):
            kinks.append((iid, j, xx, xx, ee, ee, 0.0, f"{xx:.3f} {a} + {1 - xx:.3f} {b} -> P{j}", f"1 P{j}"))
        itf.append((iid, kind, a, b, kind.split("|")[1], v, v is not None, e.min(), e.min(), "ok"))
        return e.min()

    for el in electrolytes:
        for name, role, vs, _ in electrodes:
            for v in vs if role == "cathode" else [None]:
                add(f"electrolyte|{role}", el, name, v)
    rank_rows = []
    for c in coatings:
        e_el = {}
        for name, role, vs, _ in electrodes:
            e_el[name] = min(add(f"coating|{role}", c, name, v) for v in (vs if role == "cathode" else [None]))
        for el in electrolytes:
            pots = sorted({v for _, _, vs, _ in electrodes for v in vs})
            e_ly = {v: add("coating|electrolyte", c, el, v) for v in pots}
            for name, role, vs, _ in electrodes:
                rank_rows.append({
                    "stack": f"{name} | {el}", "electrode": name, "electrode_role": role, "electrolyte": el,
                    "coating": c, "status": "ok", "reaction_energy_kind": "mutual",
                    "energy_electrode": e_el[name], "energy_electrolyte": min(e_ly[v] for v in vs),
                    "potential_low": min(vs), "potential_high": max(vs),
                    "score": float(rng.uniform()), "fail_reasons": "window does not span 0.00 V (margin -0.5 V)",
                    "e_above_hull": float(rng.uniform(0, 0.02)),
                })
    rk = pd.DataFrame(rank_rows)
    # the workflow's other ranking columns, so that the size is that of a real table
    n = len(rk)
    rk["coating_formula"] = rk["coating"]
    rk["origin"] = "query"
    for col in ("pareto_rank", "pareto_rank_all"):
        rk[col] = pd.array(rng.integers(1, 40, n), dtype="Int64")
    rk["interface_electrode"] = rk["coating"] + " | " + rk["electrode"] + " @ 4.300 V"
    rk["interface_electrolyte"] = rk["coating"] + " | " + rk["electrolyte"] + " @ 4.300 V"
    rk["baseline_interface"] = "baseline: " + rk["electrolyte"] + " | " + rk["electrode"] + " @ 4.300 V"
    for col in ("worst_interface_energy", "baseline_energy", "improvement", "e_above_hull_used", "reduction_limit",
                "oxidation_limit", "window_margin", "s_electrode", "s_electrolyte", "s_window", "s_e_above_hull"):
        rk[col] = np.round(rng.uniform(-1, 1, n), 6)
    for col in ("has_entry", "virtual", "pass_e_above_hull", "pass_window", "pass_electrode", "pass_electrolyte"):
        rk[col] = rng.uniform(size=n) < 0.5
    rk["note"] = ""
    rk["rank"] = rk.groupby("stack")["score"].rank(ascending=False, method="first").astype("Int64")
    rk["passes"] = rk["rank"] <= 50
    pd.DataFrame(itf, columns=["interface", "kind", "a_name", "b_name", "b_role", "voltage", "open_to_li",
                               "energy", "energy_mutual", "status"]).to_parquet(res / "tables" / "interfaces.parquet")
    pd.DataFrame(kinks, columns=["interface", "kink", "x", "x_molar", "energy", "energy_mutual", "li_exchanged",
                                 "reaction", "products"]).to_parquet(res / "tables" / "reactions.parquet")
    rk.to_parquet(res / "tables" / "rankings.parquet")
    win = pd.DataFrame({"role": "coating", "name": coatings, "formula": coatings, "virtual": False,
                        "e_above_hull": 0.0, "reduction_limit": rng.uniform(0, 2, n_coatings),
                        "oxidation_limit": rng.uniform(3, 5, n_coatings), "status": "ok"})
    win.to_parquet(res / "tables" / "windows.parquet")
    prov = {"results_format": RESULTS_FORMAT, "screening_version": "synthetic", "source": {"source": "synthetic"}}
    (res / "provenance.json").write_text(json.dumps(prov))
    return res


@pytest.mark.slow
def test_report_of_2000_candidates_opens_in_bounded_time_and_size(browser, tmp_path) -> None:
    res = synthetic_results(tmp_path, n_coatings=2000)
    html = write_report(res, tmp_path / "index.html", top_n=20)
    size = html.stat().st_size
    print(f"2,000-candidate report: {size / 1e6:.1f} MB")
    assert size < LARGE_MAX_BYTES
    seconds = _open(browser, html)
    print(f"2,000-candidate report ready in the browser after {seconds:.1f} s")
    assert _errors(browser) == []
    n_rows = browser.execute_script("return document.querySelectorAll('#ranking-table tbody tr').length")
    assert n_rows == 2000
    _select_stack(browser, "Li | Li6PS5Cl")
    assert browser.execute_script("return document.querySelectorAll('#ranking-table tbody tr').length") == 2000
    shutil.copy(html, tmp_path / "kept.html")  # left for inspection next to the screenshot
    browser.save_screenshot(str(tmp_path / "large.png"))
