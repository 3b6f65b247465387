"""Conditioning on evidence: a particle filter over a model's worlds, from the start month to ``as_of``.

Each month through ``evidence.as_of`` the worlds advance one step and are
weighted by how likely that month's observations are in each (``likelihood``):
the record says an event happened, or (for the events it watches) that it did
not, or what the level or the war's state was, and is wrong with the stated
chance ``evidence.error``, so no world's weight is ever zero. When the
effective number of worlds, ``1 / sum(w^2)`` of the normalised weights, falls
below ``evidence.resample_below`` of them, and always at ``as_of``, the worlds
are resampled: systematic resampling picks which worlds go on, by index, and
``selection.select`` copies them whole (level, phase, the war and who holds
office travel with their world, never mixed). Each resampling then
rejuvenates the worlds' drawn parameters with Liu and West's (2001) shrinkage
kernel, so that copies of one world do not all keep one draw and the
posterior does not collapse onto a few. From ``as_of`` on the worlds are
equally weighted, and the forecast goes on as in any run.

Every random number here is a pure function of the seed, the filter's block
of worlds and the month: the resampling's one uniform, and each world's
jitter from its own named stream. A filter conditions a fixed block of
worlds (``evidence.filter_worlds``), so neither chunks nor workers change it
(docs/evidence.md).

Sources: Liu, J. and West, M. (2001), "Combined parameter and state estimation
in simulation-based filtering"; Kitagawa (1996) for systematic resampling;
Oswald, Malleson and Suchak (JASSS 2024) for particle filters on agent-based models.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from scipy import special

from simulator.model.arrays import REAL
from simulator.model.events import WatchedEventLog
from simulator.model.model import RelationsModel
from simulator.model.randomness import BLOCK, stream_key
from simulator.model.selection import select
from simulator.scenario import Scenario, assumptions
from simulator.scenario.distributions import Choice
from simulator.scenario.domains import domains
from simulator.scenario.evidence import Evidence, Observation
from simulator.vocabulary import LEVELS, WAR_STATES

#: The stream whose one number a month places the systematic resampling's comb.
RESAMPLE_STREAM = "evidence:resample"

#: Below this share of the worlds left effective after an update, a run warns that the evidence left too few to trust.
TOO_FEW = 0.1

#: ... or below this many effective worlds, whatever their share.
FEWEST = 100


@dataclass(frozen=True)
class MonthEvidence:
    """What is observed in one month: events that happened or did not, the level, the war's state."""

    events: dict[str, bool]
    level: int | None
    war: int | None


def by_month(evidence: Evidence, start_month: int, months: int) -> list[MonthEvidence]:
    """The evidence of each month from the start through ``as_of`` (``months`` of them)."""
    watched = evidence.watched()
    found: list[list[Observation]] = [[] for _ in range(months)]
    for observation in evidence.observed:
        found[observation.month.ordinal - start_month].append(observation)
    result = []
    for seen in found:
        events = dict.fromkeys(watched, False)
        events |= {o.event: o.happened for o in seen if o.event is not None}
        level = next((LEVELS.index(o.level) for o in seen if o.level is not None), None)
        war = next((WAR_STATES.index(o.war) for o in seen if o.war is not None), None)
        result.append(MonthEvidence(events, level, war))
    return result


def log_likelihood(model: RelationsModel, now: dict[str, np.ndarray], seen: MonthEvidence, error: float) -> np.ndarray:
    """The log-likelihood of one month's observations in each world, the record wrong with chance ``error``.

    ``now`` holds, by watched event, the worlds where it happened this month (``WatchedEventLog.now``).

    A wrong level (war state) is any other with equal chance, so a world at another level
    than the one observed has likelihood ``error / (levels - 1)``.
    """
    right, wrong = np.log1p(-error), np.log(error)
    total = np.zeros(model.worlds)
    for event, happened in seen.events.items():
        total += np.where(now[event] == happened, right, wrong)
    for observed, state, kinds in ((seen.level, model.state.level, LEVELS), (seen.war, model.state.war, WAR_STATES)):
        if observed is not None:
            total += np.where(state == observed, right, wrong - np.log(len(kinds) - 1))
    return total


def effective_worlds(weights: np.ndarray) -> float:
    """The effective sample size of normalised weights: ``1 / sum(w^2)``."""
    return float(1 / np.sum(weights**2))


def systematic(weights: np.ndarray, u: float) -> np.ndarray:
    """Systematic resampling: the index of the world each of ``len(weights)`` positions copies.

    One comb of evenly spaced teeth, offset by ``u`` in [0, 1), over the cumulative weights:
    a world of weight ``w`` is copied ``floor(n w)`` or ``ceil(n w)`` times, and in order.
    """
    n = len(weights)
    edges = np.cumsum(weights)
    edges[-1] = 1.0  # no tooth falls past the end by rounding
    return np.searchsorted(edges, (u + np.arange(n)) / n, side="right").clip(0, n - 1)


class Filter:
    """Conditions one model's worlds on a scenario's evidence, month by month, through ``as_of``.

    Attributes:
        effective: the effective number of worlds after each month's update, before any resampling.
        resampled: the months (from the start) at which the worlds were resampled.
        ancestors: the world (number in the run) each world descends from, by copies.
        watched: the model's event log, which also keeps the worlds where each observed event happened this month.
    """

    def __init__(self, model: RelationsModel) -> None:
        spec = model.spec
        evidence = spec.evidence
        if evidence is None:
            raise ValueError(f"scenario {spec.name!r} has no evidence to condition on")
        self.model, self.evidence = model, evidence
        self.months = evidence.as_of.minus(spec.start) + 1
        self.seen = by_month(evidence, spec.start.ordinal, self.months)
        observed = {event for month in self.seen for event in month.events}
        self.watched = WatchedEventLog(model.events, tuple(sorted(observed)))
        model.events = self.watched
        self.log_weights = np.zeros(model.worlds)
        self.effective = np.zeros(self.months)
        self.resampled: list[int] = []
        self.ancestors = np.arange(model.first_world, model.first_world + model.worlds, dtype=np.int64)
        self.jittered = jittered_paths(spec, model.draws, evidence.as_of.minus(spec.start))

    def run(self, progress: Callable[[int], None] | None = None) -> None:
        """Advance the model through ``as_of``, weighting and resampling its worlds each month."""
        model = self.model
        for month in range(self.months):
            self.watched.clear()
            model.step()
            if progress is not None:
                progress(model.worlds)
            self.update(month)

    def update(self, month: int) -> None:
        """Weight the worlds by this month's evidence; resample (and rejuvenate) if too few are effective."""
        self.log_weights += log_likelihood(self.model, self.watched.now, self.seen[month], self.evidence.error)
        weights = np.exp(self.log_weights - self.log_weights.max())
        weights /= weights.sum()
        self.effective[month] = effective_worlds(weights)
        last = month == self.months - 1
        if self.effective[month] < self.evidence.resample_below * self.model.worlds or (last and _uneven(weights)):
            self.resample(weights, month)

    def resample(self, weights: np.ndarray, month: int) -> None:
        """Copy worlds in proportion to their weights, then jitter their drawn parameters (Liu-West)."""
        model = self.model
        comb = _generator(model, RESAMPLE_STREAM, month).random()
        index = systematic(weights, comb)
        select(model, index)
        self.ancestors = self.ancestors[index]
        self.log_weights[:] = 0.0
        self.resampled.append(month)
        self.rejuvenate(month)

    def rejuvenate(self, month: int) -> None:
        """Move each world's drawn parameters by Liu and West's kernel, within their domain.

        ``theta' = a theta + (1 - a) mean + sqrt(1 - a^2) sd z``: the spread of the
        parameters over worlds is kept (the shrinkage toward the mean offsets the
        jitter's), and copies of one world part ways. ``z`` is each world's own
        normal number from the stream ``evidence:jitter:PATH`` of the month.
        """
        a = self.evidence.shrinkage
        if a >= 1 or not self.jittered:
            return
        model = self.model
        for path, (low, high) in self.jittered.items():
            theta = np.asarray(model.draws[path], dtype=np.float64)
            spread = theta.std()
            if not spread > 0:
                continue
            u = model.streams.uniform(f"evidence:jitter:{path}").astype(np.float64) + 2.0**-25
            moved = a * theta + (1 - a) * theta.mean() + np.sqrt(1 - a * a) * spread * special.ndtri(u)
            moved = _reflect(moved, low, high)
            model.draws[path] = moved
            model.p.set(path, moved.astype(REAL))
        model.refresh()


def jittered_paths(spec: Scenario, draws: dict, until: int) -> dict[str, tuple[float, float]]:
    """The drawn parameters a resampling rejuvenates, with the bounds they stay within.

    Every assumption drawn per world (a distribution, or a posterior sample's column), but
    the start's numbers (``initial``: they are the state by now), choices among a few values,
    and those a scheduled change replaces by ``until`` (the change's value is what counts).
    """
    changed = {path for item in spec.schedule if item.month.minus(spec.start) <= until for path in item.set}
    kinds = dict(assumptions(spec))
    bounds = domains(spec)
    found = {}
    for path, value in draws.items():
        if np.ndim(value) == 0 or path.startswith("initial.") or path in changed:
            continue
        if isinstance(kinds.get(path), Choice):
            continue
        found[path] = bounds.get(path, (-np.inf, np.inf))
    return found


def _reflect(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Values folded back into [low, high] at the bound they crossed (clipped if they crossed both)."""
    if np.isfinite(low):
        values = np.where(values < low, 2 * low - values, values)
    if np.isfinite(high):
        values = np.where(values > high, 2 * high - values, values)
    return np.clip(values, low, high)


def _uneven(weights: np.ndarray) -> bool:
    """Whether the weights differ at all (equal weights need no resampling)."""
    return bool(np.ptp(weights) > 0)


def _generator(model: RelationsModel, name: str, month: int) -> np.random.Generator:
    """A generator for the filter's own decisions: a function of the seed, the filter's block and the month."""
    key = (model.first_world // BLOCK, stream_key(name), month)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(model.streams.seed, spawn_key=key)))


def weakest(effective: Iterable[float]) -> float:
    """The fewest effective worlds after any update (0 with none)."""
    return min(effective, default=0.0)
