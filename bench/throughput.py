"""Throughput benchmark: worlds per second and peak memory of `sim run`, against Mesa's batch_run.

Run from the repository root:

    python bench/throughput.py                      # 1k, 10k, 100k and 1M worlds; Mesa on 600 worlds
    python bench/throughput.py --sizes 1000 100000 --mesa-worlds 200
    python bench/throughput.py --sizes 1000000 --repeat 5 --mesa-worlds 200

For each size it runs `sim run scenarios/trump2025.yaml --runs N` in a fresh
process, as a user would, with `--workers` set to the number of cores, and
reports:

- simulate worlds/s: worlds divided by the wall time of the simulation
  (workers started, every chunk run, per-world rows saved), as recorded in
  the run's metadata.json; the median of ``--repeat`` runs, with the slowest
  and fastest beside it (this machine's speed moves from minute to minute);
- end-to-end seconds: the whole command, from interpreter start to the last
  plot written (median);
- peak memory: the largest total, over the command and all its worker
  processes, sampled every 50 ms, of proportional set size (PSS: each
  process's private memory plus its share of pages it shares, so libraries
  shared by forked workers count once) and, as an upper bound, of resident
  memory (RSS, which counts shared pages once per process). Memory is
  measured in a run of its own: reading a process's PSS costs about a
  millisecond of CPU, which, every 50 ms over three processes, would take
  several percent of a core from the run being timed.

The Mesa way is the same model run as a Mesa user would: one world per
model (`RelationsModel(spec, worlds=1, seed=i)`), one model per seed, through
`mesa.batch_run` with as many processes as cores, collecting each world's
final level with a DataCollector. It is slow, so it runs fewer worlds.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

import mesa
import numpy as np
import psutil

import simulator
from simulator.model.model import RelationsModel
from simulator.vocabulary import LEVELS

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "trump2025.yaml"
SIM = Path(sys.executable).parent / "sim"


@cache
def baseline(path: str) -> simulator.Scenario:
    return simulator.load_scenario(path)


class OneWorldModel(RelationsModel):
    """The relations model as a Mesa user would batch it: one world per model, the seed a parameter."""

    def __init__(self, scenario: str = str(SCENARIO), seed: int = 0) -> None:
        super().__init__(baseline(scenario), worlds=1, seed=seed)
        self.datacollector = mesa.DataCollector(model_reporters={"final_level": lambda m: LEVELS[m.state.level[0]]})

    def step(self) -> None:
        super().step()
        if not self.running:
            self.datacollector.collect(self)


def peak_memory_of(process: subprocess.Popen) -> tuple[int, int]:
    """Wait for ``process``; return the peak totals of PSS and RSS over it and its descendants."""
    root, pss, rss = psutil.Process(process.pid), 0, 0
    while process.poll() is None:
        try:
            memory = [p.memory_full_info() for p in [root, *root.children(recursive=True)]]
            pss = max(pss, sum(m.pss for m in memory))
            rss = max(rss, sum(m.rss for m in memory))
        except psutil.Error:  # a process ended between listing and reading it
            pass
        time.sleep(0.05)
    return pss, rss


def run_sim(worlds: int, workers: int, folder: Path, memory: bool = False) -> dict[str, float]:
    """One `sim run` of ``worlds`` worlds in a fresh process; with ``memory``, its peak memory sampled too."""
    out = folder / f"run-{worlds}"
    command = [str(SIM), "run", str(SCENARIO), "--runs", str(worlds), "--seed", "1", "--out", str(out), "--force"]
    started = time.perf_counter()
    process = subprocess.Popen([*command, "--workers", str(workers)], cwd=ROOT, stdout=subprocess.DEVNULL)
    pss, rss = peak_memory_of(process) if memory else (0, 0)
    process.wait()
    wall = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"sim run failed with exit code {process.returncode}")
    simulation = json.loads((out / "metadata.json").read_text())["simulation"]
    return {"worlds": worlds, "seconds": simulation["seconds"], "wall": wall, "pss": pss, "rss": rss}


def measure(worlds: int, workers: int, folder: Path, repeat: int) -> dict[str, float]:
    """``repeat`` timed runs of ``worlds`` worlds (median, slowest, fastest), and one run for peak memory."""
    timed = [run_sim(worlds, workers, folder) for _ in range(repeat)]
    speeds = sorted(worlds / run["seconds"] for run in timed)
    memory = run_sim(worlds, workers, folder, memory=True)
    return {
        "worlds": worlds,
        "speed": statistics.median(speeds),
        "slowest": speeds[0],
        "fastest": speeds[-1],
        "wall": statistics.median(run["wall"] for run in timed),
        "pss": memory["pss"],
        "rss": memory["rss"],
    }


def run_mesa(worlds: int, processes: int) -> float:
    """Worlds per second of ``mesa.batch_run`` over one-world models."""
    started = time.perf_counter()
    rows = mesa.batch_run(
        OneWorldModel,
        parameters={"scenario": str(SCENARIO)},
        rng=list(range(worlds)),
        number_processes=processes,
        max_steps=baseline(str(SCENARIO)).months,
        data_collection_period=-1,
        display_progress=False,
    )
    seconds = time.perf_counter() - started
    assert len(rows) == worlds and all(row["final_level"] in LEVELS for row in rows)
    return worlds / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="worker processes (default: all cores)")
    parser.add_argument("--mesa-worlds", type=int, default=600, help="worlds for the Mesa batch_run comparison")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each size (default 3)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")

    spec = baseline(str(SCENARIO))
    print(
        f"sim throughput: {SCENARIO.relative_to(ROOT)}, {spec.months} months ({spec.start} to {spec.horizon})\n"
        f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GB, "
        f"load average {os.getloadavg()[0]:.2f} at start; Python {platform.python_version()}, "
        f"numpy {np.__version__}, mesa {mesa.__version__}; --workers {args.workers}; "
        f"{args.repeat} timed runs a size, memory in one more\n"
    )
    header = ("worlds", "worlds/s", "slowest", "fastest", "end-to-end s", "peak PSS", "peak RSS")
    print("  ".join(f"{h:>{w}}" for h, w in zip(header, (10, 10, 10, 10, 12, 9, 9), strict=True)))
    results = []
    with tempfile.TemporaryDirectory(prefix="sim-bench-") as folder:
        for worlds in args.sizes:
            result = measure(worlds, args.workers, Path(folder), args.repeat)
            results.append(result)
            print(
                f"{worlds:>10,}  {result['speed']:>10,.0f}  {result['slowest']:>10,.0f}  {result['fastest']:>10,.0f}  "
                f"{result['wall']:>12.1f}  {result['pss'] / 2**20:>6,.0f} MB  {result['rss'] / 2**20:>6,.0f} MB",
                flush=True,
            )

    mesa_speed = run_mesa(args.mesa_worlds, args.workers)
    largest = max(results, key=lambda r: r["worlds"])
    speed = largest["speed"]
    print(
        f"\nMesa way (mesa.batch_run, one world per model, {args.workers} processes): "
        f"{args.mesa_worlds:,} worlds at {mesa_speed:,.1f} worlds/s"
    )
    print(f"ratio at {largest['worlds']:,} worlds: {speed:,.0f} / {mesa_speed:,.1f} = {speed / mesa_speed:,.0f}x")


if __name__ == "__main__":
    main()
