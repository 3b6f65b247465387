"""The configs folder: engine defaults (``engine.yaml``) and the parameter sets scenarios extend.

The folder is ``$SIM_CONFIG_DIR`` if set (or the ``--config-dir`` option), else
``configs/`` under the working directory, else the defaults shipped inside the
package (``simulator/data/configs/``; the repository's ``configs/`` is a link
to them). A scenario's ``extends: NAME`` is looked up next to the scenario
first, then in this folder. ``$SIM_DASK_ADDRESS``, if set, overrides the engine
file's ``dask``; command-line options override both.
"""

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator.files import packaged
from simulator.scenario.reading import ScenarioError, read_yaml

ENV_VAR = "SIM_CONFIG_DIR"
ENGINE_FILE = "engine.yaml"
#: The posterior sample of the calibrated parameters in a configs folder: `sim calibrate` writes it, scenarios read it.
POSTERIOR_FILE = "posterior.csv"

#: Environment variable naming a Dask scheduler to run on, as ``--dask`` does.
DASK_ENV_VAR = "SIM_DASK_ADDRESS"


class ConfigError(ValueError):
    """An engine configuration that cannot be used; the message names the file and key."""


class EngineConfig(BaseModel):
    """How ``sim run`` runs when options do not say otherwise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    runs: int = Field(ge=1, description="worlds per run")
    seed: int = Field(ge=0, description="root seed")
    output_root: Path = Field(description="folder for timestamped output folders")
    chunk_worlds: int = Field(ge=1, description="worlds one model advances at once")
    workers: int | None = Field(default=None, ge=1, description="processes running chunks; null: all cores")
    dask: str | None = Field(default=None, min_length=1, description="Dask scheduler address, e.g. tcp://host:8786")
    max_runs: int = Field(default=1_000_000_000, ge=1, description="the most worlds one run may ask for")


def config_dir(override: Path | None = None) -> Path:
    """The configs folder in use."""
    if override is not None:
        return override
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    local = Path("configs")
    if (local / ENGINE_FILE).exists():
        return local
    return packaged("configs")


def load_config(folder: Path | None = None) -> EngineConfig:
    """Read and validate ``engine.yaml`` from the configs folder.

    A key the file leaves out keeps the packaged ``engine.yaml``'s value, so a
    file of one line (``workers: 1``) changes only that.

    Raises:
        ConfigError: if the file is missing or malformed, naming each key at fault.
    """
    path = config_dir(folder) / ENGINE_FILE
    shipped = packaged("configs") / ENGINE_FILE
    try:
        given = read_yaml(path, "engine configuration")[0]
        defaults = {} if path.resolve() == shipped.resolve() else read_yaml(shipped, "engine configuration")[0]
        config = EngineConfig.model_validate(defaults | given if isinstance(given, dict) else given)
    except ScenarioError as error:
        raise ConfigError(str(error)) from None
    except ValidationError as error:
        problems = [f"{path}: {'.'.join(map(str, e['loc'])) or '(top level)'}: {e['msg']}" for e in error.errors()]
        raise ConfigError("\n".join(problems)) from None
    if os.environ.get(DASK_ENV_VAR):
        return config.model_copy(update={"dask": os.environ[DASK_ENV_VAR]})
    return config
