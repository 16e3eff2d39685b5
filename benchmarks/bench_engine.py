#!/usr/bin/env python
"""Interface reaction profiles: the engine against pymatgen, per pair, in one process tree.

For every pair (A, B, closed or open to Li at V) both sides compute the full reaction profile from the
same entries (the shared Materials Project snapshot, elements at 0):

* pymatgen - what a pymatgen user pays per pair: ``PhaseDiagram`` of the union chemical system (plus a
  ``GrandPotentialPhaseDiagram`` when open to Li), ``InterfacialReactivity`` /
  ``GrandPotentialInterfacialReactivity(include_no_mixing_energy=True)`` with ``use_hull_energy=True``,
  and one ``get_kinks()``. Turning the table rows into ``PDEntry`` objects is done beforehand and NOT
  timed (a pymatgen user already has entries). The mutual energy would need a second ``get_kinks()``;
  it is not timed either, so the pymatgen time is a lower bound of what gives the engine's output.
  Each pair runs in a forked child with a time limit; a pair that hits it is reported as "> limit".
* engine - a fresh ``Engine`` per pair, with the package's memo caches (formula parsing, reduced
  formulas) cleared: the time includes selecting the entries of the chemical system, building the LP
  and every LP solve. The table itself is loaded once, like pymatgen's entries, and so is its
  chemical-system index (``screening.thermo.subsets``, built once per table in the untimed warm-up;
  pymatgen gets its entries already selected per chemical system). Median of --repeat runs. The engine
  runs in one long-lived forked child that times each pair right before pymatgen's child times the same
  pair, so that a drift of the machine's speed (a shared or virtual machine) cancels in the per-pair ratio.
  The "warm" column reuses one Engine for all pairs (what a screening run gets), for information.
  LP work per pair is counted too: HiGHS solves, dense-simplex point solves and walks, and pivots.
* windows (group "windows") - the electrochemical stability window of each material: pymatgen's
  ``PhaseDiagram`` of the material's elements plus Li and ``get_element_profile(Li, composition)``
  against a fresh ``Engine.window``.

Peak memory is the peak resident set size of each forked child above its RSS at fork time (VmHWM
after resetting it through /proc/self/clear_refs; the table and entries shared with the parent are
not counted).

Usage: python benchmarks/bench_engine.py [--quick] [--groups small,large,windows] [--timeout S] [--repeat N]
       [--snapshot PATH]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: The clock of every timing (both sides): CPU time of the timing process by default, so that other load on
#: a shared machine does not count; --clock wall uses wall time (time.perf_counter).
CLOCK = {"now": time.process_time, "name": "CPU time (time.process_time)"}
DEFAULT_SNAPSHOT = REPO.parent / "shared" / "data" / "mp_e_form_2019.csv.gz"

# (A, B, voltages); None = closed. The review's materials, as in tests/test_reference_pymatgen.py.
SMALL = [
    ("LiCoO2", "Li3PS4", [None, 4.3]),
    ("LiCoO2", "Li10GeP2S12", [None, 4.3]),
    ("LiNiO2", "Li7P3S11", [None, 4.3]),
    ("LiMn2O4", "Li3PS4", [4.3]),
    ("LiFePO4", "Li3PS4", [None, 3.0]),
    ("LiCoO2", "Li6PS5Cl", [None, 4.3]),
    ("LiCoO2", "Li7La3Zr2O12", [None, 4.3]),
    ("LiCoO2", "LiTi2(PO4)3", [4.3]),
    ("LiMn2O4", "Li3OCl", [4.3]),
    ("LiCoO2", "LiNbO3", [None, 4.3]),
    ("LiCoO2", "LiTaO3", [4.3]),
    ("LiMn2O4", "Li4Ti5O12", [4.3]),
    ("LiNiO2", "Li2SiO3", [4.3]),
    ("LiCoO2", "LiAlO2", [4.3]),
    ("LiCoO2", "Li3PO4", [4.3]),
    ("LiCoO2", "Li3BO3", [4.3]),
    ("LiNiO2", "Al2O3", [None, 4.3]),
    ("LiCoO2", "Li2ZrO3", [4.3]),
    ("LiNi0.8Co0.1Mn0.1O2", "LiNbO3", [3.0, 4.3]),
    ("LiCoO2", "Li1.3Al0.3Ti1.7(PO4)3", [4.3]),
    ("LiNbO3", "Li3PS4", [None, 3.0, 0.0]),
    ("LiNbO3", "Li6PS5Cl", [None]),
    ("Li2ZrO3", "Li3PS4", [None]),
    ("Li3BO3", "Li6PS5Cl", [None]),
    ("Li2SiO3", "Li3PS4", [None, 3.0]),
    ("Li4Ti5O12", "Li3PS4", [3.0]),
    ("LiTaO3", "Li6PS5Cl", [3.0]),
    ("Li3PO4", "Li10GeP2S12", [None]),
    ("LiAlO2", "Li7P3S11", [None]),
    ("Al2O3", "Li7La3Zr2O12", [None]),
    ("Li1.3Al0.3Ti1.7(PO4)3", "Li3PS4", [None]),
    ("Li3N", "Li3PS4", [0.0]),
    ("Li3N", "Li6PS5Cl", [0.0]),
    ("Li7La3Zr2O12", "Li3PS4", [0.0]),
    ("Li3OCl", "Li3PS4", [0.0]),
    ("Li", "Li3PS4", [None]),
    ("Li", "Li7La3Zr2O12", [None]),
]
NMC_NB = "LiNi0.76Co0.095Mn0.095Nb0.05O2.05"  # = 95LiNi0.8Co0.1Mn0.1O2-5LiNbO3 (pymatgen cannot read glass notation)
LARGE = [
    ("LiNi0.8Co0.1Mn0.1O2", "Li10GeP2S12", [None, 4.3]),  # 8: Li Mn Co Ni Ge P S O
    ("LiNi0.8Co0.1Mn0.1O2", "Li6PS5Cl", [None, 4.3]),  # 8: Li Mn Co Ni P S Cl O
    ("Li6.4La3Zr1.4Ta0.6O12", "LiNi0.8Co0.15Al0.05O2", [None, 4.3]),  # 8: Li Al Co Ni Zr La Ta O
    (NMC_NB, "Li6PS5Cl", [None, 4.3]),  # 9: + Nb
    ("LiNi0.8Co0.1Mn0.1O2", "Li9.54Si1.74P1.44S11.7Cl0.3", [4.3]),  # 9: Li Mn Co Ni Si P S Cl O
    ("Li6.4La3Zr1.4Ta0.6O12", NMC_NB, [None]),  # 9: Li Mn Co Ni Zr Nb La Ta O
    (NMC_NB, "Li6PS5Cl0.5Br0.5", [3.0]),  # 10: + Br
]
# 7 elements (neither group): LiNi0.33Mn0.33Co0.33O2 | Li3PS4 @ 4.3 V is in the tests, not timed here.
QUICK_SMALL = [("LiCoO2", "Li3PS4", [None, 4.3]), ("LiNbO3", "Li3PS4", [None, 0.0]), ("LiCoO2", "Li6PS5Cl", [4.3])]
# stability windows: the review's electrolytes, cathodes and coatings (<= 6 elements with Li)
WINDOWS = [
    "Li3PS4", "Li10GeP2S12", "Li7P3S11", "Li6PS5Cl", "Li7La3Zr2O12", "LiTi2(PO4)3", "Li3OCl", "Li3N", "LiCoO2",
    "LiNiO2", "LiMn2O4", "LiFePO4", "LiNbO3", "LiTaO3", "Li4Ti5O12", "Li2SiO3", "LiAlO2", "Li3PO4", "Li3BO3",
    "Li2ZrO3", "Al2O3", "LiPO3",
]
QUICK_WINDOWS = ["Li3PS4", "LiCoO2", "LiNbO3"]
QUICK_LARGE = [
    ("LiNi0.8Co0.1Mn0.1O2", "Li10GeP2S12", [4.3]),
    ("Li6.4La3Zr1.4Ta0.6O12", "LiNi0.8Co0.15Al0.05O2", [None]),
]


def flatten(pairs):
    return [(a, b, v) for a, b, vs in pairs for v in vs]


def label(a, b, v):
    if b is None:
        return f"window {a}"
    return f"{a} | {b} @ {'closed' if v is None else f'{v:g} V'}"


# ---------------------------------------------------------------------------------------------- memory
def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset VmHWM to the current RSS
        return True
    except OSError:
        return False


class PeakMemory:
    """Peak RSS [MiB] of this process above its RSS at start."""

    def __enter__(self):
        self.ok = _reset_peak()
        self.start = _status_kb("VmRSS") or 0
        return self

    def __exit__(self, *exc):
        peak = _status_kb("VmHWM") if self.ok else None
        if peak is None:  # no /proc: ru_maxrss (kB on Linux), may include the parent's pages
            import resource

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.mib = max(peak - self.start, 0) / 1024


# ---------------------------------------------------------------------------------------------- the two sides
def pymatgen_pair(entries, a, b, v):
    """Seconds for PhaseDiagram (+ GrandPotentialPhaseDiagram) + (GrandPotential)InterfacialReactivity +
    get_kinks; and the minimum reaction energy and number of kinks."""
    from pymatgen.analysis.interface_reactions import GrandPotentialInterfacialReactivity, InterfacialReactivity
    from pymatgen.analysis.phase_diagram import GrandPotentialPhaseDiagram, PhaseDiagram
    from pymatgen.core import Composition, Element

    ca, cb = Composition(a), Composition(b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = CLOCK["now"]()
        pd = PhaseDiagram(entries)
        if v is None:
            ir = InterfacialReactivity(ca, cb, pd, norm=True, use_hull_energy=True)
        else:
            gpd = GrandPotentialPhaseDiagram(entries, {Element("Li"): -v})
            ir = GrandPotentialInterfacialReactivity(
                ca, cb, gpd, pd, include_no_mixing_energy=True, norm=True, use_hull_energy=True
            )
        kinks = ir.get_kinks()
        dt = CLOCK["now"]() - t0
    return dt, min(k[2] for k in kinks), len(kinks)


def pymatgen_window(entries, formula):
    """Seconds for PhaseDiagram + get_element_profile(Li); None (no single number to compare) and the steps."""
    from pymatgen.analysis.phase_diagram import PhaseDiagram
    from pymatgen.core import Composition, Element

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = CLOCK["now"]()
        pd = PhaseDiagram(entries)
        profile = pd.get_element_profile(Element("Li"), Composition(formula))
        dt = CLOCK["now"]() - t0
    return dt, None, len(profile)


def clear_engine_caches():
    """Forget everything the package memoises across Engine instances (except the loaded table)."""
    import screening.composition.parse as parse
    import screening.thermo.engine as engine_mod

    try:
        import screening.thermo.reactants as reactants_mod
    except ImportError:  # a version of the package before the split (for before/after comparisons)
        reactants_mod = engine_mod
    for mod in (parse, engine_mod, reactants_mod):
        for obj in vars(mod).values():
            if callable(getattr(obj, "cache_clear", None)) and hasattr(obj, "cache_info"):
                obj.cache_clear()


def lp_work(engine) -> tuple[int, int, int]:
    """(HiGHS solves, dense point solves and walks, dense pivots) of every hull LP the engine built."""
    lps = list(engine._cache.values())
    highs = sum(getattr(lp, "n_highs", lp.n_solves) for lp in lps)  # before the dense simplex: all HiGHS
    return highs, sum(lp.n_solves for lp in lps) - highs, sum(getattr(lp, "n_pivots", 0) for lp in lps)


def engine_pair(table, a, b, v):
    """Seconds for a fresh Engine's reaction profile (or window when ``b`` is None); result; LP work."""
    from screening.thermo import Engine

    clear_engine_caches()
    t0 = CLOCK["now"]()
    eng = Engine(table)
    if b is None:
        win = eng.window(a)
        dt = CLOCK["now"]() - t0
        return dt, None, len(win.profile), lp_work(eng)
    prof = eng.react(a, b, voltage=v)
    dt = CLOCK["now"]() - t0
    return dt, prof.min_energy, len(prof.kinks), lp_work(eng)


# ---------------------------------------------------------------------------------------------- children
def _pmg_child(conn, entries, a, b, v):
    try:
        with PeakMemory() as mem:
            dt, emin, nk = pymatgen_window(entries, a) if b is None else pymatgen_pair(entries, a, b, v)
        conn.send(("ok", dt, emin, nk, mem.mib))
    except Exception as exc:  # noqa: BLE001 - report, do not crash the benchmark
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run_pymatgen(ctx, entries, a, b, v, timeout):
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_pmg_child, args=(child, entries, a, b, v))
    proc.start()
    child.close()
    if parent.poll(timeout):
        msg = parent.recv()
        proc.join()
    else:
        proc.kill()
        proc.join()
        msg = ("timeout",)
    parent.close()
    return msg


def _engine_child(conn, table, cases, repeat):
    """Serve the parent: for each case index it sends, the engine's median time and result (fresh Engine per
    run); on ``None``, the warm times, the peak RSS over every pair served and the largest heap of one pair."""
    try:
        from screening.thermo import Engine

        engine_pair(table, *cases[0])  # warm-up: imports, HiGHS banner
        peak = 0.0
        while True:
            k = conn.recv()
            if k is None:
                break
            a, b, v = cases[k]
            with PeakMemory() as mem:
                runs = [engine_pair(table, a, b, v) for _ in range(repeat)]
            peak = max(peak, mem.mib)
            conn.send(("ok", statistics.median(r[0] for r in runs), runs[0][1], runs[0][2], runs[0][3]))
        warm = Engine(table)
        warm_times = []
        for a, b, v in cases:
            t0 = CLOCK["now"]()
            warm.window(a) if b is None else warm.react(a, b, voltage=v)
            warm_times.append(CLOCK["now"]() - t0)
        # untimed pass: peak Python/numpy heap per pair (HiGHS' C++ allocations are not traced)
        import tracemalloc

        tracemalloc.start()
        heap = 0
        for a, b, v in cases:
            tracemalloc.reset_peak()
            engine_pair(table, a, b, v)
            heap = max(heap, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        conn.send(("done", warm_times, peak, heap / 2**20))
    except Exception as exc:  # noqa: BLE001
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


class EngineServer:
    """The engine side in one forked child, asked pair by pair, so that each engine timing is taken right
    before the pymatgen timing of the same pair (a drift of the machine's speed cancels in their ratio)."""

    def __init__(self, ctx, table, cases, repeat):
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_engine_child, args=(child, table, cases, repeat))
        self.proc.start()
        child.close()

    def time(self, k: int):
        self.conn.send(k)
        return self.conn.recv()

    def finish(self):
        self.conn.send(None)
        msg = self.conn.recv()
        self.proc.join()
        self.conn.close()
        return msg


# ---------------------------------------------------------------------------------------------- main
def versions() -> str:
    from importlib.metadata import version

    def v(name):
        try:
            return version(name)
        except Exception:  # noqa: BLE001
            return "?"

    return (
        f"python {platform.python_version()}, pymatgen {v('pymatgen')} (core {v('pymatgen-core')}), "
        f"numpy {v('numpy')}, scipy {v('scipy')}, highspy {v('highspy')}, screening {v('screening')}; "
        f"{platform.machine()} {os.cpu_count()} CPUs, {platform.platform()}"
    )


def fmt_s(x: float, censored: bool = False) -> str:
    s = f"{x * 1e3:.1f} ms" if x < 1 else f"{x:.2f} s"
    return ("> " if censored else "") + s


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a few pairs only")
    ap.add_argument("--clock", choices=("cpu", "wall"), default="cpu", help="CPU time (default) or wall time")
    ap.add_argument("--groups", default="small,large,windows", help="comma-separated: small, large, windows")
    ap.add_argument("--timeout", type=float, default=None, help="pymatgen time limit per pair [s] (120; quick 60)")
    ap.add_argument("--repeat", type=int, default=3, help="engine runs per pair (median)")
    ap.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT)
    ap.add_argument("--verbose", "-v", action="store_true", help="one line per pair")
    args = ap.parse_args(argv)
    timeout = args.timeout or (60.0 if args.quick else 120.0)
    if args.clock == "wall":
        CLOCK.update(now=time.perf_counter, name="wall time (time.perf_counter)")

    from pymatgen.analysis.phase_diagram import PDEntry
    from pymatgen.core import Composition

    from screening.composition.parse import parse_formula
    from screening.entries import load_snapshot

    print("versions:", versions())
    if not args.snapshot.is_file():
        print(f"snapshot not found: {args.snapshot}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    table = load_snapshot(args.snapshot)
    n_entries = table.provenance["n_entries"]
    print(
        f"snapshot: {args.snapshot} ({n_entries} entries, loaded in {time.perf_counter() - t0:.1f} s; "
        f"process RSS {(_status_kb('VmRSS') or 0) / 1024:.0f} MiB, shared by both sides)"
    )
    wanted = {g.strip() for g in args.groups.split(",") if g.strip()}
    unknown = wanted - {"small", "large", "windows"}
    if unknown:
        print(f"unknown group(s) {sorted(unknown)}; use small, large, windows", file=sys.stderr)
        return 2
    groups = {}
    if "small" in wanted:
        groups["<= 6 elements"] = flatten(QUICK_SMALL if args.quick else SMALL)
    if "large" in wanted:
        groups[">= 8 elements"] = flatten(QUICK_LARGE if args.quick else LARGE)
    if "windows" in wanted:
        groups["windows"] = [(f, None, None) for f in (QUICK_WINDOWS if args.quick else WINDOWS)]

    def chemsys(a, b, v):
        if b is None:  # window: the material's elements and Li
            return frozenset(set(parse_formula(a)) | {"Li"})
        els = set(parse_formula(a)) | set(parse_formula(b)) | ({"Li"} if v is not None else set())
        return frozenset(els)

    for name, cases in groups.items():
        for a, b, v in cases:
            n = len(chemsys(a, b, v))
            assert (n <= 6) if name[0] in "<w" else (n >= 8), (a, b, v, n)

    entries_cache: dict = {}

    def entries_for(els):
        if els not in entries_cache:
            idx = table.select(els)
            ents = []
            for i in idx:
                comp = table.composition(int(i))
                ents.append(PDEntry(Composition(comp), float(table.energy_per_atom[i]) * sum(comp.values())))
            entries_cache[els] = ents
        return entries_cache[els]

    ctx = mp.get_context("fork")
    # warm up pymatgen (imports, first qhull call) outside the timings
    run_pymatgen(ctx, entries_for(chemsys("LiCoO2", "Li3PS4", None)), "LiCoO2", "Li3PS4", None, timeout)
    try:
        from screening.thermo.subsets import index_of
    except ImportError:  # a version of the package before the index (for before/after comparisons)
        pass
    else:
        index_of(table)  # the table's chemical-system index, built once per table (inherited by the children)

    rows = []
    for name, cases in groups.items():
        server = EngineServer(ctx, table, cases, args.repeat)
        eng_results, pmg_times, per_pair, pmg_mem, censored, errors, max_diff = [], [], [], [], 0, [], 0.0
        lines = []
        for k, (a, b, v) in enumerate(cases):
            got = server.time(k)
            if got[0] != "ok":
                print(f"engine failed on {label(a, b, v)}: {got[1]}", file=sys.stderr)
                return 1
            _, te, emin_e, nk_e, work = got
            eng_results.append((te, emin_e, nk_e, work))
            ents = entries_for(chemsys(a, b, v))
            res = run_pymatgen(ctx, ents, a, b, v, timeout)
            n_el = len(chemsys(a, b, v))
            if res[0] == "ok":
                _, tp, emin_p, nk_p, mem = res
                pmg_times.append(tp)
                per_pair.append(tp / te)
                pmg_mem.append(mem)
                if emin_p is not None and emin_e is not None:
                    max_diff = max(max_diff, abs(emin_p - emin_e))
                line = f"{fmt_s(tp):>10}  min {emin_p if emin_p is not None else float('nan'):+.5f}  kinks {nk_p:3d}"
            elif res[0] == "timeout":
                pmg_times.append(timeout)
                per_pair.append(timeout / te)
                censored += 1
                line = f"{fmt_s(timeout, True):>10}  (time limit)"
            else:
                errors.append(res[1])
                line = f"{'error':>10}  {res[1][:60]}"
            lines.append((n_el, len(ents), a, b, v, line, te, emin_e, nk_e))
        done = server.finish()
        if done[0] != "done":
            print(f"engine failed on {name}: {done[1]}", file=sys.stderr)
            return 1
        _, warm_times, eng_mem, eng_heap = done
        if args.verbose:
            for (n_el, n_ent, a, b, v, line, te, emin_e, nk_e), tw in zip(lines, warm_times, strict=True):
                print(
                    f"  [{n_el:2d} el, {n_ent:5d} entries] {label(a, b, v):<62} pymatgen {line}   "
                    f"engine {fmt_s(te):>9} (warm {fmt_s(tw)})  "
                    f"min {emin_e if emin_e is not None else float('nan'):+.5f}  kinks {nk_e:3d}",
                    flush=True,
                )
        med_p = statistics.median(pmg_times) if pmg_times else float("nan")
        med_e = statistics.median(t for t, _, _, _ in eng_results)
        work = [w for _, _, _, w in eng_results]
        med_w = statistics.median(warm_times)
        # the median is only a lower bound if a censored time reaches it
        med_censored = censored > 0 and med_p >= timeout - 1e-9
        rows.append(
            dict(
                group=name,
                n=len(cases),
                timeouts=censored,
                errors=len(errors),
                pmg=fmt_s(med_p, med_censored),
                eng=fmt_s(med_e),
                warm=fmt_s(med_w),
                ratio=("> " if med_censored else "") + f"{med_p / med_e:,.0f}x",
                ratio_pairs=f"{statistics.median(per_pair):,.0f}x" if per_pair else "-",
                pmg_mem=f"{max(pmg_mem):.1f}" if pmg_mem else "-",
                eng_mem=f"{eng_mem:.1f}",
                eng_heap=f"{eng_heap:.1f}",
                diff=f"{max_diff * 1e3:.2g}" if not name.startswith("windows") else "-",
                highs=statistics.mean(w[0] for w in work),
                dense=statistics.mean(w[1] for w in work),
                pivots=statistics.mean(w[2] for w in work),
            )
        )
        for e in errors:
            print(f"  pymatgen error ({name}): {e}")

    print()
    print(f"times: {CLOCK['name']} of the process that computes")
    print(f"pymatgen: time limit {timeout:.0f} s (wall) per pair; a pair that hits it counts as {timeout:.0f} s")
    print(
        f"engine: fresh Engine per pair, memo caches cleared, median of {args.repeat} runs, timed right before "
        "pymatgen's run of the same pair; warm = one Engine reused over the group"
    )
    header = (
        f"{'pairs':<14}{'n':>4}{'timeouts':>10}{'pymatgen median':>17}{'engine median':>15}{'ratio':>9}"
        f"{'median ratio':>14}{'engine warm':>13}{'peak MiB pmg':>14}{'peak MiB eng':>14}{'eng heap MiB':>14}"
        f"{'max |dEmin| meV':>17}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['group']:<14}{r['n']:>4}{r['timeouts']:>10}{r['pmg']:>17}{r['eng']:>15}{r['ratio']:>9}"
            f"{r['ratio_pairs']:>14}{r['warm']:>13}{r['pmg_mem']:>14}{r['eng_mem']:>14}{r['eng_heap']:>14}"
            f"{r['diff']:>17}"
        )
    print()
    print("LP work per pair (fresh Engine; windows: per material), mean over the group:")
    for r in rows:
        print(
            f"  {r['group']:<14} HiGHS solves {r['highs']:6.1f}   dense point solves + walks {r['dense']:5.1f}"
            f"   dense pivots {r['pivots']:6.1f}"
        )
    print(
        "ratio = pymatgen median / engine median; median ratio = median over pairs of the per-pair ratio;"
        " peak MiB = peak RSS above the RSS at fork (pymatgen: the largest single pair; engine: the largest"
        " growth over one pair's runs, after one warm-up pair); eng heap = largest tracemalloc peak of one pair"
        " (Python and numpy only); max |dEmin| = largest difference of the minimum reaction energy over pairs"
        " pymatgen finished (windows: see tests/thermo/test_reference_pymatgen.py for their agreement)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
