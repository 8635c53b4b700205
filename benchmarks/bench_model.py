"""Speed and memory figures for CoProductionModel, against two plain Mesa baselines.

Run from the repository root::

    .venv/bin/python benchmarks/bench_model.py            # full run (about 1-3 minutes)
    .venv/bin/python benchmarks/bench_model.py --quick    # smoke check (seconds)
    .venv/bin/python benchmarks/bench_model.py --json out/bench.json

What it prints, for the default population (76 agents) and for 10,000 agents in the
same role proportions (each count scaled, patients adjusted so the total is exact):

* agent-steps per second (agents x weeks / wall time), best of a few repeats, both for
  construction + run and for the run alone, of
  - CoProductionModel,
  - Mesa's bundled Boltzmann wealth example (``BoltzmannWealth``; grid of about one
    agent per cell, like the example's default 100 agents on 10 x 10),
  - a no-space wealth-transfer model written here in Mesa's plainest idiom
    (``agents.shuffle_do("step")``; each agent with wealth gives one unit to a random
    other agent; a DataCollector with a Gini model reporter);
* the ratios ours / no-space idiom and ours / Boltzmann;
* the peak memory of one CoProductionModel run at that size, measured in a fresh
  subprocess: peak RSS (``ru_maxrss``) minus RSS right after imports, and the
  tracemalloc peak of a second, traced run;
* PASS / MISS for the targets. The script always exits 0: it reports, it does not test.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
import warnings
from functools import partial
from pathlib import Path

import mesa
import numpy as np
from mesa.examples.basic.boltzmann_wealth_model.model import (
    BoltzmannScenario,
    BoltzmannWealth,
)

from simulation import CoProductionModel

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_COUNTS = {"n_patients": 40, "n_carers": 20, "n_clinicians": 12, "n_managers": 4}
LARGE_N = 10_000
SEED = 12345

TARGETS = {
    "ratio_vs_idiom_default": 1.0,  # ours / no-space idiom at the default size, at least
    "ratio_vs_idiom_10k": 5.0,  # ours / no-space idiom at 10,000 agents, at least
    "peak_mb_10k": 600.0,  # peak memory at 10,000 agents, below (MB)
}


# --------------------------------------------------------------------------- sizes


def scaled_counts(total: int) -> dict[str, int]:
    """The default role proportions scaled to ``total`` agents, exactly.

    Carers, clinicians and managers are rounded; patients take up the difference.
    """
    base = sum(DEFAULT_COUNTS.values())
    counts = {k: round(v * total / base) for k, v in DEFAULT_COUNTS.items() if k != "n_patients"}
    counts = {"n_patients": total - sum(counts.values()), **counts}
    assert sum(counts.values()) == total and min(counts.values()) > 0, counts
    return counts


# ------------------------------------------------------------------ the three models


def build_ours(counts: dict[str, int], weeks: int, seed: int = SEED, views: bool = True):
    """Our model; with ``views`` its Mesa agents are made too, as a dashboard would.

    The model makes its Mesa agents (views on its arrays) only when asked for them, so a
    sweep never pays for them: the headline figures include them, to be conservative.
    """
    model = CoProductionModel(rng=seed, weeks=weeks, **counts)
    if views:
        assert len(model.agents) == sum(counts.values())
    return model


def run_ours(model, weeks: int) -> None:
    model.run()


def grid_side(n: int) -> int:
    """Square grid of about one agent per cell (the example's default: 100 on 10 x 10)."""
    return max(1, round(math.sqrt(n)))


def build_boltzmann(n: int, weeks: int, seed: int = SEED):
    side = grid_side(n)
    return BoltzmannWealth(scenario=BoltzmannScenario(n=n, width=side, height=side, rng=seed))


def run_steps(model, weeks: int) -> None:
    for _ in range(weeks):
        model.step()


def compute_gini(model) -> float:
    """The Gini coefficient of wealth, as in Mesa's introductory tutorial."""
    x = sorted(agent.wealth for agent in model.agents)
    n = len(x)
    b = sum(xi * (n - i) for i, xi in enumerate(x)) / (n * sum(x))
    return 1 + (1 / n) - 2 * b


class WealthAgent(mesa.Agent):
    """Starts with one unit; each step, if it has any, gives one to a random other agent."""

    def __init__(self, model):
        super().__init__(model)
        self.wealth = 1

    def step(self) -> None:
        if self.wealth > 0:
            # The population never changes, so the model keeps a plain list to choose
            # from: choosing from the AgentSet itself would copy it to a list each call
            # (O(N)) and would make this baseline quadratic.
            other = self.random.choice(self.model.agent_list)
            if other is not self:
                other.wealth += 1
                self.wealth -= 1


class WealthIdiom(mesa.Model):
    """No space: Mesa's plainest idiom, ``agents.shuffle_do("step")`` plus a DataCollector."""

    def __init__(self, n: int, rng=None):
        super().__init__(rng=rng)
        for _ in range(n):
            WealthAgent(self)
        self.agent_list = self.agents.to_list()
        self.datacollector = mesa.DataCollector(model_reporters={"Gini": compute_gini})
        self.datacollector.collect(self)

    def step(self) -> None:
        self.agents.shuffle_do("step")
        self.datacollector.collect(self)


def build_idiom(n: int, weeks: int, seed: int = SEED):
    return WealthIdiom(n, rng=seed)


# ----------------------------------------------------------------------- timing


def best_of(build, run, n_agents: int, weeks: int, repeats: int) -> dict:
    """Best-of-``repeats`` agent-steps/s for construction + run and for the run alone."""
    total, run_only = [], []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        model = build()
        t1 = time.perf_counter()
        run(model, weeks)
        t2 = time.perf_counter()
        total.append(t2 - t0)
        run_only.append(t2 - t1)
        del model
    agent_steps = n_agents * weeks
    return {
        "agents": n_agents,
        "weeks": weeks,
        "repeats": repeats,
        "best_total_s": min(total),
        "best_run_s": min(run_only),
        "agent_steps_per_s": agent_steps / min(total),
        "agent_steps_per_s_run_only": agent_steps / min(run_only),
    }


# ----------------------------------------------------------------------- memory


def _status_kb(field: str) -> int | None:
    """A field of /proc/self/status in kB (Linux), or None."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _maxrss_kb() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss  # macOS reports bytes


def memory_child(total: int, weeks: int) -> dict:
    """Run in a fresh subprocess: one untraced run for RSS, then one traced run.

    Peak RSS is ``ru_maxrss``, but on Linux a process's ``ru_maxrss`` carries over the
    peak its parent had when it forked (the high-water mark survives exec), so where
    /proc gives it the peak is the process's own high-water mark, VmHWM, instead. The
    parent also runs these subprocesses before its own timing runs, while it is small.
    """
    counts = DEFAULT_COUNTS if total == sum(DEFAULT_COUNTS.values()) else scaled_counts(total)
    gc.collect()
    # RSS right after the imports at the top of this file
    base_kb = _status_kb("VmRSS") or _maxrss_kb()
    maxrss_at_start_kb = _maxrss_kb()
    model = build_ours(counts, weeks)
    model.run()
    hwm_kb = _status_kb("VmHWM")
    maxrss_kb = _maxrss_kb()
    peak_kb = hwm_kb if hwm_kb is not None else maxrss_kb
    del model
    gc.collect()
    tracemalloc.start()
    model = build_ours(counts, weeks)
    model.run()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "agents": total,
        "weeks": weeks,
        "rss_after_imports_mb": base_kb / 1024,
        "peak_rss_mb": peak_kb / 1024,
        "peak_rss_source": "VmHWM" if hwm_kb is not None else "ru_maxrss",
        "ru_maxrss_mb": maxrss_kb / 1024,
        "ru_maxrss_at_start_mb": maxrss_at_start_kb / 1024,
        "peak_rss_minus_imports_mb": (peak_kb - base_kb) / 1024,
        "tracemalloc_peak_mb": traced_peak / 2**20,
    }


def measure_memory(total: int, weeks: int) -> dict:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--_memory-child",
        str(total),
        "--weeks",
        str(weeks),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if out.returncode != 0:
        return {"agents": total, "weeks": weeks, "error": out.stderr.strip()[-2000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------- output


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
    }


def fmt_rate(x: float) -> str:
    return f"{x:>12,.0f}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--quick", action="store_true", help="smoke check: 1 repeat, 13 weeks (figures are noisy)"
    )
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    ap.add_argument("--weeks", type=int, default=None, help="weeks per run (default 104)")
    ap.add_argument(
        "--comparator-weeks",
        type=int,
        default=None,
        help="time the two baselines over this many weeks instead (scaled to "
        "agent-steps/s); default: same as --weeks",
    )
    ap.add_argument(
        "--repeats",
        type=int,
        nargs=2,
        metavar=("DEFAULT", "LARGE"),
        default=None,
        help="repeats at the default and the large size (default 5 3; --quick 1 1)",
    )
    ap.add_argument("--large", type=int, default=LARGE_N, help="the large population size")
    ap.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    ap.add_argument("--_memory-child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")

    weeks = args.weeks or (13 if args.quick else 104)
    if args._memory_child is not None:
        print(json.dumps(memory_child(args._memory_child, weeks)))
        return 0
    comp_weeks = args.comparator_weeks or weeks

    reps = args.repeats or ((1, 1) if args.quick else (5, 3))
    sizes = [
        ("default", dict(DEFAULT_COUNTS), reps[0]),
        (f"{args.large:,}", scaled_counts(args.large), reps[1]),
    ]
    info = machine()
    report = {
        "machine": info,
        "quick": args.quick,
        "weeks": weeks,
        "comparator_weeks": comp_weeks,
        "sizes": {},
        "targets": {},
    }

    print(
        "CoProductionModel benchmark"
        + ("  [--quick: smoke check, not figures]" if args.quick else "")
    )
    print(f"machine : {info['cpu_count']} CPUs ({info['cpus_usable']} usable), {info['cpu']}")
    print(f"          {info['platform']}")
    print(f"versions: python {info['python']}, numpy {info['numpy']}, mesa {info['mesa']}")
    print(
        f"runs    : {weeks} weeks each; agent-steps/s = agents x weeks / wall time "
        f"(best of repeats)"
    )
    if comp_weeks != weeks:
        print(f"          baselines timed over {comp_weeks} weeks and expressed as agent-steps/s")
    t_start = time.perf_counter()

    # Memory first, while this process is still small (see memory_child).
    mems = (
        {}
        if args.no_memory
        else {label: measure_memory(sum(counts.values()), weeks) for label, counts, _ in sizes}
    )

    for label, counts, repeats in sizes:
        n = sum(counts.values())
        side = grid_side(n)
        print()
        print(
            f"== {label}: {n:,} agents "
            f"({', '.join(f'{k[2:]}={v:,}' for k, v in counts.items())}), "
            f"{repeats} repeat(s) =="
        )
        res = {"counts": counts}
        res["ours"] = best_of(partial(build_ours, counts, weeks), run_ours, n, weeks, repeats)
        res["ours_without_views"] = best_of(
            partial(build_ours, counts, weeks, views=False), run_ours, n, weeks, repeats
        )
        res["boltzmann"] = best_of(
            partial(build_boltzmann, n, comp_weeks), run_steps, n, comp_weeks, repeats
        )
        res["boltzmann"]["grid"] = [side, side]
        res["idiom"] = best_of(
            partial(build_idiom, n, comp_weeks), run_steps, n, comp_weeks, repeats
        )
        o, b, i = res["ours"], res["boltzmann"], res["idiom"]
        res["ratio_vs_idiom"] = o["agent_steps_per_s"] / i["agent_steps_per_s"]
        res["ratio_vs_boltzmann"] = o["agent_steps_per_s"] / b["agent_steps_per_s"]
        res["ratio_vs_idiom_run_only"] = (
            o["agent_steps_per_s_run_only"] / i["agent_steps_per_s_run_only"]
        )
        res["ratio_vs_boltzmann_run_only"] = (
            o["agent_steps_per_s_run_only"] / b["agent_steps_per_s_run_only"]
        )

        print(
            f"{'model':<34}{'weeks':>6}{'build+run s':>13}{'agent-steps/s':>15}{'run-only/s':>14}"
        )
        for name, r in (
            ("CoProductionModel (+ Mesa agents)", o),
            ("CoProductionModel (arrays only)", res["ours_without_views"]),
            (f"Boltzmann wealth ({side}x{side} grid)", b),
            ("no-space idiom (shuffle_do+Gini)", i),
        ):
            print(
                f"{name:<34}{r['weeks']:>6}{r['best_total_s']:>13.3f}"
                f"{fmt_rate(r['agent_steps_per_s']):>15}"
                f"{fmt_rate(r['agent_steps_per_s_run_only']):>14}"
            )
        res["ratio_vs_idiom_without_views"] = (
            res["ours_without_views"]["agent_steps_per_s"] / i["agent_steps_per_s"]
        )
        print(
            f"ratio ours / no-space idiom : {res['ratio_vs_idiom']:8.2f}x "
            f"(run-only {res['ratio_vs_idiom_run_only']:.2f}x; arrays only, as in a sweep, "
            f"{res['ratio_vs_idiom_without_views']:.2f}x)"
        )
        print(
            f"ratio ours / Boltzmann      : {res['ratio_vs_boltzmann']:8.2f}x "
            f"(run-only {res['ratio_vs_boltzmann_run_only']:.2f}x)"
        )

        if label in mems:
            mem = mems[label]
            res["memory"] = mem
            if "error" in mem:
                print(f"memory (fresh subprocess)   : FAILED\n{mem['error']}")
            else:
                print(
                    f"memory (fresh subprocess, {weeks} weeks): "
                    f"peak RSS - RSS after imports = {mem['peak_rss_minus_imports_mb']:.1f} MB "
                    f"(peak {mem['peak_rss_mb']:.1f} [{mem['peak_rss_source']}], after imports "
                    f"{mem['rss_after_imports_mb']:.1f}); "
                    f"tracemalloc peak = {mem['tracemalloc_peak_mb']:.1f} MB"
                )
        report["sizes"][label] = res

    # Where the array model overtakes the idiom: numpy's cost per call dominates small runs.
    print("\n== scaling: ours (+ Mesa agents) / no-space idiom, one repeat each ==")
    report["scaling"] = {}
    for n in (76, 150, 300, 1000, 3000):
        counts = scaled_counts(n) if n != sum(DEFAULT_COUNTS.values()) else DEFAULT_COUNTS
        o = best_of(partial(build_ours, counts, weeks), run_ours, n, weeks, 1)
        i = best_of(partial(build_idiom, n, comp_weeks), run_steps, n, comp_weeks, 1)
        ratio = o["agent_steps_per_s"] / i["agent_steps_per_s"]
        report["scaling"][n] = ratio
        print(
            f"{n:>7,} agents: {fmt_rate(o['agent_steps_per_s']):>12} vs "
            f"{fmt_rate(i['agent_steps_per_s']):>12} agent-steps/s  ->  {ratio:5.2f}x"
        )

    d, big = report["sizes"]["default"], report["sizes"][f"{args.large:,}"]
    tg = report["targets"]
    tg["ratio_vs_idiom_default"] = {
        "value": d["ratio_vs_idiom"],
        "target": TARGETS["ratio_vs_idiom_default"],
        "pass": d["ratio_vs_idiom"] >= TARGETS["ratio_vs_idiom_default"],
    }
    tg["ratio_vs_idiom_10k"] = {
        "value": big["ratio_vs_idiom"],
        "target": TARGETS["ratio_vs_idiom_10k"],
        "pass": big["ratio_vs_idiom"] >= TARGETS["ratio_vs_idiom_10k"],
    }
    mem = big.get("memory", {})
    if "peak_rss_minus_imports_mb" in mem:
        peak = max(mem["peak_rss_minus_imports_mb"], mem["tracemalloc_peak_mb"])
        tg["peak_mb_10k"] = {
            "value": peak,
            "target": TARGETS["peak_mb_10k"],
            "pass": peak < TARGETS["peak_mb_10k"],
        }

    print()
    print("== targets ==" + ("  (--quick: indicative only)" if args.quick else ""))
    print(
        f"{verdict(tg['ratio_vs_idiom_default']['pass'])}  ours / no-space idiom at default "
        f"size >= {TARGETS['ratio_vs_idiom_default']:g}x : "
        f"{tg['ratio_vs_idiom_default']['value']:.2f}x"
    )
    print(
        f"{verdict(tg['ratio_vs_idiom_10k']['pass'])}  ours / no-space idiom at {args.large:,} "
        f"agents >= {TARGETS['ratio_vs_idiom_10k']:g}x : {tg['ratio_vs_idiom_10k']['value']:.2f}x"
    )
    if "peak_mb_10k" in tg:
        print(
            f"{verdict(tg['peak_mb_10k']['pass'])}  peak memory at {args.large:,} agents "
            f"< {TARGETS['peak_mb_10k']:g} MB : {tg['peak_mb_10k']['value']:.1f} MB "
            f"(larger of RSS delta and tracemalloc peak)"
        )
    else:
        print(f"----  peak memory at {args.large:,} agents: not measured")
    report["elapsed_s"] = time.perf_counter() - t_start
    print(f"\n(benchmark took {report['elapsed_s']:.0f} s)")

    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2) + "\n")
        print(f"figures written to {path}")
    return 0


if __name__ == "__main__":
    if "--_memory-child" in sys.argv:  # the memory subprocess: let failures show as such
        sys.exit(main())
    try:
        main()
    except Exception:  # a report, not a test: show the error but exit 0
        import traceback

        traceback.print_exc()
    sys.exit(0)
