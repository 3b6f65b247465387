"""Engine defaults (runs, seed, output root, workers, Dask), read from ``configs/engine.yaml``.

The file is looked up at ``$SIM_ENGINE_CONFIG`` if set, else at
``configs/engine.yaml`` under the working directory, else beside the installed
source tree. It is the one place these defaults live. ``$SIM_DASK_ADDRESS``,
if set, overrides the file's ``dask``; command-line options override both.
"""

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator.scenario import ScenarioError

ENV_VAR = "SIM_ENGINE_CONFIG"

#: Environment variable naming a Dask scheduler to run on, as ``--dask`` does.
DASK_ENV_VAR = "SIM_DASK_ADDRESS"


class EngineConfig(BaseModel):
    """How ``sim run`` runs when options do not say otherwise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    runs: int = Field(ge=1, description="worlds per run")
    seed: int = Field(ge=0, description="root seed")
    output_root: Path = Field(description="folder for timestamped output folders")
    chunk_worlds: int = Field(ge=1, description="worlds one model advances at once")
    workers: int | None = Field(default=None, ge=1, description="processes running chunks; null: all cores")
    dask: str | None = Field(default=None, min_length=1, description="Dask scheduler address, e.g. tcp://host:8786")


def config_path() -> Path:
    """Where the engine configuration is read from."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    local = Path("configs/engine.yaml")
    if local.exists():
        return local
    return Path(__file__).resolve().parent.parent / "configs" / "engine.yaml"


def load_config(path: Path | None = None) -> EngineConfig:
    """Read and validate the engine configuration.

    Raises:
        ScenarioError: if the file is missing or malformed, naming the key.
    """
    path = path or config_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        config = EngineConfig.model_validate(data)
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read the engine configuration ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise ScenarioError(f"{path}: not valid YAML: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(map(str, first["loc"])) or "(top level)"
        raise ScenarioError(f"{path}: {key}: {first['msg']}") from None
    if os.environ.get(DASK_ENV_VAR):
        return config.model_copy(update={"dask": os.environ[DASK_ENV_VAR]})
    return config
