"""Train SimpleClassifier (one nn.Linear) on the three blobs and validate it.

    uv run ./src/train.py
    uv run ./src/train.py --predict 1.5 -3.0
    uv run ./src/train.py --hidden 16

--seed sets the model's random initial weights; the data itself is fixed by
--data-seed (make_blobs and train_test_split, 42 as in the article).
"""

import math
import random
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from matplotlib.lines import Line2D

from common import (LiveView, Parser, add_figure_flags, can_show, class_color, class_colormap,
                    fail, legend_handles, plane, plot_points, points_title, set_labels,
                    show_or_save)
from dump_points import add_data_args, check_data_args, make_data

# The article's hyperparameters.
EPOCHS = 1000
LEARNING_RATE = 0.01
PRINT_EVERY = 100
SEED = 0
GRID_SIZE = 300  # the decision regions are drawn on a 300 x 300 grid


def main(argv=None):
    args = parse_args(argv)
    seed_everything(args.seed)
    # These tensors are tiny: extra CPU threads only add waiting (10x slower on a busy machine).
    torch.set_num_threads(1)
    data = make_data(args.samples, args.classes, args.features, args.data_seed)
    tensors = to_tensors(data)
    model = construct_model(args.features, args.hidden, args.classes)
    print(model, flush=True)
    print(f"Parameters: {sum(p.numel() for p in model.parameters()):,}", flush=True)
    print(f"Training points: {len(data.train_y)}, validation points: {len(data.val_y)}",
          flush=True)
    loss_function = nn.CrossEntropyLoss()
    live = start_live_view(model, data, args)
    history = train_model(model, loss_function, tensors, args.epochs, args.lr, live)
    live.finish()
    evaluate(model, loss_function, tensors)
    predictions = predict_points(model, data.scaler, args.predict)
    show_results(model, data, history, predictions, args)


def parse_args(argv):
    parser = Parser(description="Train a classifier on make_blobs data "
                                "(--seed: model init, --data-seed: the data).")
    add_data_args(parser)
    parser.add_argument("--epochs", type=int, default=EPOCHS,
                        help=f"full-batch training epochs (default {EPOCHS})")
    parser.add_argument("--lr", type=float, default=LEARNING_RATE,
                        help=f"SGD learning rate (default {LEARNING_RATE})")
    parser.add_argument("--hidden", type=int, default=None,
                        help="add one hidden layer of this many ReLU units (default: none)")
    parser.add_argument("--predict", action="append", nargs="+", type=float, metavar="X",
                        help="classify a point given in original units, e.g. --predict 1.5 -3.0 "
                             "(one number per feature; repeatable)")
    parser.add_argument("--seed", type=int, default=SEED,
                        help=f"seed for the model's initial weights (default {SEED})")
    add_figure_flags(parser, live=True)
    args = parser.parse_args(argv)
    check_data_args(args)
    if args.epochs <= 0:
        fail(f"--epochs must be positive, got {args.epochs}")
    if not (args.lr > 0 and math.isfinite(args.lr)):
        fail(f"--lr must be a positive number, got {args.lr}")
    if args.hidden is not None and args.hidden <= 0:
        fail(f"--hidden must be positive, got {args.hidden}")
    for point in args.predict or []:
        if len(point) != args.features:
            fail(f"--predict needs {args.features} numbers (one per feature), got {len(point)}")
    return args


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def to_tensors(data):
    # Done once: the whole data set fits in one batch.
    return (torch.tensor(data.train_x, dtype=torch.float32),
            torch.tensor(data.train_y, dtype=torch.long),
            torch.tensor(data.val_x, dtype=torch.float32),
            torch.tensor(data.val_y, dtype=torch.long))


def construct_model(features, hidden, classes):
    if hidden is None:
        return SimpleClassifier(features, classes)
    return HiddenLayerClassifier(features, hidden, classes)


def train_model(model, loss_function, tensors, epochs, lr, live=None):
    train_x, train_y, val_x, val_y = tensors
    optimizer = optim.SGD(model.parameters(), lr=lr)
    history = {"training": [], "validation": []}
    live = live or LiveView()  # LiveView() draws nothing
    try:
        for epoch in range(epochs):
            model.train()
            optimizer.zero_grad()
            predictions = model(train_x)
            loss = loss_function(predictions, train_y)
            loss.backward()
            optimizer.step()
            history["training"].append(loss.item())
            # The validation loss is only watched, never trained on.
            model.eval()
            with torch.no_grad():
                history["validation"].append(loss_function(model(val_x), val_y).item())
            live.update(epoch, history)  # redraws the figure now and then
            if (epoch + 1) % PRINT_EVERY == 0 or epoch + 1 == epochs:
                print(f"Epoch: {epoch + 1}, Loss: {loss.item():.4f}", flush=True)
    except KeyboardInterrupt:
        print(f"Interrupted after {len(history['training'])} epochs: "
              "showing what was learned so far", flush=True)
    return history


def evaluate(model, loss_function, tensors):
    _, _, val_x, val_y = tensors
    model.eval()
    with torch.no_grad():
        val_predictions = model(val_x)
        val_loss = loss_function(val_predictions, val_y)
        # Index of the largest score in each row = the predicted class.
        _, predicted_labels = torch.max(val_predictions, 1)
        correct = (predicted_labels == val_y).sum().item()
        accuracy = correct / len(val_y)
    print(f"Validation Loss: {val_loss.item():.4f}, Accuracy: {accuracy:.4f}", flush=True)


def predict_points(model, scaler, points):
    """Classify reader-given points; they are in original units, so scale them first."""
    if not points:
        return []
    raw = np.array(points, dtype=float)
    x = torch.tensor(scaler.transform(raw), dtype=torch.float32)
    model.eval()
    with torch.no_grad():
        # The model returns scores (logits); softmax turns them into probabilities.
        probabilities, classes = torch.max(torch.softmax(model(x), dim=1), 1)
    results = []
    for point, k, p in zip(points, classes.tolist(), probabilities.tolist()):
        print(f"({', '.join(str(v) for v in point)}) -> class {k} (p={p:.2f})", flush=True)
        results.append((np.array(point), k, p))
    return results


def start_live_view(model, data, args):
    """The figure of show_results, updated while training runs (in a window and/or a GIF)."""
    window = can_show() and not args.no_show and not args.no_live
    if not window and args.gif is None:
        return LiveView()
    fig, (ax_plane, ax_loss) = plt.subplots(1, 2, figsize=(11, 4.8))
    xlim, ylim = plot_limits(data, args.predict)
    changing = []
    if data.features <= 2:
        grid, grid_x, _ = make_grid(data, xlim, ylim)
        # The regions' colours as an image: new image data is much cheaper than a new contourf.
        image = ax_plane.imshow(np.zeros(grid_x.shape), cmap=class_colormap(data.classes, 0.2),
                                vmin=-0.5, vmax=data.classes - 0.5, origin="lower",
                                extent=(*xlim, *ylim), aspect="auto", interpolation="nearest")
        changing = [image]
    draw_axes(ax_plane, ax_loss, data, [], xlim, ylim, args)
    train_line, = ax_loss.plot([], [], label="training")
    val_line, = ax_loss.plot([], [], label="validation")
    ax_loss.legend()
    ax_loss.set_xlim(1, args.epochs)
    ax_loss.set_ylim(0, 1)  # raised by redraw() when a loss is higher
    fig.tight_layout()
    # Drawn again after the image, so the points and the legend stay on top of it.
    changing += [*ax_plane.collections, ax_plane.get_legend(), *ax_plane.spines.values()]

    def redraw(epoch, history):
        if data.features <= 2:
            image.set_data(predict_grid(model, grid, grid_x.shape))
        epochs = range(1, len(history["training"]) + 1)
        train_line.set_data(epochs, history["training"])
        val_line.set_data(epochs, history["validation"])
        top = max(history["training"] + history["validation"])
        if math.isfinite(top) and top > ax_loss.get_ylim()[1]:  # a new range: full redraw
            ax_loss.set_ylim(0, top * 1.1)
        ax_loss.set_title(f"Loss (SGD, lr={args.lr}), epoch {epoch + 1}: "
                          f"{history['training'][-1]:.4f}")
        return [*changing, train_line, val_line, ax_loss.get_legend(), ax_loss.title]

    return LiveView(fig, redraw, args.epochs, window=window, gif=args.gif)


def show_results(model, data, history, predictions, args):
    fig, (ax_plane, ax_loss) = plt.subplots(1, 2, figsize=(11, 4.8))
    xlim, ylim = plot_limits(data, args.predict)
    if data.features <= 2:
        draw_regions(ax_plane, model, data, xlim, ylim)
    draw_axes(ax_plane, ax_loss, data, predictions, xlim, ylim, args)
    epochs = range(1, len(history["training"]) + 1)
    ax_loss.plot(epochs, history["training"], label="training")
    ax_loss.plot(epochs, history["validation"], label="validation")
    ax_loss.set_title(f"Loss (SGD, lr={args.lr})")
    ax_loss.legend()
    fig.tight_layout()
    show_or_save(fig, args.save, args.no_show, "train.png")


def draw_axes(ax_plane, ax_loss, data, predictions, xlim, ylim, args):
    """What the live and the final figure share: points, stars, labels, legend."""
    if data.features <= 2:
        title = f"Decision regions: {describe(args.hidden)}"
    else:
        title = points_title(f"No decision regions ({describe(args.hidden)}, "
                             f"{data.features} features)", data.features)
    plot_points(ax_plane, data.raw_train, data.train_y, data.raw_val, data.val_y, data.classes)
    handles = legend_handles(data.classes)
    for point, k, p in predictions:
        px, py = plane(point[None, :], np.array([k]))
        ax_plane.scatter(px, py, s=260, marker="*", color="yellow", edgecolor="black", zorder=3)
        ax_plane.annotate(f"class {k} (p={p:.2f})", (px[0], py[0]), xytext=(8, 8),
                          textcoords="offset points", fontsize="small",
                          bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8})
    if predictions:
        handles.append(Line2D([], [], linestyle="", marker="*", markersize=12, color="yellow",
                              markeredgecolor="black", label="--predict"))
    ax_plane.set_xlim(xlim)
    ax_plane.set_ylim(ylim)
    set_labels(ax_plane, data.features, "original units")
    ax_plane.set_title(title)
    ax_plane.legend(handles=handles, fontsize="small")

    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("cross-entropy loss")


def describe(hidden):
    return "linear model" if hidden is None else f"hidden layer of {hidden} (ReLU)"


def plot_limits(data, predict):
    """Axis ranges that hold every point, the --predict stars included, with a margin."""
    stars = np.reshape(predict or [], (-1, data.features))
    x = np.concatenate([data.raw_train, data.raw_val, stars])
    # With 1 feature the vertical axis is the class: a star's class lies in the labels' range.
    y = np.concatenate([data.train_y, data.val_y, np.zeros(len(stars))])
    px, py = plane(x, y)
    limits = []
    for v in (px, py):
        margin = 0.1 * (v.max() - v.min()) + 0.5
        limits.append((v.min() - margin, v.max() + margin))
    return limits


def make_grid(data, xlim, ylim):
    """Grid points over the plot: standardized like the data, as a tensor; and their x, y."""
    gx, gy = np.meshgrid(np.linspace(*xlim, GRID_SIZE), np.linspace(*ylim, GRID_SIZE))
    if data.features == 2:
        grid = np.column_stack([gx.ravel(), gy.ravel()])
    else:  # one feature: the vertical axis is not an input, so regions are vertical bands
        grid = gx.ravel()[:, None]
    return torch.tensor(data.scaler.transform(grid), dtype=torch.float32), gx, gy


def predict_grid(model, grid, shape):
    """The class the model picks at each grid point."""
    with torch.no_grad():
        return model(grid).argmax(dim=1).numpy().reshape(shape)


def draw_regions(ax, model, data, xlim, ylim):
    """Colour the plane by the class the model picks at each grid point."""
    grid, gx, gy = make_grid(data, xlim, ylim)
    region = predict_grid(model, grid, gx.shape)
    ax.contourf(gx, gy, region, levels=np.arange(data.classes + 1) - 0.5,
                colors=[class_color(k) for k in range(data.classes)], alpha=0.2)


class SimpleClassifier(nn.Module):
    """The article's model: one fully connected layer from features to class scores."""

    def __init__(self, input_size, output_size):
        super().__init__()
        self.fc = nn.Linear(input_size, output_size)

    def forward(self, x):
        return self.fc(x)


class HiddenLayerClassifier(nn.Module):
    """For comparison: one hidden layer with ReLU between input and output."""

    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.fc2 = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


if __name__ == "__main__":
    main()
