"""The learning-rate exercise of README.md: what holds on every CPU and torch version.

The exact losses move from one float path to another (README: 「学習率を変える」), so
these tests check the order of the three learning rates and the shape of the curves,
with wide margins, not one machine's digits. 2,001 epochs each, as the README's
commands. Measured (seed 0; Intel AVX-512 / AVX2 kernels / torch 2.5.1): see README.
"""
import pytest
import torch

from booktools.live import LiveView
import train
from conftest import set_up_like_train, DATA_DIR


def losses_at(lr, constant=False, epochs=2001):
    """Every epoch's loss of complex on curve.csv. constant=True: the learning rate is
    never lowered, as when the reader comments out `scheduler.step()`."""
    set_up_like_train(0)
    points, labels = train.load_data(str(DATA_DIR / "curve.csv"))
    model = train.construct_model("complex")
    live = LiveView(["loss"], epochs)  # keeps the losses, draws nothing
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR
    if constant:  # a schedule that keeps lr as it is
        torch.optim.lr_scheduler.CosineAnnealingLR = (
            lambda optimizer, epochs: torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0))
    try:
        train.train_model(model, points, labels, epochs, lr, live)
    finally:
        torch.optim.lr_scheduler.CosineAnnealingLR = cosine
    return live.curves["loss"]


@pytest.fixture(scope="module")
def runs():
    return {(lr, constant): losses_at(lr, constant)
            for lr, constant in [(0.0003, False), (0.003, False), (0.1, False), (0.1, True)]}


def test_the_larger_the_rate_the_lower_the_loss_after_2000_epochs(runs):
    # Measured at epoch 2000: 0.208 / 0.043 / 0.0002-0.007 (every machine we tried).
    small, default, large = (runs[lr, False][-1] for lr in (0.0003, 0.003, 0.1))
    assert small > 0.15
    assert 0.02 < default < 0.08
    assert large < 0.02
    assert small > 2 * default > 2 * large


def test_the_too_small_rate_falls_slowly(runs):
    losses = runs[0.0003, False]
    assert losses[1000] > 0.15 and losses[1000] - losses[2000] < 0.05


def test_a_large_rate_settles_only_when_it_is_lowered(runs):
    # The last 500 epochs. Lowered to 0: smooth (measured max 0.011).
    lowered = runs[0.1, False][-500:]
    assert max(lowered) < 0.03
    # Kept at 0.1: spikes to the end (measured max 0.18-0.64, each at least 30x the minimum).
    constant = runs[0.1, True][-500:]
    assert max(constant) > 0.08
    assert max(constant) > 10 * min(constant)
