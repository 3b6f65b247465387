import numpy as np
import pytest

from simulator.scenario.distributions import (
    Beta,
    Choice,
    DistributionError,
    Fixed,
    Normal,
    Triangular,
    Uniform,
    parse_assumption,
)

U = np.linspace(0.0005, 0.9995, 2000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (0.3, Fixed(0.3)),
        (2, Fixed(2.0)),
        ("uniform(0.1, 0.3)", Uniform(0.1, 0.3)),
        ("triangular(0, 0.05, 0.2)", Triangular(0, 0.05, 0.2)),
        ("beta(2, 40)", Beta(2, 40)),
        ("normal(0.1, 0.05, low=0, high=0.3)", Normal(0.1, 0.05, 0, 0.3)),
        ("choice([0.1, 0.2])", Choice((0.1, 0.2), (1.0, 1.0))),
        ({"dist": "beta", "a": 2, "b": 3}, Beta(2, 3)),
    ],
)
def test_parses_every_written_form(text, expected):
    assert parse_assumption(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("beta(0, 2)", "a > 0"),
        ("uniform(0.5, 0.1)", "low < high"),
        ("triangular(0, 0.5, 0.2)", "low <= mode <= high"),
        ("normal(0, -1)", "sd > 0"),
        ("normal(5, 0.1, low=0, high=1)", "no weight"),
        ("gamma(1, 2)", "unknown distribution"),
        ("beta(2)", "missing b"),
        ("uniform(0, 1, spread=2)", "no parameter 'spread'"),
        ("hello", "neither a number nor a distribution"),
        ("choice([0.1, 0.2], weights=[1])", "2 values but 1 weights"),
        (True, "true/false"),
        ("choice([0.1, None])", "parameters must be numbers"),
        ("beta({[1]: 2}, 3)", "arguments must be numbers"),
        ({"dist": "normal", "mean": float("nan"), "sd": 1, "low": 0, "high": 1}, "finite"),
        ({"dist": "beta", "a": float("inf"), "b": 1}, "finite"),
        (float("nan"), "finite number"),
    ],
)
def test_impossible_distributions_are_refused_with_the_reason(text, message):
    with pytest.raises(DistributionError, match=message):
        parse_assumption(text)


@pytest.mark.parametrize(
    "dist",
    [
        Uniform(0.1, 0.3),
        Triangular(0, 0.05, 0.2),
        Beta(2, 40),
        Normal(0.1, 0.05, 0, 0.3),
        Choice((0.1, 0.2, 0.4), (1, 2, 1)),
    ],
)
def test_inverse_transform_stays_in_support_and_is_monotone(dist):
    values = dist.ppf(U)
    lo, hi = dist.support()
    assert values.min() >= lo and values.max() <= hi
    assert np.all(np.diff(values) >= 0)


def test_sampled_moments_match_the_distribution():
    u = np.random.default_rng(1).random(200_000)
    assert dist_mean(Beta(2, 3), u) == pytest.approx(0.4, abs=0.005)
    assert dist_mean(Triangular(0, 0.3, 0.6), u) == pytest.approx(0.3, abs=0.005)
    assert dist_mean(Uniform(1, 3), u) == pytest.approx(2, abs=0.01)
    weights = Choice((1.0, 2.0), (3, 1)).ppf(u)
    assert np.mean(weights == 1.0) == pytest.approx(0.75, abs=0.005)


def dist_mean(dist, u):
    return float(dist.ppf(u).mean())


def test_written_form_round_trips():
    for text in [
        "uniform(0.1, 0.3)",
        "beta(2, 40)",
        "normal(0.1, 0.05, low=0, high=0.3)",
        "triangular(0, 0.05, 0.2)",
        "choice([0.1, 0.2], weights=[1, 3])",
    ]:
        assert parse_assumption(str(parse_assumption(text))) == parse_assumption(text)
