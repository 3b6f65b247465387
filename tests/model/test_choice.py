import numpy as np
import pytest

from simulator.model.choice import CLOSED, choose, choose_erratically, probabilities, sigmoid


def uniforms(n, seed=0):
    return np.random.default_rng(seed).random(n)


def test_choices_follow_the_softmax_of_the_values():
    values = [np.full(200_000, 1.0), 0.0, np.full(200_000, -1.0)]
    chosen = choose(values, uniforms(200_000))
    expected = np.exp([1.0, 0.0, -1.0]) / np.exp([1.0, 0.0, -1.0]).sum()
    observed = np.bincount(chosen, minlength=3) / chosen.size
    assert np.allclose(observed, expected, atol=0.005)
    assert np.allclose(probabilities(values)[:, 0], expected)


def test_a_closed_option_is_never_chosen_and_one_uniform_decides():
    values = [CLOSED, np.zeros(10_000), np.zeros(10_000)]
    u = uniforms(10_000, 1)
    chosen = choose(values, u)
    assert not np.any(chosen == 0)
    assert np.array_equal(chosen, np.where(u < 0.5, 1, 2))


def test_large_values_are_safe():
    chosen = choose([np.full(4, 75.0), -300.0, CLOSED], np.array([0.0, 0.3, 0.7, 0.999]))
    assert np.array_equal(chosen, [0, 0, 0, 0])
    assert np.array_equal(choose([np.zeros(2), np.zeros(2)], np.array([0.25, 0.75])), [0, 1])
    assert np.array_equal(choose([np.full(2, 500.0), 0.0], np.array([0.1, 0.999])), [0, 0]), "capped, not overflowed"
    assert sigmoid(0.0) == pytest.approx(0.5)


def test_an_erratic_actor_reverses_to_another_open_option_at_the_stated_rate():
    n = 200_000
    last = np.zeros(n, dtype=np.int8)
    values = [np.full(n, 50.0), 0.0, CLOSED, 0.0]  # the logit alone would always keep option 0
    chosen = choose_erratically(values, uniforms(n, 2), 0.1, last)
    assert np.mean(chosen != 0) == pytest.approx(0.1, abs=0.004)
    assert not np.any(chosen == 2), "a closed option is never a reversal"
    reversed_to = chosen[chosen != 0]
    assert np.mean(reversed_to == 1) == pytest.approx(0.5, abs=0.02)
