"""Sensitivity benchmark: Sobol first and total indices over every assumption of the baseline.

Run from the repository root:

    python bench/sensitivity.py                          # N = 1024, 64 worlds per design point, all questions
    python bench/sensitivity.py --samples 64 --worlds-per-point 32   # a quick look

It runs `sim sensitivity scenarios/trump2025.yaml --samples N` in a fresh
process, as a user would, on every core, with every question of the baseline
as an outcome and every assumption varied (those the scenario draws over
their distribution, the fixed ones by half their value either way, held
where the value is 0). It prints the design's size, the wall time of the
whole command, the worlds per second, and for each question the in-world
noise share and the widest 95 % interval, read back from the files written.

Target: N = 1024 in under 5 minutes on the 2-core development machine.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SIM = Path(sys.executable).parent / "sim"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1024)
    parser.add_argument("--worlds-per-point", type=int, default=64)
    parser.add_argument("--scenario", default="scenarios/trump2025.yaml")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "sensitivity"
        command = [str(SIM), "sensitivity", args.scenario, "--samples", str(args.samples)]
        command += ["--worlds-per-point", str(args.worlds_per_point), "--workers", str(cores), "--out", str(out)]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"sim sensitivity failed:\n{done.stderr}")
        settings = json.loads((out / "sensitivity.json").read_text())
        indices = pd.read_csv(out / "indices.csv")
    worlds = settings["points"] * settings["worlds_per_point"]
    load = os.getloadavg()[0]
    print(f"sim sensitivity: {args.scenario}, Sobol first and total indices, N = {args.samples}")
    print(f"machine: {cores} cores, load average {load:.2f} at end; --workers {cores}")
    print(
        f"{settings['points']:,} design points x {settings['worlds_per_point']} worlds = {worlds:,} worlds "
        f"in {elapsed:.0f} s end to end ({worlds / elapsed:,.0f} worlds/s)"
    )
    print(f"\n{'outcome':<22}{'noise share':>12}{'widest 95% half-interval':>28}")
    for outcome, share in settings["noise_share"].items():
        widest = indices.loc[indices["outcome"] == outcome, "conf"].max()
        print(f"{outcome:<22}{share:>12.0%}{widest:>28.3f}")
    print(f"\ntarget: under 300 s; {'met' if elapsed < 300 else 'not met'} ({elapsed:.0f} s)")


if __name__ == "__main__":
    main()
