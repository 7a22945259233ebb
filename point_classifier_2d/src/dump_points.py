"""Draw the points of a CSV file: label 0 in red, label 1 in blue.

    uv run ./src/dump_points.py ./data/linear.csv

train.py reuses load_data, draw_points and show_or_save from this file.
"""
import argparse
import csv
import math
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

CHAPTER_DIR = Path(__file__).resolve().parent.parent
OUTPUT_DIR = CHAPTER_DIR / "outputs"
# Backends that cannot open a window (SSH, CI, MPLBACKEND=Agg): save instead.
NON_INTERACTIVE = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}


def main(argv=None):
    parser = Parser(description="Draw the points of an x,y,label CSV file.")
    parser.add_argument("csv", help="CSV file with rows x,y,label (label 0 or 1)")
    add_figure_flags(parser)
    args = parser.parse_args(argv)

    points, labels = load_data(args.csv)
    fig, ax = plt.subplots(figsize=(7, 5.6))
    draw_points(ax, points, labels)
    ax.set_title(f"{Path(args.csv).name}: {len(labels)} points")
    fig.tight_layout()
    show_or_save(fig, args.save, args.no_show, f"points_{Path(args.csv).stem}.png")


def add_figure_flags(parser):
    parser.add_argument("--save", type=png_path, metavar="PATH",
                        help="also write the figure to this .png file")
    parser.add_argument("--no-show", action="store_true",
                        help="do not open a window (the figure is still saved with --save)")


def load_data(path):
    """Read rows of x,y,label. Returns points (N x 2) and labels (N), float32."""
    try:
        with open(path, encoding="utf-8", newline="") as file:
            rows = [row for row in csv.reader(file) if row]
    except FileNotFoundError:
        fail(f"{path}: no such file (check the path, e.g. ./data/linear.csv)")
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


def show_or_save(fig, save_path, no_show, default_name):
    """Save the figure when asked or when no window can open, then show it."""
    can_show = plt.get_backend().lower() not in NON_INTERACTIVE
    if save_path is None and not can_show:
        save_path = OUTPUT_DIR / default_name
    if save_path is not None:
        save_path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(save_path, dpi=100)
        print(f"Saved figure to {save_path}", flush=True)
    if can_show and not no_show:
        plt.show()
    plt.close(fig)


def png_path(text):
    # Only .png: a typo in --save must never overwrite the reader's CSV.
    if not text.lower().endswith(".png"):
        raise argparse.ArgumentTypeError(f"--save needs a .png file name, got {text!r}")
    return Path(text)


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of the usage dump
        self.exit(2, f"error: {message} (see --help)\n")


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    main()
