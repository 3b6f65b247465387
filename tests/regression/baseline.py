"""The regression baseline: every shipped scenario's headline numbers at a fixed seed.

Every change to the model is read against this file. A change meant to keep
behaviour (a move, a rename, a speed-up) must leave it byte-identical; a change
meant to alter behaviour (a repaired mechanism, a new parameter value) rewrites
it, and the diff of ``baseline.json`` in that commit is the change's effect on
every scenario, at a glance.

    make regression                          # rewrite baseline.json from the code as it is
    python tests/regression/baseline.py --check   # say what moved, exit 1 if anything did

Each scenario runs ``WORLDS`` worlds on seed ``SEED`` in one process. What is
kept: the probability of each level at the horizon and as the highest reached,
each event's probability by the horizon and median month, each question's
probability, and a SHA-256 of the per-world rows (so a change that moves no
headline number but moves any world is seen too).
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[2]
BASELINE = Path(__file__).with_name("baseline.json")
WORLDS = 4_000
SEED = 20_261_207


def shipped_scenarios() -> list[Path]:
    """Every scenario the project ships, relative to the repository root (ensembles included)."""
    return sorted([*ROOT.glob("scenarios/*.yaml"), *ROOT.glob("scenarios/history/history_*.yaml")])


def rows_digest(table: pa.Table) -> str:
    """SHA-256 of the per-world rows, column by column in a fixed order, independent of chunking."""
    digest = hashlib.sha256()
    for name in sorted(table.column_names):
        digest.update(name.encode())
        column = table.column(name).combine_chunks()
        digest.update(str(column.type).encode())
        digest.update(json.dumps(column.to_pylist(), default=str).encode())
    return digest.hexdigest()


def headline(path: Path) -> dict[str, Any]:
    """One scenario's headline numbers at the baseline's size and seed."""
    from simulator.api import run, run_ensemble
    from simulator.scenario import load_scenario
    from simulator.scenario.ensemble import is_ensemble, load_ensemble

    if is_ensemble(path):
        result = run_ensemble(load_ensemble(path), runs=WORLDS, seed=SEED)
    else:
        result = run(load_scenario(path), runs=WORLDS, seed=SEED)
    summary = result.summary()
    return {
        "final_level_probabilities": summary["final_level_probabilities"],
        "max_level_probabilities": summary["max_level_probabilities"],
        "events": summary["events"],
        "questions": {key: answer["probability"] for key, answer in summary["questions"].items()},
        "rows_sha256": rows_digest(pa.concat_tables(result.rows.world_tables())),
    }


def measure() -> dict[str, Any]:
    """The headline numbers of every shipped scenario, keyed by its path from the repository root."""
    return {
        "worlds": WORLDS,
        "seed": SEED,
        "scenarios": {str(path.relative_to(ROOT)): headline(path) for path in shipped_scenarios()},
    }


def differences(old: Any, new: Any, where: str = "") -> list[str]:
    """Every leaf that differs between two baselines, as ``path: old -> new``."""
    if isinstance(old, dict) and isinstance(new, dict):
        lines = []
        for key in sorted(set(old) | set(new), key=str):
            at = f"{where}.{key}" if where else str(key)
            if key not in old:
                lines.append(f"{at}: (absent) -> {new[key]!r}")
            elif key not in new:
                lines.append(f"{at}: {old[key]!r} -> (absent)")
            else:
                lines += differences(old[key], new[key], at)
        return lines
    return [] if old == new else [f"{where}: {old!r} -> {new!r}"]


def main(argv: list[str] | None = None) -> int:
    """Write the baseline, or check the code against it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with baseline.json instead of writing it")
    args = parser.parse_args(argv)
    measured = measure()
    if args.check:
        moved = differences(json.loads(BASELINE.read_text()), measured)
        print("\n".join(moved) if moved else "regression baseline: unchanged")
        return 1 if moved else 0
    BASELINE.write_text(json.dumps(measured, indent=1, sort_keys=True) + "\n")
    print(f"wrote {BASELINE.relative_to(ROOT)}: {len(measured['scenarios'])} scenarios, {WORLDS} worlds, seed {SEED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
