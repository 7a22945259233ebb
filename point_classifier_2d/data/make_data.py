"""Regenerate linear.csv, curve.csv and random.csv in this folder.

    uv run ./data/make_data.py

Each file has 200 rows "x,y,label" (no header): a point in the unit square
and its class, 0 or 1. The seed is fixed, so the files come out the same.

Like the data in the book, the two files with a rule are noisy: a point
closer than NEAR to the boundary gets the other label with probability FLIP.
So even the best boundary gets a few points wrong, and a model that scores
every point right has learned those few by heart.
"""
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent
N_POINTS = 200
SEED = 9
NEAR = 0.1
FLIP = 0.3


def main():
    rng = np.random.default_rng(SEED)
    for name, boundary in [("linear", line), ("curve", wave), ("random", None)]:
        points = rng.random((N_POINTS, 2))
        if boundary is None:
            # Labels that have nothing to do with the position: only memorising helps.
            labels = rng.integers(0, 2, N_POINTS)
        else:
            labels = noisy_labels(points, boundary(points[:, 0]), rng)
        rows = np.column_stack([points, labels.astype(float)])
        np.savetxt(DATA_DIR / f"{name}.csv", rows, delimiter=",")
        print(f"{name}.csv: {len(rows)} points, {int(labels.sum())} with label 1")


def line(x):
    return 0.8 * x + 0.1


def wave(x):
    # A few waves added up: several bumps across the square, around y = 0.5.
    return 0.5 + 0.3 * np.sin(9 * x) + 0.15 * np.cos(14 * x + 1.0) + 0.06 * np.sin(23 * x)


def noisy_labels(points, boundary_y, rng):
    # Above the boundary means 1. The boundary itself wobbles a little from
    # point to point, and near it some labels are flipped.
    boundary_y = boundary_y + rng.normal(0, 0.02, len(points))
    above = points[:, 1] > boundary_y
    near = np.abs(points[:, 1] - boundary_y) < NEAR
    flipped = near & (rng.random(len(points)) < FLIP)
    return (above != flipped).astype(int)


if __name__ == "__main__":
    main()
