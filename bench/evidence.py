"""How long conditioning on evidence takes: N worlds filtered on M months of a planted world's events.

Run from the repository root (one process; the machine's other core is left alone):

    python bench/evidence.py                      # 20,000 worlds, 24 months (target: under 10 s)
    python bench/evidence.py --runs 50000 --months 12

A planted world of the baseline scenario (its own seed) lives the first M
months; every event it saw, month by month, with every observable event
watched, is the evidence. The benchmark times the filter alone (the M months'
steps, weights, resamplings and rejuvenations of N worlds in one block), then
the rest of the forecast to the horizon, and reports the fewest effective
worlds after an update and how many resamplings there were.
"""

import argparse
import platform
import time
from pathlib import Path

from simulator.engine.condition import Filter
from simulator.model.events import WatchedEventLog
from simulator.model.model import RelationsModel
from simulator.scenario import load_scenario
from simulator.scenario.evidence import FILTER_WORLDS, OBSERVABLE, Evidence, Observation

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "trump2025.yaml"


def planted_evidence(spec, months: int, seed: int) -> Evidence:
    """Every event one world of ``spec`` saw in its first ``months`` months, all observable events watched."""
    world = RelationsModel(spec, worlds=1, seed=seed)
    world.events = WatchedEventLog(world.events, OBSERVABLE)
    observed = []
    for month in range(months):
        world.events.clear()
        world.step()
        seen = [event for event in OBSERVABLE if world.events.now[event][0]]
        observed += [Observation(month=spec.start.plus(month), event=event) for event in seen]
    return Evidence(
        as_of=spec.start.plus(months - 1),
        observed=observed,
        watch=list(OBSERVABLE),
        filter_worlds=FILTER_WORLDS[1],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    spec = load_scenario(BASELINE).model_copy(update={"calibration": "point"})
    evidence = planted_evidence(spec, args.months, seed=args.seed + 1000)
    spec = spec.model_copy(update={"evidence": evidence})

    started = time.perf_counter()
    model = RelationsModel(spec, worlds=args.runs, seed=args.seed, history=args.months)
    conditioning = Filter(model)
    conditioning.run()
    filtered = time.perf_counter() - started
    while model.running:
        model.step()
    total = time.perf_counter() - started

    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"{args.runs:,} worlds, {args.months} months of evidence ({len(evidence.observed)} events observed)")
    print(f"conditioning: {filtered:.2f} s (target under 10 s); to the horizon: {total:.2f} s")
    print(
        f"fewest effective worlds after an update: {conditioning.effective.min():,.0f}"
        f" ({conditioning.effective.min() / args.runs:.1%}); resampled {len(conditioning.resampled)} times"
    )


if __name__ == "__main__":
    main()
