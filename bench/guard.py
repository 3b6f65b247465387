"""Performance guard: `sim run`'s speed as a multiple of Mesa's batch_run on this machine, against a stored one.

Run from the repository root (`make bench`):

    python bench/guard.py                    # 1,000,000 worlds against Mesa on 600; exit 1 if slower than stored
    python bench/guard.py --store            # measure, and store the ratio as the new reference
    python bench/guard.py --worlds 20000 --mesa-worlds 50   # a quick look; not checked against the reference

A machine's speed moves from minute to minute and from machine to machine,
so the guard does not compare worlds per second: it compares the ratio of
`sim run`'s worlds per second (median of ``--repeat`` runs, from the runs'
metadata, as bench/throughput.py measures it) to the Mesa way's (one world
per model through `mesa.batch_run`, as many processes as cores), both measured
now on this machine. The ratio stored in ``guard.json`` was measured at its
``worlds`` and ``mesa_worlds``; a ratio measured at other sizes is shown, not
checked (the startup of `sim run` weighs more in a smaller run). The check
fails when the ratio falls below the stored one by more than ``tolerance``
(the ratio moved by a tenth between runs of the same code, README "Speed").
A million worlds under the floor of 100,000 worlds/s is reported, but fails
only the ratio: on a busy day this machine halves its speed, Mesa's too.
"""

import argparse
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from throughput import measure, run_mesa

STORED = Path(__file__).with_name("guard.json")
#: Worlds per second `sim run` must reach at a million worlds (README, "Speed").
FLOOR = 100_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=STORED, help=f"the stored ratio (default: {STORED.name})")
    known, _ = parser.parse_known_args()
    reference = json.loads(known.reference.read_text())
    parser.add_argument("--worlds", type=int, default=reference["worlds"], help="worlds in each `sim run`")
    parser.add_argument("--mesa-worlds", type=int, default=reference["mesa_worlds"], help="worlds through Mesa")
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="processes for both (default: all cores)")
    parser.add_argument("--repeat", type=int, default=3, help="timed `sim run`s (default 3)")
    parser.add_argument("--store", action="store_true", help="store the measured ratio as the reference")
    args = parser.parse_args()
    if min(args.worlds, args.mesa_worlds, args.workers, args.repeat) < 1:
        parser.error("--worlds, --mesa-worlds, --workers and --repeat must be at least 1")

    print(f"load average {os.getloadavg()[0]:.2f} at start; --workers {args.workers}", flush=True)
    with tempfile.TemporaryDirectory(prefix="sim-guard-") as folder:
        sim = measure(args.worlds, args.workers, Path(folder), args.repeat)["speed"]
    mesa = run_mesa(args.mesa_worlds, args.workers)
    ratio = sim / mesa
    print(
        f"sim run: {args.worlds:,} worlds at {sim:,.0f} worlds/s (median of {args.repeat}); "
        f"Mesa's batch_run: {args.mesa_worlds:,} worlds at {mesa:,.1f} worlds/s; ratio {ratio:,.0f}"
    )
    if args.store:
        stored = {
            "ratio": round(ratio),
            "worlds": args.worlds,
            "mesa_worlds": args.mesa_worlds,
            "tolerance": reference["tolerance"],
            "measured": f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores, --workers {args.workers}",
        }
        args.reference.write_text(json.dumps(stored, indent=2) + "\n")
        print(f"stored in {args.reference}")
        return 0
    if (args.worlds, args.mesa_worlds) != (reference["worlds"], reference["mesa_worlds"]):
        print(
            f"not checked: the stored ratio {reference['ratio']:,} is for {reference['worlds']:,} worlds "
            f"against Mesa on {reference['mesa_worlds']:,}"
        )
        return 0
    least = reference["ratio"] * (1 - reference["tolerance"])
    if args.worlds >= 1_000_000 and sim < FLOOR:
        print(f"note: {sim:,.0f} worlds/s is under the floor of {FLOOR:,} at a million worlds (a busy machine?)")
    if ratio < least:
        print(
            f"error: the ratio {ratio:,.0f} is below the stored {reference['ratio']:,} less "
            f"{reference['tolerance']:.0%} ({least:,.0f}): `sim run` got slower against Mesa",
            file=sys.stderr,
        )
        return 1
    print(f"ok: at least {least:,.0f} (the stored {reference['ratio']:,} less {reference['tolerance']:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
