"""Long training runs for test_stability.py, and point sets made differently
from data/make_data.py, to check that the training recipe is not tuned to our
own files. They live here, not in the test file, so that worker processes can
import them."""
import numpy as np
import torch

from booktools.live import LiveView
import train
from conftest import set_up_like_train, DATA_DIR

N_POINTS = 200


def complex_losses(data, seed):
    """Train `complex` as train.py does at its default settings; every epoch's loss.
    data is a file of data/ ("curve") or one of SHAPES ("xor")."""
    if data in SHAPES:
        points, labels = (torch.from_numpy(array) for array in SHAPES[data]())
    else:
        points, labels = train.load_data(str(DATA_DIR / f"{data}.csv"))
    set_up_like_train(seed)
    model = train.construct_model("complex")
    live = LiveView(["loss"], 20001)  # draws nothing, keeps every epoch's loss
    train.train_model(model, points, labels, 20001, 0.003, live)
    return live.curves["loss"]


# Each point set: 200 points in the unit square, float32 like load_data returns.
def other_wave(seed=7):
    # Another noisy wave: other frequencies and phase, a steeper slope, and
    # 30 % of the labels within 0.1 of the boundary flipped, as in curve.csv.
    rng = np.random.default_rng(seed)
    points = rng.random((N_POINTS, 2))
    x = points[:, 0]
    boundary = 0.45 + 0.1 * x + 0.2 * np.cos(7 * x + 0.3) + 0.1 * np.sin(17 * x)
    above = points[:, 1] > boundary
    flipped = (np.abs(points[:, 1] - boundary) < 0.1) & (rng.random(N_POINTS) < 0.3)
    return as_float32(points, above != flipped)


def xor(seed=8):
    # Blue in the lower-left and upper-right quarters, red in the other two.
    rng = np.random.default_rng(seed)
    points = rng.random((N_POINTS, 2))
    return as_float32(points, (points[:, 0] > 0.5) == (points[:, 1] > 0.5))


def ring(seed=9):
    # Blue on a ring around the centre, red inside it and outside it.
    rng = np.random.default_rng(seed)
    points = rng.random((N_POINTS, 2))
    radius = np.hypot(points[:, 0] - 0.5, points[:, 1] - 0.5)
    return as_float32(points, (radius > 0.2) & (radius < 0.35))


def spirals(seed=10):
    # Two spirals wound into each other, one turn and a half each, with a
    # little jitter: the boundary between them winds around the centre.
    rng = np.random.default_rng(seed)
    half = N_POINTS // 2
    turn = np.sqrt(rng.random(half)) * 3 * np.pi
    arm = np.column_stack([np.cos(turn), np.sin(turn)]) * (turn / (3 * np.pi) * 0.45)[:, None]
    points = np.concatenate([arm, -arm]) + 0.5 + rng.normal(0, 0.01, (N_POINTS, 2))
    labels = np.concatenate([np.zeros(half, bool), np.ones(half, bool)])
    return as_float32(points, labels)


def as_float32(points, labels):
    return points.astype(np.float32), labels.astype(np.float32)


SHAPES = {"other_wave": other_wave, "xor": xor, "ring": ring, "spirals": spirals}
