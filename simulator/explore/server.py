"""Starting the explorer: settings, the warm engine, the forecasts of scenarios as loaded, the web server.

One server process holds one ``engine.Engine`` (its worker processes start
with the server) and a few forecasts of scenarios as loaded, shared by every
browser tab, so the reference every change is compared with is run once.
The page (``page.py``) is served by Solara on uvicorn, with the installed
assets only (``web.py``).
"""

import json
import os
import socket
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from simulator.explore.engine import Engine, Forecast
from simulator.scenario import Scenario
from simulator.scenario.ensemble import is_ensemble

#: Hosts that only this machine can reach.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")

#: The scenario opened when none is named, if it is among the shipped ones.
BASELINE = "trump2025.yaml"

#: Seconds a stopping server waits for open pages before closing them.
_GRACE = 2

#: Forecasts of scenarios as loaded kept in memory (each a few megabytes at 20,000 worlds).
_KEPT = 8


@dataclass(frozen=True)
class Settings:
    """What the explorer opens with.

    Attributes:
        scenario: the scenario file to open first (``None``: the first shipped one).
        runs: worlds per forecast.
        seed: root seed of every forecast.
        config_dir: the configs folder scenarios' ``extends`` may look in.
        scenarios_dir: the folder of shipped scenarios offered in the page.
    """

    scenario: Path | None
    runs: int
    seed: int
    config_dir: Path | None
    scenarios_dir: Path


_settings: Settings | None = None
_engine: Engine | None = None
_loaded: OrderedDict[tuple[str, int, int], Forecast] = OrderedDict()
_lock = threading.Lock()


def settings() -> Settings:
    """The settings the server was started with."""
    if _settings is None:
        raise RuntimeError("the explorer was not started with serve()")
    return _settings


def engine() -> Engine:
    """The server's warm engine."""
    if _engine is None:
        raise RuntimeError("the explorer was not started with serve()")
    return _engine


def shipped_scenarios(folder: Path) -> list[Path]:
    """The scenario files in ``folder`` (not its subfolders), by name; ensembles of scenarios are not one to explore."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.glob("*.yaml") if not is_ensemble(path))


def first_scenario(folder: Path) -> Path | None:
    """The scenario to open when none is named: the baseline if it is there, else the first by name."""
    shipped = shipped_scenarios(folder)
    return next((path for path in shipped if path.name == BASELINE), next(iter(shipped), None))


def scenarios_dir() -> Path:
    """``scenarios/`` under the working directory, else the one beside the source tree."""
    local = Path("scenarios")
    return local if local.is_dir() else Path(__file__).resolve().parents[2] / "scenarios"


def forecast_as_loaded(spec: Scenario, runs: int, seed: int) -> Forecast:
    """The forecast of a scenario as loaded, run once and kept for every tab that compares with it."""
    key = (json.dumps(spec.model_dump(mode="json"), sort_keys=True), runs, seed)
    with _lock:
        if key in _loaded:
            _loaded.move_to_end(key)
            return _loaded[key]
    forecast = engine().forecast(spec, runs, seed)
    with _lock:
        _loaded[key] = forecast
        while len(_loaded) > _KEPT:
            _loaded.popitem(last=False)
    return forecast


def check_port(host: str, port: int) -> None:
    """Raise ``OSError`` if ``host:port`` cannot be listened on (taken, or not an address of this machine)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def serve(options: Settings, host: str, port: int, processes: int | None = None) -> None:
    """Start the worker processes, then serve the page until interrupted."""
    global _settings, _engine
    _settings = options
    _engine = Engine(processes)
    os.environ["SOLARA_APP"] = "simulator.explore.page"
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ["SOLARA_ASSETS_PROXY"] = "False"  # no fetching from a CDN, no writing beside the installed assets
    os.environ.setdefault("SOLARA_TELEMETRY_SERVER_USER_ID", "sim-explore")  # else Solara writes one in ~/.solara
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    import uvicorn  # imported here: Solara reads its settings from the environment on import

    try:
        uvicorn.run(
            "simulator.explore.web:app",
            factory=True,
            host=host,
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=_GRACE,  # open pages keep their connections: do not wait on them
        )
    finally:
        _engine.close()
