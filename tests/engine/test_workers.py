"""Results depend on the seed alone: not on the number of local workers, nor on a Dask cluster."""

import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import simulator
from simulator.api import posterior_design
from simulator.cli.app import app
from simulator.engine.runner import RunPlan, simulate
from simulator.engine.store import MemoryStore
from simulator.engine.tally import Tally
from simulator.engine.workers import WorkersError, open_workers, start_early
from simulator.model.randomness import BLOCK
from simulator.results.result import RunResult
from tests.conftest import BASELINE, write_engine

RUNS = 3 * BLOCK + 123  # four chunks of one block: the last one partial
TABLES = ("levels_by_month", "phases_by_month", "events_by_month", "war_by_month", "state_by_month", "worlds")


def run(spec, **options):
    return simulator.run(spec, runs=RUNS, seed=9, execution=simulator.Execution(chunk_worlds=BLOCK, **options))


@pytest.fixture(scope="module")
def one_worker(baseline):
    return run(baseline, workers=1)


def assert_identical(mine, theirs):
    for field in ("level_counts", "phase_counts", "war_counts", "state_sums", "first_months", "max_levels"):
        assert np.array_equal(getattr(mine.tally, field), getattr(theirs.tally, field)), field
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(mine, table), getattr(theirs, table), check_exact=True)
    assert mine.summary() == theirs.summary()


def test_one_and_two_workers_give_bit_identical_results(baseline, one_worker):
    two_workers = run(baseline, workers=2)
    assert_identical(one_worker, two_workers)


def test_a_run_takes_the_helpers_started_early_and_gives_the_same_results(baseline, one_worker):
    early = start_early(2)
    with open_workers(2, chunks=4) as workers:
        assert workers.executor is early
    assert run(baseline, workers=2).summary() == one_worker.summary()


def test_helpers_started_early_that_no_run_wants_are_let_go():
    early = start_early(2)
    with open_workers(1, chunks=4) as workers:
        assert workers.executor is None
    with pytest.raises(RuntimeError, match="shutdown"):
        early.submit(print)


def test_sim_run_of_many_worlds_starts_its_helpers_with_the_command_line(tmp_path):
    from simulator.cli.main import _early_processes as early

    assert early(["run", "s.yaml", "--runs", "100000"]) == os.cpu_count()
    assert early(["run", "s.yaml", "--runs=50000", "--seed", "3", "--workers", "3"]) == 3
    assert early(["run", "s.yaml"]) is None and early(["run", "s.yaml", "--runs", "1000"]) is None
    assert early(["run", "s.yaml", "--runs", "100000", "--dask", "tcp://h:1"]) is None
    assert early(["compare", "a.yaml", "b.yaml", "--runs", "100000"]) is None
    out = tmp_path / "out"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "sim"), "run", str(BASELINE), "--runs", "40000", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "summary.json").read_text())["runs"] == 40000


@pytest.mark.slow
def test_chunks_run_in_worker_processes_match_chunks_run_here(baseline, one_worker):
    plan = RunPlan(baseline, RUNS, seed=9, chunk_worlds=BLOCK, design=posterior_design(baseline, 9))
    store = MemoryStore()
    with open_workers(3, chunks=len(plan.chunks)) as workers:
        workers.ready.result()  # helpers started: every chunk goes to them, none runs here
        simulate(plan, store, replace(workers, here=False))
    tally = sum(store.tallies(), Tally.zero(baseline.months))
    assert_identical(one_worker, RunResult(baseline, RUNS, 9, tally, store))


@pytest.mark.slow
def test_one_and_two_workers_write_identical_files(tmp_path):
    config = tmp_path / "engine.yaml"
    write_engine(config, f"runs: {RUNS}\nseed: 4\noutput_root: {tmp_path}\nchunk_worlds: {BLOCK}\n")
    runner = CliRunner(env={"SIM_CONFIG_DIR": str(config.parent)})
    for workers in (1, 2):
        done = runner.invoke(
            app, ["run", str(BASELINE), "--workers", str(workers), "--out", str(tmp_path / str(workers))]
        )
        assert done.exit_code == 0, done.output
    for name in ("summary.json", "levels_by_month.csv", "events_by_month.csv", "state_by_month.csv", "runs.parquet"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name
    metadata = json.loads((tmp_path / "2" / "metadata.json").read_text())
    assert metadata["simulation"]["worlds"] == RUNS


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        yield cluster


@pytest.mark.slow
def test_a_dask_cluster_gives_the_local_result(baseline, one_worker, dask_cluster):
    on_dask = run(baseline, dask=dask_cluster.scheduler_address)
    assert_identical(one_worker, on_dask)


def test_sim_run_on_a_dask_cluster_from_the_environment(tmp_path, monkeypatch, dask_cluster, one_worker):
    monkeypatch.setenv("SIM_DASK_ADDRESS", dask_cluster.scheduler_address)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--runs", "3000", "--seed", "9", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == 3000


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"dask": "nonsense"}, "is not a Dask scheduler address"),
        ({"dask": "tcp://127.0.0.1:1"}, "cannot reach the Dask scheduler at tcp://127.0.0.1:1"),
        ({"processes": 0}, "at least 1"),
    ],
)
def test_unusable_workers_are_refused_with_the_reason(options, message):
    with pytest.raises(WorkersError, match=message), open_workers(chunks=4, **options):
        pass


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dask", "tcp://127.0.0.1:1"], "cannot reach the Dask scheduler"),
        (["--dask", "localhost"], "is not a Dask scheduler address"),
        (["--workers", "0"], "--workers"),
    ],
)
def test_bad_worker_options_are_one_message_and_exit_2(tmp_path, args, message):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--runs", "500", "--out", str(out), *args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists(), "nothing is written for a run that cannot start"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie waiting to be reaped does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(
    "pool",
    [
        "__import__('simulator.engine.workers').engine.workers.helper_pool(2)",
        "__import__('simulator.explore.engine').explore.engine.Engine(2).pool",
    ],
    ids=["run helpers", "explorer workers"],
)
def test_helpers_end_with_the_process_that_started_them_even_when_it_is_killed(pool):
    pids = "{pool.submit(os.getpid).result() for _ in range(6)}"
    script = f"import os, time; pool = {pool}; print(*{pids}, flush=True); time.sleep(60)"
    owner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        helpers = [int(pid) for pid in owner.stdout.readline().split()]
        assert helpers and all(_alive(pid) for pid in helpers)
    finally:
        owner.kill()
        owner.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in helpers)
