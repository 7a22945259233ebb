"""Train a model that splits 2D points into two classes, then draw what it learned.

    uv run ./src/train.py ./data/linear.csv simple
    uv run ./src/train.py ./data/curve.csv complex
"""
import math
import random
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from contourpy import contour_generator  # matplotlib's own contour code, without the overhead
from matplotlib.collections import LineCollection

from common import (LiveView, Parser, add_figure_flags, can_show, fail, show_or_save,
                    stepped_colormap)
from dump_points import draw_points, load_data

MODELS = ["simple", "complex"]
GRID_SIZE = 200  # the model's probability is drawn on a 200 x 200 grid ...
LIVE_GRID_SIZE = 64  # ... and on a coarser one while training (10 times fewer points to ask)
# The colours of the final figure's contourf (ten bands of RdBu, alpha 0.35 on white),
# as a colormap for the live image.
SHADES = stepped_colormap("RdBu", 10, alpha=0.35)


def main(argv=None):
    args = parse_args(argv)
    set_seed(args.seed)
    points, labels = load_data(args.csv)
    points, labels = torch.from_numpy(points), torch.from_numpy(labels)

    model = construct_model(args.model)
    print(model)
    print(f"Parameters: {sum(p.numel() for p in model.parameters()):,}", flush=True)

    live = start_live_view(model, points, labels, args)
    losses = train_model(model, points, labels, args.epochs, args.lr, live)
    live.finish()
    show_results(model, points, labels, losses, args)


def parse_args(argv):
    parser = Parser(description="Train a 2D point classifier and draw its decision regions.")
    parser.add_argument("csv", help="training data: rows x,y,label (e.g. ./data/linear.csv)")
    parser.add_argument("model", help="simple (one Linear layer) or complex (2-128-128-1 MLP)")
    parser.add_argument("--epochs", type=int, default=20001,
                        help="passes over all points (default: 20001, as in the book)")
    parser.add_argument("--lr", type=float, default=0.003,
                        help="Adam learning rate (default: 0.003)")
    parser.add_argument("--seed", type=int, default=0,
                        help="random seed for the initial weights (default: 0)")
    add_figure_flags(parser, live=True)
    args = parser.parse_args(argv)
    if args.model not in MODELS:
        fail(f"unknown model {args.model!r}: choose simple or complex")
    if args.epochs <= 0:
        fail(f"--epochs must be 1 or more, got {args.epochs}")
    if not 0 < args.lr < math.inf:
        fail(f"--lr must be greater than 0, got {args.lr}")
    return args


def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def construct_model(name):
    if name == "simple":
        return PointClassifier2DSimple()
    return PointClassifier2DComplex()


def train_model(model, points, labels, epochs, lr, live=None):
    # The models return raw scores (logits); BCEWithLogitsLoss applies the
    # sigmoid inside the loss, which stays accurate when the loss gets tiny.
    loss_fn = torch.nn.BCEWithLogitsLoss()
    # Three changes to the book's Adam(lr=0.003) keep the loss from jumping back
    # up once it is tiny and the model is learning a few noisy points by heart:
    # betas=(0.9, 0.95): Adam divides each step by an average of recent squared
    # gradients; 0.95 (default 0.999) makes it forget the tiny gradients of the
    # last epochs quickly, so one larger gradient cannot cause an oversized step.
    # eps=1e-4 (default 1e-8): added to that divisor, so that tiny gradients
    # give small steps rather than steps of full size.
    # The cosine schedule lowers the learning rate smoothly from lr to 0 over the
    # epochs: big steps early, only fine adjustments at the end.
    # fused=True: the whole Adam update in one call instead of one per tensor.
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.95), eps=1e-4,
                                 fused=True)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    # One thread: a second one gains little on 200 points and slows training
    # down a lot whenever another program is using the CPU.
    torch.set_num_threads(1)
    # Treat tiny "denormal" floats as 0; the CPU computes them very slowly.
    torch.set_flush_denormal(True)
    losses = []
    live = live or LiveView()  # LiveView() draws nothing

    try:
        for epoch in range(epochs):
            optimizer.zero_grad()
            outputs = model(points)
            loss = loss_fn(outputs, labels)
            loss.backward()
            optimizer.step()
            scheduler.step()  # next epoch's (slightly lower) learning rate

            losses.append(loss.item())
            live.update(epoch, losses)  # redraws the figure now and then
            if epoch % 1000 == 0:
                print(f"Epoch {epoch}, Loss: {loss.item()}", flush=True)
    except KeyboardInterrupt:
        print(f"Stopped at epoch {len(losses)}: showing what was learned so far.")
    return losses


def start_live_view(model, points, labels, args):
    """The figure of show_results, updated while training runs (in a window and/or a GIF)."""
    window = can_show() and not args.no_show and not args.no_live
    if not window and args.gif is None:
        return LiveView()
    fig, (ax_regions, ax_loss) = plt.subplots(1, 2, figsize=(12, 5.2))
    grid_points = make_grid(LIVE_GRID_SIZE)
    # An image with contourf's colours: changing its data is much cheaper than a new contourf.
    image = ax_regions.imshow(np.zeros((LIVE_GRID_SIZE, LIVE_GRID_SIZE)), cmap=SHADES,
                              vmin=0, vmax=1, origin="lower", extent=(0, 1, 0, 1),
                              interpolation="bilinear", interpolation_stage="data")
    line, = ax_loss.plot([], [], color="tab:purple")
    draw_axes(ax_regions, ax_loss, points, labels, args)
    ax_loss.set_xlim(0, args.epochs)
    fig.tight_layout()
    # Drawn again after the image, so they stay on top of it.
    on_top = ax_regions.collections + list(ax_regions.spines.values())
    boundary = ax_regions.add_collection(LineCollection([], colors="black"))

    def redraw(epoch, losses):
        probability = predict_grid(model, grid_points).numpy()
        image.set_data(probability)
        boundary.set_segments(contour_generator(*grid_points, probability).lines(0.5))
        line.set_data(range(len(losses)), losses)
        ax_loss.set_ylim(decades_around(losses))
        ax_loss.set_title(f"training loss, epoch {epoch}: {losses[-1]:.4f}")
        return [image, *on_top, boundary, line, ax_loss.title]

    return LiveView(fig, redraw, args.epochs, window=window, gif=args.gif)


def decades_around(losses):
    """Log-axis limits at whole powers of ten around the losses: they change (and the
    whole figure is redrawn) only a few times. A loss of 0 or inf is left out."""
    shown = np.asarray(losses)
    shown = shown[np.isfinite(shown) & (shown > 0)]
    if len(shown) == 0:
        return 0.1, 1.0
    low = 10.0 ** math.floor(math.log10(shown.min()))
    return low, max(10.0 ** math.ceil(math.log10(shown.max())), low * 10)


def show_results(model, points, labels, losses, args):
    fig, (ax_regions, ax_loss) = plt.subplots(1, 2, figsize=(12, 5.2))
    grid_x, grid_y = make_grid(GRID_SIZE)
    probability = predict_grid(model, (grid_x, grid_y))
    ax_regions.contourf(grid_x, grid_y, probability, levels=np.linspace(0, 1, 11),
                        cmap="RdBu", alpha=0.35)
    ax_regions.contour(grid_x, grid_y, probability, levels=[0.5], colors="black")
    ax_loss.plot(losses, color="tab:purple")
    draw_axes(ax_regions, ax_loss, points, labels, args)
    ax_loss.set_title(f"training loss, final {losses[-1]:.4f}" if losses else "training loss")
    fig.tight_layout()
    show_or_save(fig, args.save, args.no_show, f"train_{Path(args.csv).stem}_{args.model}.png")


def make_grid(size):
    """A size x size grid over the unit square: its x and y coordinates."""
    grid = torch.linspace(0, 1, size)
    return torch.meshgrid(grid, grid, indexing="xy")


def predict_grid(model, grid):
    """The model's probability of label 1 at every grid point."""
    grid_x, grid_y = grid
    with torch.no_grad():
        scores = model(torch.stack([grid_x.ravel(), grid_y.ravel()], dim=1))
    return torch.sigmoid(scores).reshape(grid_x.shape)


def draw_axes(ax_regions, ax_loss, points, labels, args):
    """What the live and the final figure share: points, labels, legend, scales."""
    draw_points(ax_regions, points.numpy(), labels.numpy())
    ax_regions.plot([], [], color="black", label="p = 0.5 boundary")
    ax_regions.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    ax_regions.set_title(f"{args.model} model: red = label 0, blue = label 1")

    ax_loss.set_yscale("log")  # late progress (0.01 -> 0.001) would be invisible otherwise
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss (BCE, log scale)")
    ax_loss.grid(True, which="both", alpha=0.3)


class PointClassifier2DSimple(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(2, 1)

    def forward(self, data):
        data = self.fc1(data)
        return data.squeeze(1)  # one score per point; sigmoid(score) = P(label 1)


class PointClassifier2DComplex(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(2, 128)
        self.fc2 = torch.nn.Linear(128, 128)
        self.fc3 = torch.nn.Linear(128, 1)

    def forward(self, data):
        data = torch.relu(self.fc1(data))
        data = torch.relu(self.fc2(data))
        data = self.fc3(data)
        return data.squeeze(1)


if __name__ == "__main__":
    main()
