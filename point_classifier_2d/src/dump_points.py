"""Draw the points of a CSV file: label 0 in red, label 1 in blue.

    uv run ./src/dump_points.py ./data/linear.csv

train.py reuses load_data and draw_points from this file.
"""
import csv
import math
from pathlib import Path

import numpy as np

from booktools.cli import Parser, add_figure_flags, fail
from booktools.figures import show_or_save
from booktools.hints import missing_file

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def main(argv=None):
    parser = Parser(__file__, description="Draw the points of an x,y,label CSV file.")
    parser.add_argument("csv", help="CSV file with rows x,y,label (label 0 or 1)")
    add_figure_flags(parser)
    args = parser.parse_args(argv)

    points, labels = load_data(args.csv)
    import matplotlib.pyplot as plt  # here, not at the top: --help answers without it

    fig, ax = plt.subplots(figsize=(7, 5.6))
    draw_points(ax, points, labels)
    ax.set_title(f"{Path(args.csv).name}: {len(labels)} points")
    fig.tight_layout()
    show_or_save(fig, args, f"points_{Path(args.csv).stem}.png")


def load_data(path):
    """Read rows of x,y,label. Returns points (N x 2) and labels (N), float32."""
    try:
        with open(path, encoding="utf-8", newline="") as file:
            rows = [row for row in csv.reader(file) if row]
    except FileNotFoundError:  # where it looked, and the CSV files there and in data/
        fail(missing_file(path, also=[DATA_DIR]))
    except (OSError, UnicodeDecodeError) as error:
        fail(f"{path}: cannot read it as a text CSV file ({error})")

    # A header line such as "x,y,label" is skipped: it holds no numbers at all.
    if rows and not any(is_number(cell) for cell in rows[0]):
        rows = rows[1:]
    if not rows:
        fail(f"{path}: no data rows (expected lines like 0.25,0.75,1)")

    values = []
    for line_number, row in enumerate(rows, start=1):
        if len(row) != 3:
            fail(f"{path}: row {line_number} has {len(row)} columns, expected 3 (x,y,label)")
        for cell in row:
            if not is_number(cell):
                fail(f"{path}: row {line_number}: {cell.strip()!r} is not a number")
        x, y, label = (float(cell) for cell in row)
        if label not in (0.0, 1.0):
            fail(f"{path}: row {line_number}: label must be 0 or 1, found {row[2].strip()}")
        values.append((x, y, label))

    if len(values) == 1:
        fail(f"{path}: only 1 data row; at least 2 points are needed")
    data = np.array(values, dtype=np.float32)
    return data[:, :2], data[:, 2]


def is_number(cell):
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False


def draw_points(ax, points, labels):
    for label, color in [(0, "red"), (1, "blue")]:
        chosen = labels == label
        ax.scatter(points[chosen, 0], points[chosen, 1], c=color, s=18,
                   edgecolors="black", linewidths=0.4, label=f"label {label}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_aspect("equal")
    # Outside the square, so the legend never hides a point.
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)


if __name__ == "__main__":
    main()
