"""Assumptions: a fixed value or a distribution, sampled once per world.

An analyst writes an uncertain assumption as a call, ``beta(2, 40)`` or
``normal(0.1, 0.05, low=0, high=0.3)``, or as a plain number. Each world draws
one value, by inverse transform of a single uniform number from the stream
named after the assumption's key path. Changing a distribution's parameters
therefore moves every world's value smoothly instead of reshuffling them:
two scenarios differ by signal, not by noise (common random numbers).
"""

import ast
import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from scipy import special

Array = np.ndarray


class DistributionError(ValueError):
    """A distribution that cannot be built from what the scenario says."""


#: The largest magnitude of any number in an assumption: checked before numpy or scipy sees it.
LARGEST = 1e12

#: The longest distribution call read, in characters.
LONGEST_CALL = 2000


@dataclass(frozen=True)
class Fixed:
    """A value every world shares."""

    value: float
    name: ClassVar[str] = "fixed"

    def ppf(self, u: Array) -> Array:
        """The value, for every uniform draw."""
        return np.full(u.shape, self.value)

    def support(self) -> tuple[float, float]:
        """Smallest and largest value a world can get."""
        return self.value, self.value

    def __str__(self) -> str:
        return f"{self.value:g}"


@dataclass(frozen=True)
class Uniform:
    """Every value between ``low`` and ``high`` equally likely."""

    low: float
    high: float
    name: ClassVar[str] = "uniform"

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise DistributionError(f"uniform needs low < high, got {self.low:g} and {self.high:g}")

    def ppf(self, u: Array) -> Array:
        """Inverse cumulative distribution at ``u``."""
        return self.low + (self.high - self.low) * u

    def support(self) -> tuple[float, float]:
        """Smallest and largest value a world can get."""
        return self.low, self.high

    def __str__(self) -> str:
        return f"uniform({self.low:g}, {self.high:g})"


@dataclass(frozen=True)
class Triangular:
    """Most likely at ``mode``, never below ``low`` or above ``high``."""

    low: float
    mode: float
    high: float
    name: ClassVar[str] = "triangular"

    def __post_init__(self) -> None:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise DistributionError(
                f"triangular needs low <= mode <= high and low < high, got {self.low:g}, {self.mode:g}, {self.high:g}"
            )

    def ppf(self, u: Array) -> Array:
        """Inverse cumulative distribution at ``u``."""
        width = self.high - self.low
        split = (self.mode - self.low) / width
        left = self.low + np.sqrt(u * width * (self.mode - self.low))
        right = self.high - np.sqrt((1 - u) * width * (self.high - self.mode))
        return np.where(u < split, left, right)

    def support(self) -> tuple[float, float]:
        """Smallest and largest value a world can get."""
        return self.low, self.high

    def __str__(self) -> str:
        return f"triangular({self.low:g}, {self.mode:g}, {self.high:g})"


@dataclass(frozen=True)
class Beta:
    """A beta distribution on [0, 1], the natural prior for a probability."""

    a: float
    b: float
    name: ClassVar[str] = "beta"

    def __post_init__(self) -> None:
        if not (self.a > 0 and self.b > 0):
            raise DistributionError(f"beta needs a > 0 and b > 0, got {self.a:g} and {self.b:g}")

    def ppf(self, u: Array) -> Array:
        """Inverse cumulative distribution at ``u``."""
        return special.betaincinv(self.a, self.b, u)

    def support(self) -> tuple[float, float]:
        """Smallest and largest value a world can get."""
        return 0.0, 1.0

    def __str__(self) -> str:
        return f"beta({self.a:g}, {self.b:g})"


@dataclass(frozen=True)
class Normal:
    """A normal distribution, truncated to [``low``, ``high``] when bounds are given."""

    mean: float
    sd: float
    low: float = -np.inf
    high: float = np.inf
    name: ClassVar[str] = "normal"

    def __post_init__(self) -> None:
        if not self.sd > 0:
            raise DistributionError(f"normal needs sd > 0, got {self.sd:g}")
        if not self.low < self.high:
            raise DistributionError(f"normal needs low < high, got {self.low:g} and {self.high:g}")
        if special.ndtr((self.high - self.mean) / self.sd) - special.ndtr((self.low - self.mean) / self.sd) < 1e-9:
            raise DistributionError(
                f"normal({self.mean:g}, {self.sd:g}) puts no weight between {self.low:g} and {self.high:g}"
            )

    def ppf(self, u: Array) -> Array:
        """Inverse cumulative distribution at ``u``, within the bounds."""
        lo = special.ndtr((self.low - self.mean) / self.sd)
        hi = special.ndtr((self.high - self.mean) / self.sd)
        z = special.ndtri(lo + u * (hi - lo))
        return np.clip(self.mean + self.sd * z, self.low, self.high)

    def support(self) -> tuple[float, float]:
        """Smallest and largest value a world can get."""
        return self.low, self.high

    def __str__(self) -> str:
        bounds = "".join(
            f", {key}={value:g}" for key, value in (("low", self.low), ("high", self.high)) if np.isfinite(value)
        )
        return f"normal({self.mean:g}, {self.sd:g}{bounds})"


@dataclass(frozen=True)
class Choice:
    """One of a few values, with given weights (equal when none are given)."""

    values: tuple[float, ...]
    weights: tuple[float, ...]
    stated_weights: bool = field(default=False, compare=False, repr=False)  #: written, not left equal
    name: ClassVar[str] = "choice"

    def __post_init__(self) -> None:
        if not self.values:
            raise DistributionError("choice needs at least one value")
        if len(self.weights) != len(self.values):
            raise DistributionError(f"choice has {len(self.values)} values but {len(self.weights)} weights")
        if min(self.weights) < 0 or sum(self.weights) <= 0:
            raise DistributionError("choice weights must be >= 0 and not all zero")

    def ppf(self, u: Array) -> Array:
        """The value whose cumulative weight first exceeds ``u``."""
        cumulative = np.cumsum(self.weights) / sum(self.weights)
        index = np.minimum(np.searchsorted(cumulative, u, side="right"), len(self.values) - 1)
        return np.asarray(self.values, dtype=float)[index]

    def support(self) -> tuple[float, float]:
        """Smallest and largest value a world can get."""
        return min(self.values), max(self.values)

    def __str__(self) -> str:
        weights = set(self.weights)
        values = ", ".join(f"{v:g}" for v in self.values)
        if len(weights) == 1:
            return f"choice([{values}])"
        return f"choice([{values}], weights=[{', '.join(f'{w:g}' for w in self.weights)}])"


Assumption = Fixed | Uniform | Triangular | Beta | Normal | Choice

_SIGNATURES: dict[str, tuple[type, tuple[str, ...]]] = {
    "uniform": (Uniform, ("low", "high")),
    "triangular": (Triangular, ("low", "mode", "high")),
    "beta": (Beta, ("a", "b")),
    "normal": (Normal, ("mean", "sd", "low", "high")),
    "choice": (Choice, ("values", "weights")),
}


def parse_assumption(raw: object) -> Assumption:
    """Read an assumption as the scenario writes it.

    Accepts a number, a call such as ``"triangular(0.05, 0.1, 0.2)"``, or a
    mapping ``{dist: beta, a: 2, b: 40}``.

    Raises:
        DistributionError: naming what is wrong and the accepted forms.
    """
    if isinstance(raw, bool):
        raise DistributionError("expected a number or a distribution, got true/false")
    if isinstance(raw, int | float):
        return Fixed(_plain(raw))
    if isinstance(raw, str) and _is_number(raw):
        return Fixed(_plain(float(raw)))  # YAML reads 1e-3 (no dot) as text
    if isinstance(raw, str):
        name, args, kwargs = _parse_call(raw)
    elif isinstance(raw, dict) and "dist" in raw:
        name, args, kwargs = str(raw["dist"]), [], {k: v for k, v in raw.items() if k != "dist"}
    else:
        raise DistributionError(f"expected a number or a distribution such as 'beta(2, 40)', got {raw!r}")
    return _build(name, args, kwargs)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _plain(number: int | float) -> float:
    """A number an assumption may hold: finite and within ``LARGEST``, checked before it becomes a float."""
    if isinstance(number, float) and not math.isfinite(number):
        raise DistributionError(f"expected a finite number, got {number}")
    if abs(number) > LARGEST:
        raise DistributionError(f"{number:.3g} is too large; numbers in a scenario lie within +-{LARGEST:g}")
    return float(number)


def _parse_call(text: str) -> tuple[str, list, dict]:
    if len(text) > LONGEST_CALL:
        raise DistributionError(f"a distribution is written in at most {LONGEST_CALL} characters")
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        node = None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        raise DistributionError(f"{text!r} is neither a number nor a distribution call such as 'uniform(0.1, 0.3)'")
    try:
        args = [ast.literal_eval(arg) for arg in node.args]
        kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords}
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as error:
        raise DistributionError(f"{text!r}: arguments must be numbers or lists of numbers") from error
    return node.func.id, args, kwargs


def _build(name: str, args: list, kwargs: dict) -> Assumption:
    try:
        built = _construct(name, args, kwargs)
    except DistributionError:
        raise
    except (TypeError, ValueError, OverflowError) as error:
        raise DistributionError(f"{name}: parameters must be numbers (lists of numbers for choice)") from error
    numbers = _numbers(built)
    if not all(math.isfinite(v) for v in numbers):
        raise DistributionError(f"{name}: parameters must be finite numbers (bounds may be left out)")
    if any(abs(v) > LARGEST for v in numbers):
        raise DistributionError(f"{name}: parameters must lie within +-{LARGEST:g}")
    return built


def _numbers(built: "Assumption") -> list[float]:
    if isinstance(built, Choice):
        return [*built.values, *built.weights]
    if isinstance(built, Normal):
        return [built.mean, built.sd]
    return [float(v) for v in vars(built).values()]


def _construct(name: str, args: list, kwargs: dict) -> "Assumption":
    if name not in _SIGNATURES:
        raise DistributionError(f"unknown distribution {name!r}; use one of {', '.join(sorted(_SIGNATURES))}")
    cls, params = _SIGNATURES[name]
    if len(args) > len(params) or None in kwargs:
        raise DistributionError(f"{name} takes ({', '.join(params)})")
    values = dict(zip(params, args, strict=False))
    for key, value in kwargs.items():
        if key not in params:
            raise DistributionError(f"{name} has no parameter {key!r}; it takes ({', '.join(params)})")
        values[key] = value
    if cls is Choice:
        choices = values.get("values")
        if not isinstance(choices, list | tuple):
            raise DistributionError("choice takes a list of values, e.g. choice([0.1, 0.2, 0.4])")
        weights = values.get("weights")
        if weights is not None and not isinstance(weights, list | tuple):
            raise DistributionError("choice takes a list of weights, e.g. weights=[1, 2, 1]")
        values = {
            "values": tuple(map(float, choices)),
            "weights": tuple(map(float, weights or [1.0] * len(choices))),
            "stated_weights": bool(weights),
        }
    missing = [p for p in params if p not in values and not (cls is Normal and p in ("low", "high"))]
    if missing:
        raise DistributionError(f"{name} is missing {', '.join(missing)}; it takes ({', '.join(params)})")
    try:
        if cls is not Choice:
            values = {k: float(v) for k, v in values.items()}
        return cls(**values)
    except (TypeError, ValueError) as error:
        if isinstance(error, DistributionError):
            raise
        raise DistributionError(f"{name}: parameters must be numbers") from error
