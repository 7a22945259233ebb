"""Make the blobs data set of the chapter and draw it (training vs validation).

    uv run ./src/dump_points.py
    uv run ./src/dump_points.py --classes 4 --samples 800

train.py imports make_data() and its flags from here, so the data is made in
exactly one place.
"""

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from common import (Parser, add_figure_flags, fail, legend_handles, plot_points, points_title,
                    set_labels, show_or_save)

# The article's values.
SAMPLES = 500
CLASSES = 3
FEATURES = 2
DATA_SEED = 42
TEST_SIZE = 0.2


def main(argv=None):
    args = parse_args(argv)
    data = make_data(args.samples, args.classes, args.features, args.data_seed)
    print_summary(data)
    show_points(data, args)


def parse_args(argv):
    parser = Parser(description="Make the make_blobs data of the chapter and plot it.")
    add_data_args(parser)
    add_figure_flags(parser)
    args = parser.parse_args(argv)
    check_data_args(args)
    return args


def add_data_args(parser):
    """The data flags, shared with train.py."""
    parser.add_argument("--samples", type=int, default=SAMPLES,
                        help=f"number of points (default {SAMPLES})")
    parser.add_argument("--classes", type=int, default=CLASSES,
                        help=f"number of blobs = classes (default {CLASSES})")
    parser.add_argument("--features", type=int, default=FEATURES,
                        help=f"number of features per point (default {FEATURES})")
    parser.add_argument("--data-seed", type=int, default=DATA_SEED,
                        help="random_state of make_blobs and train_test_split "
                             f"(default {DATA_SEED})")


def check_data_args(args):
    if args.classes < 2:
        fail(f"--classes must be at least 2, got {args.classes}")
    if args.samples < args.classes:
        fail(f"--samples ({args.samples}) must be at least --classes ({args.classes})")
    if args.features < 1:
        fail(f"--features must be at least 1, got {args.features}")


def make_data(samples, classes, features, data_seed):
    """make_blobs -> StandardScaler -> 80/20 split, in the article's order."""
    raw, labels, centers = make_blobs(n_samples=samples, centers=classes,
                                      n_features=features, random_state=data_seed,
                                      return_centers=True)
    # The scaler is kept: train.py needs it to scale the --predict points the same way.
    scaler = StandardScaler()
    scaled = scaler.fit_transform(raw)
    # One call splits all three arrays with the same shuffle.
    raw_train, raw_val, train_x, val_x, train_y, val_y = train_test_split(
        raw, scaled, labels, test_size=TEST_SIZE, random_state=data_seed)
    return SimpleNamespace(classes=classes, features=features, scaler=scaler,
                           centers=centers, raw_train=raw_train, raw_val=raw_val,
                           train_x=train_x, val_x=val_x, train_y=train_y, val_y=val_y)


def print_summary(data):
    n_train, n_val = len(data.train_y), len(data.val_y)
    print(f"Points: {n_train + n_val} ({n_train} training, {n_val} validation), "
          f"features: {data.features}, classes: {data.classes}", flush=True)
    all_y = np.concatenate([data.train_y, data.val_y])
    for k, center in enumerate(data.centers):
        print(f"Class {k}: {np.sum(all_y == k)} points, centre {format_point(center)}",
              flush=True)
    print(f"StandardScaler mean {format_point(data.scaler.mean_)}, "
          f"std {format_point(data.scaler.scale_)}", flush=True)
    print("First training points (original -> standardized, label):", flush=True)
    for raw, scaled, label in zip(data.raw_train[:5], data.train_x[:5], data.train_y[:5]):
        print(f"  {format_point(raw)} -> {format_point(scaled)}, {label}", flush=True)


def show_points(data, args):
    fig, (ax_raw, ax_scaled) = plt.subplots(1, 2, figsize=(11, 4.8))
    plot_points(ax_raw, data.raw_train, data.train_y, data.raw_val, data.val_y, data.classes)
    plot_points(ax_scaled, data.train_x, data.train_y, data.val_x, data.val_y, data.classes)
    set_labels(ax_raw, data.features, "original units")
    set_labels(ax_scaled, data.features, "standardized")
    ax_raw.set_title(points_title("make_blobs data", data.features))
    ax_scaled.set_title(points_title("After StandardScaler", data.features))
    ax_raw.legend(handles=legend_handles(data.classes), fontsize="small")
    ax_scaled.legend(handles=legend_handles(data.classes), fontsize="small")
    fig.tight_layout()
    show_or_save(fig, args.save, args.no_show, "dump_points.png")


def format_point(values):
    return "(" + ", ".join(f"{v:.2f}" for v in values) + ")"


if __name__ == "__main__":
    main()
