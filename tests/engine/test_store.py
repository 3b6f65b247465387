"""Nothing lost: an interrupted run leaves its finished chunks, and resuming it gives the uninterrupted result."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from threading import Event

import pandas as pd
import pytest
from typer.testing import CliRunner

import simulator
from simulator.cli.app import app
from simulator.engine.runner import Interrupted
from simulator.engine.store import CHUNKS, ResumeError
from simulator.model.randomness import BLOCK
from simulator.results.outputs import OUTPUT_FILES
from tests.conftest import BASELINE, ROOT, write_engine

SIM = Path(sys.executable).parent / "sim"
RESUME = simulator.Execution(chunk_worlds=BLOCK, resume=True)
RUNS, SEED = 12 * BLOCK, 5
COMPARED = ("summary.json", "levels_by_month.csv", "phases_by_month.csv", "events_by_month.csv", "state_by_month.csv")


@pytest.fixture(scope="module")
def engine_config(tmp_path_factory):
    path = tmp_path_factory.mktemp("config") / "engine.yaml"
    write_engine(path, f"runs: 1000\nseed: 1\noutput_root: {path.parent}\nchunk_worlds: {BLOCK}\n")
    return path


@pytest.fixture(scope="module")
def uninterrupted(baseline, tmp_path_factory):
    out = tmp_path_factory.mktemp("uninterrupted") / "out"
    simulator.run(BASELINE, runs=RUNS, seed=SEED, out=out, execution=simulator.Execution(chunk_worlds=BLOCK))
    return out


def sim(engine_config, *args, **popen):
    command = [str(SIM), "run", str(BASELINE), *map(str, args)]
    env = {"SIM_CONFIG_DIR": str(engine_config.parent), "PATH": str(SIM.parent)}
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def saved_chunks(out: Path) -> int:
    folder = out / CHUNKS
    return len(list(folder.glob("*.tally.npz"))) if folder.is_dir() else 0


def interrupt_after_some_chunks(process, out, signal_it, chunks=2):
    deadline = time.monotonic() + 120
    while saved_chunks(out) < chunks:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no chunk finished in time"
        time.sleep(0.02)
    signal_it(process)
    return process.communicate(timeout=120)


def ctrl_c(process):
    """What a terminal's Ctrl-C does: SIGINT to every process of the group, workers included."""
    os.killpg(process.pid, signal.SIGINT)


def sigterm(process):
    """What `kill PID` does: SIGTERM to the command alone."""
    process.send_signal(signal.SIGTERM)


@pytest.mark.slow
@pytest.mark.parametrize(("signal_it", "code"), [(ctrl_c, 130), (sigterm, 143)], ids=["Ctrl-C", "SIGTERM"])
def test_interrupted_run_resumes_to_the_uninterrupted_result(tmp_path, engine_config, uninterrupted, signal_it, code):
    out = tmp_path / "out"
    running = sim(engine_config, "--runs", RUNS, "--seed", SEED, "--out", out, "--workers", 2)
    _, stderr = interrupt_after_some_chunks(running, out, signal_it)

    assert running.returncode == code, stderr
    assert f"--resume {out}" in stderr and "Traceback" not in stderr
    assert [p.name for p in out.iterdir()] == [CHUNKS], "no output file before the run is complete"
    assert 2 <= saved_chunks(out) < 12

    resumed = sim(engine_config, "--resume", out, "--workers", 1)
    stdout, stderr = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES), "the chunks are cleared once written"
    for name in COMPARED:
        assert (out / name).read_bytes() == (uninterrupted / name).read_bytes(), name
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "runs.parquet"), pd.read_parquet(uninterrupted / "runs.parquet"), check_exact=True
    )


@pytest.fixture
def interrupted(tmp_path):
    """An output folder whose run stopped after its first chunk."""
    out, stop = tmp_path / "out", Event()
    with pytest.raises(Interrupted) as stopped:
        simulator.run(
            BASELINE,
            runs=3 * BLOCK,
            seed=2,
            out=out,
            execution=simulator.Execution(chunk_worlds=BLOCK, progress=lambda _: stop.set(), stop=stop),
        )
    assert (stopped.value.done, stopped.value.total) == (1, 3)
    return out


def contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_resuming_in_python_finishes_the_run(interrupted):
    result = simulator.run(BASELINE, runs=3 * BLOCK, seed=2, out=interrupted, execution=RESUME)
    whole = simulator.run(BASELINE, runs=3 * BLOCK, seed=2, execution=simulator.Execution(chunk_worlds=BLOCK))
    assert result.summary() == whole.summary()
    pd.testing.assert_frame_equal(result.worlds, whole.worlds, check_exact=True)
    assert result.timing.worlds == 2 * BLOCK, "only the missing chunks ran"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "3"], "it was started with seed 2, not 3"),
        (["--runs", "500"], "it was started with runs 12288, not 500"),
        (["--save-trajectories"], "it was started with trajectories False, not True"),
    ],
)
def test_resuming_a_different_run_is_refused_and_keeps_the_folder(interrupted, args, message):
    before = contents(interrupted)
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--resume", str(interrupted), *args])
    assert result.exit_code == 2 and message in result.output, result.output
    assert contents(interrupted) == before


def test_resuming_with_a_changed_scenario_is_refused(interrupted, tmp_path):
    changed = tmp_path / "changed.yaml"
    changed.write_text(BASELINE.read_text().replace("  deal_drive: 1.5 ", "  deal_drive: 1.6 "))
    result = CliRunner().invoke(app, ["run", str(changed), "--resume", str(interrupted)])
    assert result.exit_code == 2 and "different scenario" in result.output
    with pytest.raises(ResumeError, match="different scenario"):
        simulator.run(changed, runs=3 * BLOCK, seed=2, out=interrupted, execution=RESUME)


def test_an_interrupted_folder_is_not_overwritten_by_a_new_run(interrupted):
    before = contents(interrupted)
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--runs", "500", "--out", str(interrupted)])
    assert result.exit_code == 2 and f"--resume {interrupted}" in result.output
    assert contents(interrupted) == before


@pytest.mark.parametrize("kind", ["missing", "finished", "empty"])
def test_nothing_to_resume_is_one_message(tmp_path, kind):
    folder = tmp_path / "out"
    if kind == "finished":
        assert CliRunner().invoke(app, ["run", str(BASELINE), "--runs", "300", "--out", str(folder)]).exit_code == 0
    elif kind == "empty":
        folder.mkdir()
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--resume", str(folder)])
    assert result.exit_code == 2 and "cannot resume" in result.output and "Traceback" not in result.output


def test_an_output_folder_streams_rows_to_disk_and_keeps_counts_in_memory(tmp_path, baseline):
    on_disk = simulator.run(
        baseline, runs=2 * BLOCK + 7, seed=8, out=tmp_path / "out", execution=simulator.Execution(chunk_worlds=BLOCK)
    )
    in_memory = simulator.run(baseline, runs=2 * BLOCK + 7, seed=8, execution=simulator.Execution(chunk_worlds=BLOCK))
    assert on_disk.summary() == in_memory.summary()
    pd.testing.assert_frame_equal(on_disk.worlds, in_memory.worlds, check_exact=True)
    assert json.loads((tmp_path / "out" / "summary.json").read_text()) == json.loads(json.dumps(in_memory.summary()))
    assert not (tmp_path / "out" / CHUNKS).exists()


def test_rows_are_streamed_in_world_order_whatever_order_chunks_finish_in(tmp_path, baseline):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from simulator.engine.rows import from_arrow
    from simulator.engine.runner import RunPlan, run_chunk
    from simulator.engine.store import FolderStore

    plan = RunPlan(baseline, 3 * BLOCK, seed=4, chunk_worlds=BLOCK)
    chunks = [run_chunk(plan, index) for index in range(3)]
    store = FolderStore(tmp_path / "out", plan)
    for index in (2, 0):
        store.save(chunks[index])
        assert store.streamed_worlds() is None, "not every chunk is in yet"
    store.save(chunks[1])
    streamed = pq.read_table(store.streamed_worlds())
    assert streamed.equals(pa.concat_tables(from_arrow(chunk.worlds) for chunk in chunks))
    assert streamed.column("world").to_pylist() == list(range(3 * BLOCK))
    resumed = FolderStore(tmp_path / "out", plan, resume=True)
    assert resumed.streamed_worlds() is None, "a resumed run streams its rows again from the first chunk"
