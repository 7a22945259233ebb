"""Regenerate linear.csv, curve.csv and random.csv in this folder.

    uv run ./data/make_data.py

Each file has 200 rows "x,y,label" (no header): a point in the unit square
and its class, 0 or 1. The seed is fixed, so the files come out the same.
"""
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent
N_POINTS = 200
SEED = 0


def main():
    rng = np.random.default_rng(SEED)
    for name, make_labels in [("linear", linear), ("curve", curve), ("random", random)]:
        points = rng.random((N_POINTS, 2))
        labels = make_labels(points, rng)
        rows = np.column_stack([points, labels])
        np.savetxt(DATA_DIR / f"{name}.csv", rows, delimiter=",")
        print(f"{name}.csv: {len(rows)} points, {int(labels.sum())} with label 1")


def linear(points, rng):
    # Above the line y = 0.9x + 0.05 means 1, but near the line the label is a
    # coin flip that gets surer with distance: even the best straight line
    # keeps a loss of about 0.17, as in the book.
    distance = (points[:, 1] - 0.9 * points[:, 0] - 0.05) / np.hypot(1.0, 0.9)
    probability = 1.0 / (1.0 + np.exp(-20.0 * distance))
    return (rng.random(len(points)) < probability).astype(float)


def curve(points, rng):
    # Above a U-shaped curve means 1: no straight line can follow it.
    return (points[:, 1] > 3.5 * (points[:, 0] - 0.5) ** 2 + 0.15).astype(float)


def random(points, rng):
    # Labels that have nothing to do with the position: only memorising helps.
    return rng.integers(0, 2, len(points)).astype(float)


if __name__ == "__main__":
    main()
