"""Make the article's blobs data set and draw it (training vs validation).

    uv run ./src/dump_points.py
    uv run ./src/dump_points.py --classes 4 --samples 800

make_data() is the article's data code; train.py imports it from here (with its
flags), so the data is made in exactly one place.
"""

import numpy as np
import torch
from sklearn.datasets import make_blobs
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from booktools.cli import Parser, add_figure_flags, fail
from figures.points import plot_data, show_points

# The article's values (the defaults of the flags).
CLASS_NUM = 3
FEATURE_NUM = 2
N_SAMPLES = 500
RANDOM_STATE = 42


def main(argv=None):
    args = parse_args(argv)
    train_data, val_data, train_labels, val_labels, scaler = make_data(
        args.classes, args.features, args.samples, args.data_seed)
    points = plot_data(train_data, val_data, train_labels, val_labels, scaler, args.classes)
    print_summary(points)
    show_points(points, args)


def parse_args(argv):
    parser = Parser(__file__, description="Make the make_blobs data of the chapter and plot it.")
    add_data_args(parser)
    add_figure_flags(parser)
    args = parser.parse_args(argv)
    check_data_args(args)
    return args


def add_data_args(parser):
    """The data flags, shared with train.py."""
    parser.add_argument("--samples", type=int, default=N_SAMPLES,
                        help=f"number of points (default {N_SAMPLES})")
    parser.add_argument("--classes", type=int, default=CLASS_NUM,
                        help=f"number of blobs = classes (default {CLASS_NUM})")
    parser.add_argument("--features", type=int, default=FEATURE_NUM,
                        help=f"number of features per point (default {FEATURE_NUM})")
    parser.add_argument("--data-seed", type=int, default=RANDOM_STATE,
                        help="random_state of make_blobs and train_test_split "
                             f"(default {RANDOM_STATE})")


def check_data_args(args):
    if args.classes < 2:
        fail(f"--classes must be at least 2, got {args.classes}")
    if args.samples < args.classes:
        fail(f"--samples ({args.samples}) must be at least --classes ({args.classes})")
    if args.features < 1:
        fail(f"--features must be at least 1, got {args.features}")


def make_data(class_num, feature_num, n_samples, random_state):
    # Make the data
    data, labels = make_blobs(n_samples=n_samples,
                              centers=class_num,
                              n_features=feature_num,
                              random_state=random_state)
    scaler = StandardScaler()  # 本との違い: kept, to scale --predict points and draw in original units
    data = scaler.fit_transform(data)

    # Split the data
    train_data, val_data, train_labels, val_labels = train_test_split(data, labels,
                                                                      test_size=0.2,
                                                                      random_state=random_state)

    # numpy arrays -> PyTorch tensors
    train_data = torch.tensor(train_data, dtype=torch.float32)
    train_labels = torch.tensor(train_labels, dtype=torch.long)
    val_data = torch.tensor(val_data, dtype=torch.float32)
    val_labels = torch.tensor(val_labels, dtype=torch.long)
    return train_data, val_data, train_labels, val_labels, scaler


def print_summary(points):
    n_train, n_val = len(points.train_y), len(points.val_y)
    print(f"Points: {n_train + n_val} ({n_train} training, {n_val} validation), "
          f"features: {points.features}, classes: {points.classes}")
    all_x = np.concatenate([points.raw_train, points.raw_val])
    all_y = np.concatenate([points.train_y, points.val_y])
    for k in range(points.classes):
        print(f"Class {k}: {np.sum(all_y == k)} points, "
              f"mean {format_point(all_x[all_y == k].mean(axis=0))}")
    print(f"StandardScaler mean {format_point(points.scaler.mean_)}, "
          f"std {format_point(points.scaler.scale_)}")
    print("First training points (original -> standardized, label):")
    for raw, scaled, label in zip(points.raw_train[:5], points.train_x[:5], points.train_y[:5]):
        print(f"  {format_point(raw)} -> {format_point(scaled)}, {label}")


def format_point(values):
    return "(" + ", ".join(f"{v:.2f}" for v in values) + ")"


if __name__ == "__main__":
    main()
