"""Faults: huge plans, owned folders, damaged chunks, full or read-only disks, a killed parent.

Real processes, real files and real file systems (a small tmpfs where the tests
run as root, and a real file-size limit anywhere); nothing is mocked.
"""

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path
from threading import Event

import pandas as pd
import psutil
import pytest
from typer.testing import CliRunner

import simulator
from simulator.cli.app import app
from simulator.engine.folder import LOCK, FolderError, owned
from simulator.engine.runner import Interrupted, Pending, plan_chunks
from simulator.engine.store import CHECKSUMS, CHUNKS
from simulator.model.randomness import BLOCK
from simulator.results.outputs import OUTPUT_FILES
from tests.conftest import BASELINE, ROOT, write_engine

SIM = Path(sys.executable).parent / "sim"
RUNS, SEED = 4 * BLOCK, 11
CHUNKED = simulator.Execution(chunk_worlds=BLOCK)
RESUME = simulator.Execution(chunk_worlds=BLOCK, resume=True)
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")


@pytest.fixture(scope="module")
def configs(tmp_path_factory):
    path = tmp_path_factory.mktemp("configs") / "engine.yaml"
    write_engine(path, f"runs: 1000\nseed: 1\noutput_root: {path.parent}\nchunk_worlds: {BLOCK}\nmax_runs: {10**13}\n")
    return path.parent


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The files of an uninterrupted run, to compare resumed ones with."""
    out = tmp_path_factory.mktemp("reference") / "out"
    simulator.run(BASELINE, runs=RUNS, seed=SEED, out=out, trajectories=True, execution=CHUNKED)
    return out


def sim(configs, *args, limit=None, **options):
    """`sim` in its own process group, as a user starts it; ``limit``: a file-size limit in bytes."""

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.Popen(
        [str(SIM), *map(str, args)],
        cwd=ROOT,
        env={"SIM_CONFIG_DIR": str(configs), "PATH": str(SIM.parent)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=limited if limit else None,
        **options,
    )


def assert_same_outputs(out, reference):
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in reference.iterdir())
    for path in reference.iterdir():
        if path.suffix in (".csv", ".json", ".yaml") and path.name != "metadata.json":
            assert (out / path.name).read_bytes() == path.read_bytes(), path.name
    for name in ("runs.parquet", "trajectories.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(out / name), pd.read_parquet(reference / name), check_exact=True)


def wait_for(condition, process=None, seconds=120):
    deadline = time.monotonic() + seconds
    while not condition():
        assert process is None or process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def saved(out):
    """Chunks whose checksum line is written."""
    path = out / CHUNKS / CHECKSUMS
    return sum(1 for line in path.read_text().splitlines() if line.strip()) if path.exists() else 0


# Plans -----------------------------------------------------------------------------------


def test_a_plan_of_any_size_costs_no_memory():
    tracemalloc.start()
    chunks = plan_chunks(2**50 + 5, BLOCK)
    todo = Pending(len(chunks), {0, 2})
    firsts = [todo.take() for _ in range(3)]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 100_000
    assert len(chunks) == 2**50 // BLOCK + 1 and chunks[-1] == (2**50, 5) and chunks[1] == (BLOCK, BLOCK)
    assert firsts == [1, 3, 4] and len(todo) == len(chunks) - 5
    assert chunks.worlds([0, len(chunks) - 1, len(chunks)]) == BLOCK + 5


def test_runs_above_the_maximum_are_refused(tmp_path):
    write_engine(tmp_path / "engine.yaml", "runs: 10\nseed: 1\noutput_root: runs\nchunk_worlds: 4096\nmax_runs: 5000\n")
    result = CliRunner().invoke(
        app, ["run", str(BASELINE), "--runs", "6000", "--out", str(tmp_path / "out"), "--config-dir", str(tmp_path)]
    )
    assert result.exit_code == 2 and "more than the 5,000 worlds a run may have (max_runs" in result.output
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--runs", "1000000000000", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "max_runs" in result.output and not (tmp_path / "o").exists()


def test_more_workers_than_the_machine_can_hold_are_refused(tmp_path):
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--runs", "300", "--workers", "100000"])
    assert result.exit_code == 2 and "100,000 workers on" in result.output and "per core" in result.output


def test_ctrl_c_while_sim_starts_stops_it_quietly(tmp_path, configs):
    starting = sim(configs, "run", BASELINE, "--runs", 10**12, "--out", tmp_path / "out")
    time.sleep(1)
    os.killpg(starting.pid, signal.SIGINT)
    _, stderr = starting.communicate(timeout=60)
    assert starting.returncode == 130 and "interrupted" in stderr and "Traceback" not in stderr, stderr


def test_ctrl_c_stops_a_vast_run_at_once_and_its_memory_stays_small(tmp_path, configs):
    out = tmp_path / "out"
    running = sim(configs, "run", BASELINE, "--runs", 10**12, "--out", out, "--workers", 1)
    wait_for(lambda: saved(out) >= 1, running)
    assert psutil.Process(running.pid).memory_info().rss < 1_000_000_000
    asked = time.monotonic()
    os.killpg(running.pid, signal.SIGINT)
    _, stderr = running.communicate(timeout=60)
    assert running.returncode == 130 and "--resume" in stderr and "Traceback" not in stderr
    assert time.monotonic() - asked < 15


# An owned folder ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_folder_held_by_a_run_is_refused_naming_the_holder(tmp_path, configs):
    out = tmp_path / "out"
    first = sim(configs, "run", BASELINE, "--runs", 200 * BLOCK, "--out", out, "--workers", 1)
    wait_for(lambda: saved(out) >= 1, first)
    holder = f"pid {first.pid} on {socket.gethostname()}"
    for args in (["--runs", 500, "--out", out, "--force"], ["--resume", out]):
        second = sim(configs, "run", BASELINE, *args)
        _, stderr = second.communicate(timeout=120)
        assert second.returncode == 2 and "is in use by another run" in stderr and holder in stderr, stderr
    os.killpg(first.pid, signal.SIGINT)
    _, stderr = first.communicate(timeout=120)
    assert first.returncode == 130, stderr
    assert not (out / LOCK).exists() and saved(out) >= 1, "the lock goes, the chunks stay"


def test_two_owners_in_one_process_are_refused_too(tmp_path):
    with owned(tmp_path / "out"):
        with pytest.raises(FolderError, match=f"in use by another run: pid {os.getpid()}"):
            simulator.run(BASELINE, runs=300, seed=1, out=tmp_path / "out")
    assert not (tmp_path / "out").exists(), "an owner that wrote nothing leaves nothing"


@pytest.fixture
def interrupted(tmp_path):
    """An output folder whose run stopped after its first chunk (of three)."""
    out, stop = tmp_path / "out", Event()
    with pytest.raises(Interrupted):
        simulator.run(
            BASELINE,
            runs=3 * BLOCK,
            seed=SEED,
            out=out,
            execution=simulator.Execution(chunk_worlds=BLOCK, progress=lambda _: stop.set(), stop=stop),
        )
    return out


def dead_pid():
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_a_stale_lock_is_taken_over_with_a_note(interrupted, caplog):
    stale = {"pid": dead_pid(), "host": socket.gethostname(), "started": "2026-01-01T00:00:00+00:00"}
    (interrupted / LOCK).write_text(json.dumps(stale))
    refused = CliRunner().invoke(app, ["run", str(BASELINE), "--runs", "300", "--out", str(interrupted)])
    assert refused.exit_code == 2 and f"its run, pid {stale['pid']}" in refused.output
    result = simulator.run(BASELINE, runs=3 * BLOCK, seed=SEED, out=interrupted, execution=RESUME)
    assert f"took over the lock of a run that ended without finishing: pid {stale['pid']}" in caplog.text
    assert result.timing.worlds == 2 * BLOCK and not (interrupted / LOCK).exists()


# Damaged chunks and --force ------------------------------------------------------------------


def test_a_damaged_chunk_is_computed_again_with_a_note(interrupted, caplog):
    (chunk,) = (interrupted / CHUNKS).glob("*.worlds.arrow")
    chunk.write_bytes(chunk.read_bytes()[:100])
    with (interrupted / CHUNKS / CHECKSUMS).open("a") as file:
        file.write('\n{"chunk": 2, "sha2')  # a line torn by a crash is skipped
    result = simulator.run(BASELINE, runs=3 * BLOCK, seed=SEED, out=interrupted, execution=RESUME)
    assert "chunk 0 is damaged (00000.worlds.arrow does not match its checksum)" in caplog.text
    assert result.timing.worlds == 3 * BLOCK, "the damaged chunk ran again, and the torn line counted for nothing"
    whole = simulator.run(BASELINE, runs=3 * BLOCK, seed=SEED, execution=CHUNKED)
    assert result.summary() == whole.summary()
    pd.testing.assert_frame_equal(result.worlds, whole.worlds, check_exact=True)


def test_a_damaged_manifest_is_one_message(interrupted):
    (interrupted / CHUNKS / "manifest.json").write_text('{"runs": "many", "seed": 1}')
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--resume", str(interrupted)])
    assert result.exit_code == 2 and "manifest.json is damaged" in result.output and "Traceback" not in result.output


def test_force_replaces_only_what_sim_wrote(tmp_path):
    out = tmp_path / "out"
    first = CliRunner().invoke(app, ["run", str(BASELINE), "--runs", "300", "--out", str(out), "--save-trajectories"])
    assert first.exit_code == 0, first.output
    assert (out / "trajectories.parquet").exists()
    forced = CliRunner().invoke(app, ["run", str(BASELINE), "--runs", "400", "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES), "no file of the earlier run is left"
    (out / "notes.txt").write_text("mine")
    refused = CliRunner().invoke(app, ["run", str(BASELINE), "--runs", "400", "--out", str(out), "--force"])
    assert refused.exit_code == 2 and "holds files sim did not write (notes.txt)" in refused.output
    assert (out / "notes.txt").read_text() == "mine" and (out / "summary.json").exists()


# File-system errors ----------------------------------------------------------------------------


def test_an_output_folder_that_is_not_a_folder_is_one_message(tmp_path):
    file = tmp_path / "file"
    file.write_text("x")
    for out, message in ((file, "exists and is not a folder"), (file / "sub", "Not a directory")):
        result = CliRunner().invoke(app, ["run", str(BASELINE), "--runs", "300", "--out", str(out)])
        assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


@contextmanager
def tmpfs(path: Path, size: str, *options: str):
    path.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join([f"size={size}", *options]), "tmpfs", path], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", path], check=False)


@as_root
def test_a_read_only_disk_is_one_message(tmp_path, configs):
    with tmpfs(tmp_path / "disk", "1m", "ro") as disk:
        running = sim(configs, "run", BASELINE, "--runs", 300, "--out", disk / "out")
        _, stderr = running.communicate(timeout=120)
    assert running.returncode == 2 and "Read-only file system" in stderr and "Traceback" not in stderr


@pytest.mark.slow
@as_root
def test_a_full_disk_keeps_finished_chunks_and_resumes_once_space_is_freed(tmp_path, configs, reference):
    with tmpfs(tmp_path / "disk", "6m") as disk:
        out = disk / "out"
        args = ("--runs", RUNS, "--seed", SEED, "--out", out, "--workers", 2, "--save-trajectories")
        full = sim(configs, "run", BASELINE, *args)
        _, stderr = full.communicate(timeout=300)
        assert full.returncode == 1, stderr
        assert "No space left on device" in stderr and f"--resume {out}" in stderr and "Traceback" not in stderr
        kept = saved(out)
        assert 1 <= kept < RUNS // BLOCK

        subprocess.run(["mount", "-o", "remount,size=200m", disk], check=True)  # space is freed
        resumed = sim(configs, "run", BASELINE, "--resume", out, "--workers", 1)
        _, stderr = resumed.communicate(timeout=300)
        assert resumed.returncode == 0, stderr
        assert_same_outputs(out, reference)


@pytest.mark.slow
def test_a_file_size_limit_at_the_last_write_keeps_every_chunk(tmp_path, configs, reference):
    out = tmp_path / "out"
    args = ("--runs", RUNS, "--seed", SEED, "--out", out, "--save-trajectories", "--workers", 1)
    limited = sim(configs, "run", BASELINE, *args, limit=5_000_000)
    _, stderr = limited.communicate(timeout=300)
    assert limited.returncode == 1, stderr
    assert "File too large" in stderr and f"--resume {out}" in stderr and "Traceback" not in stderr
    assert saved(out) == RUNS // BLOCK
    resumed = sim(configs, "run", BASELINE, "--resume", out)
    _, stderr = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, stderr
    assert_same_outputs(out, reference)


# A killed parent ----------------------------------------------------------------------------------


def test_helpers_end_when_sim_is_killed(tmp_path, configs):
    out = tmp_path / "out"
    running = sim(configs, "run", BASELINE, "--runs", 400 * BLOCK, "--out", out, "--workers", 2)
    parent = psutil.Process(running.pid)
    wait_for(lambda: saved(out) >= 2, running)
    helpers = parent.children(recursive=True)
    assert helpers, "a helper process and the resource tracker"
    parent.kill()
    running.communicate(timeout=60)
    gone, alive = psutil.wait_procs(helpers, timeout=20)
    assert not alive, [p.cmdline() for p in alive]
    assert (out / LOCK).exists() and saved(out) >= 2, "the lock is stale, the chunks are kept"
    refused = CliRunner().invoke(app, ["run", str(BASELINE), "--runs", "300", "--out", str(out)])
    assert refused.exit_code == 2 and f"its run, pid {running.pid}" in refused.output and "--resume" in refused.output


def test_force_replaces_what_an_analysis_command_wrote(tmp_path):
    from simulator.cli.app import app

    run, out = tmp_path / "run", tmp_path / "signposts"
    assert CliRunner().invoke(app, ["run", str(BASELINE), "--runs", "600", "--out", str(run)]).exit_code == 0
    ask = ["signposts", str(run), "--outcome", "summit@2026-01", "--by", "2025-06", "--out", str(out)]
    first = CliRunner().invoke(app, ask)
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(app, [*ask, "--force"])
    assert again.exit_code == 0, again.output
    assert (out / "signposts.csv").exists()


def test_a_resumed_run_reports_the_speed_of_the_worlds_it_simulated(interrupted):
    done = CliRunner().invoke(app, ["run", str(BASELINE), "--resume", str(interrupted)], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    simulation = json.loads((interrupted / "metadata.json").read_text())["simulation"]
    assert simulation["worlds"] == 2 * BLOCK, "the saved chunk was read back, not simulated"
    assert simulation["worlds_per_second"] == pytest.approx(2 * BLOCK / simulation["seconds"], rel=0.01)
    assert f"simulation of the {2 * BLOCK:,} worlds not saved before" in done.output
    assert f"{BLOCK:,} read back" in done.output
