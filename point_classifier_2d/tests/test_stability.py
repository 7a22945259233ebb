"""The loss of `complex` must never jump back up once it is low, for any seed,
on our curve.csv and on point sets made in other ways (see stability.py).

Training is chaotic: another machine (CPU, thread count, torch build) takes
another path from the same seed, so the floors are what a reader must never
see, with room: the spikes the recipe removed went up to 0.6-4.3, and the
worst we measure stays at or below 0.12. Run it a second way, with the matrix
products of an older CPU (another path, as on another machine), with
    MKL_ENABLE_INSTRUCTIONS=AVX2 uv run --group dev pytest tests/test_stability.py
(two threads instead of one take the very same path on our machine).

Each run is 20,001 epochs, so the runs are spread over worker processes (one
per CPU core, at most 4); every test below then checks its own run."""
import multiprocessing
import os
import statistics
from concurrent.futures import ProcessPoolExecutor

import pytest

from stability import SHAPES, complex_losses

CURVE_SEEDS = range(10)
SHAPE_SEEDS = range(3)
RUNS = [("curve", seed) for seed in CURVE_SEEDS] + [
    (shape, seed) for shape in SHAPES for seed in SHAPE_SEEDS]


@pytest.fixture(scope="module")
def losses():
    workers = min(4, os.cpu_count() or 1)
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: safe with torch
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
        results = pool.map(complex_losses, *zip(*RUNS))
        return dict(zip(RUNS, results))


LOW = 0.05          # once the loss has gone below this ...
NEVER_ABOVE = 0.15  # ... no later epoch may be above this (any seed, any data)


def worst_after_low(losses):
    """The highest loss of any epoch after the first one below LOW."""
    first_low = next((epoch for epoch, loss in enumerate(losses) if loss < LOW), None)
    assert first_low is not None, f"never below {LOW} (final {losses[-1]:.4f})"
    return first_low, max(losses[first_low:])


def assert_no_spike(losses):
    first_low, worst = worst_after_low(losses)
    assert worst <= NEVER_ABOVE, (
        f"back up to {worst:.3f} after first going below {LOW} at epoch {first_low}")


@pytest.mark.parametrize("seed", CURVE_SEEDS)
def test_complex_on_curve_never_jumps_back_up(losses, seed):
    assert len(losses["curve", seed]) == 20001
    assert_no_spike(losses["curve", seed])


def test_complex_on_curve_typical_worst_is_low(losses):
    worst = [worst_after_low(losses["curve", seed])[1] for seed in CURVE_SEEDS]
    assert statistics.median(worst) <= 0.08, [round(value, 3) for value in worst]


def test_complex_on_curve_ends_near_0_001(losses):
    finals = [losses["curve", seed][-1] for seed in CURVE_SEEDS]
    assert max(finals) < 0.02, finals
    assert statistics.median(finals) <= 0.003, finals


@pytest.mark.parametrize("shape, seed", [(shape, seed) for shape in SHAPES for seed in SHAPE_SEEDS])
def test_complex_on_other_point_sets_never_jumps_back_up(losses, shape, seed):
    assert_no_spike(losses[shape, seed])
