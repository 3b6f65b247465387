"""Sensitivity benchmark: Sobol first and total indices over every assumption of the baseline.

Run from the repository root:

    python bench/sensitivity.py                          # N = 1024, 64 worlds per design point, all questions
    python bench/sensitivity.py --samples 64 --worlds-per-point 32   # a quick look

It runs `sim sensitivity scenarios/trump2025.yaml --samples N` in a fresh
process, as a user would, on every core, with every question of the baseline
as an outcome and every assumption varied (those the scenario draws over
their distribution, the fixed ones by half their value either way, held
where the value is 0). It prints the design's size, the wall time of the
whole command, the worlds per second, the CPU time of its processes and the
load average (the machine may be shared). Then, for each question, the
in-world noise share and the median first-order 95 % half-interval at these
worlds per point and at a half and a quarter of them (a random subset of each
point's worlds, drawn from the counts: no new runs), and the widest interval.

Target: N = 1024 in under 5 minutes on the 2-core development machine.
Measured there, shared with other work (load average 3.5 at the start, 5.0 at
the end): 103,424 points x 64 worlds = 6.6 million worlds in 257 s end to end
(25,800 worlds/s; 177 s CPU, 37,500 worlds per CPU second); noise share 2-14 %
at 64 worlds per point, 5-25 % at 32.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.analysis import sensitivity as sa
from simulator.analysis.outcomes import parse_outcomes
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SIM = Path(sys.executable).parent / "sim"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1024)
    parser.add_argument("--worlds-per-point", type=int, default=64)
    parser.add_argument("--scenario", default="scenarios/trump2025.yaml")
    parser.add_argument("--keep", type=Path, help="Copy the command's output folder here (for a closer look).")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "sensitivity"
        command = [str(SIM), "sensitivity", args.scenario, "--samples", str(args.samples)]
        command += ["--worlds-per-point", str(args.worlds_per_point), "--workers", str(cores), "--out", str(out)]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            sys.exit(f"sim sensitivity failed:\n{done.stderr}")
        settings = json.loads((out / "sensitivity.json").read_text())
        points = pd.read_parquet(out / "points.parquet")
        if args.keep:
            shutil.copytree(out, args.keep, dirs_exist_ok=True)
    worlds = settings["points"] * settings["worlds_per_point"]
    load = os.getloadavg()[0]
    print(f"sim sensitivity: {args.scenario}, Sobol first and total indices, N = {args.samples}")
    print(f"machine: {cores} cores, load average {load_before:.2f} at start, {load:.2f} at end; --workers {cores}")
    print(
        f"{settings['points']:,} design points x {settings['worlds_per_point']} worlds = {worlds:,} worlds "
        f"in {elapsed:.0f} s end to end ({worlds / elapsed:,.0f} worlds/s)"
    )
    cpu = usage.ru_utime + usage.ru_stime
    print(f"CPU time of all its processes: {cpu:.0f} s ({worlds / cpu:,.0f} worlds per CPU second)")
    print(f"target: under 300 s; {'met' if elapsed < 300 else 'not met'} ({elapsed:.0f} s)")
    fewer_worlds(args.scenario, args.samples, settings, points)


def fewer_worlds(scenario: str, samples: int, settings: dict, points: pd.DataFrame) -> None:
    """Noise share and interval widths per question at these worlds per point, a half and a quarter of them.

    The fewer worlds are a random subset of each point's worlds: given a point's hits among
    its W worlds, the hits among w of them are hypergeometric, so the same run shows what
    fewer worlds per point would have given, without running them.
    """
    spec = load_scenario(ROOT / scenario, settings["overrides"])
    outcomes = parse_outcomes(spec, list(settings["noise_share"]))
    chosen, _ = sa.factors(spec)
    quantiles = sa.sample(chosen, "sobol", samples, settings["seed"])
    full = settings["worlds_per_point"]
    hits = np.rint(points[[o.name for o in outcomes]].to_numpy().T * full).astype(np.int64)
    rng = np.random.default_rng(settings["seed"])
    fewer = [full, full // 2, full // 4]
    analyses = {}
    for worlds in fewer:
        kept = hits if worlds == full else rng.hypergeometric(hits, full - hits, worlds)
        analyses[worlds] = sa.analyse(chosen, quantiles, kept / worlds, outcomes, "sobol", worlds, settings["seed"])
    print("\nin-world noise (share of the variance between design points) and 95 % half-intervals")
    print("(median over assumptions of S1's; the widest of S1's and ST's), by worlds per point:")
    header = "".join(f"{'noise ' + str(w):>10}" for w in fewer) + "".join(f"{'S1 med ' + str(w):>11}" for w in fewer)
    print(f"{'outcome':<20}{header}{'widest ' + str(full):>12}")
    for outcome in outcomes:
        line = "".join(f"{analyses[w].noise[outcome.name]:>10.0%}" for w in fewer)
        for worlds in fewer:
            table = analyses[worlds].indices
            s1 = table[(table["outcome"] == outcome.name) & (table["measure"] == "S1")]
            line += f"{s1['conf'].median():>11.3f}"
        widest = analyses[full].indices.query("outcome == @outcome.name")["conf"].max()
        print(f"{outcome.name:<20}{line}{widest:>12.3f}")


if __name__ == "__main__":
    main()
