"""How fast `sim explore` answers a change: re-running the worlds, and the page redrawn in a real browser.

Run from the repository root (it needs Debian's chromium, as the browser tests do):

    python bench/explore_rerun.py                 # 20,000 worlds, 6 changes
    python bench/explore_rerun.py --runs 50000 --changes 4

It reports, for the baseline scenario:

- engine seconds: one forecast of N worlds on the warm worker processes (one
  per core), as the page asks for after each change, median over the changes;
- page seconds: in headless chromium against `sim explore`, from pressing
  Enter in an assumption's field to the first new probabilities shown beside
  the redrawn charts (the preview of the first 4,096 worlds), and to those of
  all the worlds, medians over the changes. This is what the analyst waits for.
"""

import argparse
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from playwright.sync_api import sync_playwright

from simulator.explore.draft import Draft
from simulator.explore.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "trump2025.yaml"
SIM = Path(sys.executable).parent / "sim"
PATH, QUESTION = "president.volatility", "summit_2025"
VALUES = ("0.3", "0.05", "0.2", "0.1", "0.4", "0.15", "0.25", "0.35")


def engine_seconds(runs: int, changes: int) -> tuple[list[float], list[str]]:
    """Seconds per forecast on a warm engine, one per change of president.volatility; and each answer shown."""
    engine = Engine()
    try:
        draft = Draft.open(BASELINE)
        engine.forecast(draft.spec, runs, 1)  # the workers have imported everything
        forecasts = [engine.forecast(draft.edit(PATH, v).spec, runs, 1) for v in VALUES[:changes]]
        answers = [f"{f.questions()[QUESTION]['probability']:.1%}" for f in forecasts]
        return [f.timing.seconds for f in forecasts], answers
    finally:
        engine.close()


def page_seconds(runs: int, answers: list[str]) -> tuple[list[float], list[float]]:
    """Seconds from Enter to the first new numbers (the preview) and to the whole run's, one per change."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(SIM), "explore", str(BASELINE), "--port", str(port), "--runs", str(runs), "--seed", "1"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(f"http://127.0.0.1:{port}/")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page()
            page.set_default_timeout(60_000)
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector(f"#q-{QUESTION}")
            first, whole = [], []
            for value, answer in zip(VALUES, answers, strict=False):
                before = page.inner_text(f"#q-{QUESTION}")
                field = page.get_by_label(PATH, exact=True)
                field.fill(value)
                started = time.perf_counter()
                field.press("Enter")
                page.wait_for_function(f"b => document.querySelector('#q-{QUESTION}').innerText !== b", arg=before)
                first.append(time.perf_counter() - started)
                page.wait_for_function(
                    f"""a => document.querySelector('#q-{QUESTION}').innerText === a
                    && !document.querySelector('.run-status').innerText.includes('first')""",
                    arg=answer,
                )
                whole.append(time.perf_counter() - started)
            browser.close()
        return first, whole
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def _wait(url: str) -> None:
    for _ in range(240):
        try:
            with urlopen(url, timeout=2):
                return
        except (URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"sim explore did not answer at {url}")


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--changes", type=int, default=6, choices=range(1, len(VALUES) + 1))
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {__import__('os').cpu_count()} cores, {args.runs:,} worlds")
    engine, answers = engine_seconds(args.runs, args.changes)
    print(f"engine:            median {_seconds(engine)}")
    first, whole = page_seconds(args.runs, answers)
    print(f"page, first block: median {_seconds(first)}")
    print(f"page, all worlds:  median {_seconds(whole)}")


def _seconds(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s (each: {', '.join(f'{t:.2f}' for t in times)})"


if __name__ == "__main__":
    main()
