"""The figures of train.py: the model's regions and the loss curve, live while
training runs and at the end, with earlier runs' curves behind this run's (--compare).
"""
from pathlib import Path

import numpy as np

from booktools.figures import can_show, log_range, plain_log_ticks, save_figure, show_figure
from booktools.live import LiveView
from booktools.records import draw_earlier
from dump_points import draw_points

GRID_SIZE = 200  # the model's probability is drawn on a 200 x 200 grid ...
LIVE_GRID_SIZE = 64  # ... and on a coarser one while training (10 times fewer points to ask)


class LossView(LiveView):
    """The live view of train.py; it also keeps every epoch's loss (for the final figure
    and the run record), with or without a figure to draw."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.losses = []

    def update(self, epoch, loss):
        self.losses.append(loss)
        super().update(epoch, self.losses)


def start_live_view(model, points, labels, args):
    """The figure of show_results, updated while training runs (in a window and/or a GIF).
    Without either it only keeps the losses."""
    window = can_show() and not args.no_show and not args.no_live
    if not window and args.gif is None:
        return LossView()
    from contourpy import contour_generator  # matplotlib's own contour code, without the overhead
    from matplotlib.collections import LineCollection

    fig, ax_regions, ax_loss, line = make_figure(points, labels, args)
    grid_points = make_grid(LIVE_GRID_SIZE)
    # An image with contourf's colours: changing its data is much cheaper than a new contourf.
    image = ax_regions.imshow(np.zeros((LIVE_GRID_SIZE, LIVE_GRID_SIZE)), cmap=shades(),
                              vmin=0, vmax=1, origin="lower", extent=(0, 1, 0, 1),
                              interpolation="bilinear", interpolation_stage="data")
    # --compare: the axes also fit the earlier runs' curves.
    earlier = [record["curves"]["loss"] for _, record in args.record.earlier
               if len(record["curves"].get("loss", {}).get("epoch", []))]
    ax_loss.set_xlim(0, max([args.epochs] + [curve["epoch"][-1] for curve in earlier]))
    earlier_losses = list(np.concatenate([[]] + [curve["value"] for curve in earlier]))
    # Drawn again after the image, so they stay on top of it.
    on_top = ax_regions.collections + list(ax_regions.spines.values())
    boundary = ax_regions.add_collection(LineCollection([], colors="black"))

    def redraw(epoch, losses):
        probability = predict_grid(model, grid_points).numpy()
        image.set_data(probability)
        boundary.set_segments(contour_generator(*grid_points, probability).lines(0.5))
        line.set_data(range(len(losses)), losses)
        ax_loss.set_ylim(log_range(losses + earlier_losses))
        ax_loss.set_title(f"training loss, epoch {epoch}: {losses[-1]:.4f}")
        return [image, *on_top, boundary, line, ax_loss.title]

    return LossView(fig, redraw, args.epochs, window=window, gif=args.gif)


def show_results(model, points, labels, losses, random_points, result, args):
    """Left: the model's probability of blue over the square, its 0.5 boundary, the
    training points, and the 1,000 random points coloured by the class the model gives
    them. Right: the loss of every epoch, and its last value."""
    fig, ax_regions, ax_loss, line = make_figure(points, labels, args)
    grid_x, grid_y = make_grid(GRID_SIZE)
    probability = predict_grid(model, (grid_x, grid_y))
    ax_regions.contourf(grid_x, grid_y, probability, levels=np.linspace(0, 1, 11),
                        cmap="RdBu", alpha=0.35)
    ax_regions.contour(grid_x, grid_y, probability, levels=[0.5], colors="black")
    random_points = random_points.numpy()
    blue = (result >= 0.5).numpy()  # the book's rule: 0.5 or more is class 1
    for chosen, color, name in [(~blue, "red", "0"), (blue, "blue", "1")]:
        ax_regions.scatter(random_points[chosen, 0], random_points[chosen, 1], c=color, s=4,
                           linewidths=0, alpha=0.7, label=f"random: class {name}")
    ax_regions.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    line.set_data(range(len(losses)), losses)
    ax_loss.relim()
    ax_loss.autoscale_view()
    if losses:  # the last loss, written where the curve ends (the number the README quotes)
        ax_loss.axhline(losses[-1], color="gray", linestyle=":", linewidth=1)
        ax_loss.annotate(f"{losses[-1]:.4g}", (len(losses) - 1, losses[-1]), ha="right",
                         va="bottom", xytext=(0, 3), textcoords="offset points", color="dimgray")
    ax_loss.set_title(f"training loss, final {losses[-1]:.3g}" if losses else "training loss")
    saved = save_figure(fig, args, f"train_{Path(args.csv).stem}_{args.model}.png")
    args.record.finish({"loss": losses}, {"loss": losses[-1]} if losses else {}, fig, saved)
    show_figure(fig, args)


def shades():
    """The colours of the final figure's contourf (ten bands of RdBu, alpha 0.35 on
    white), as a colormap for the live image and the colour bar."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    steps, alpha = 10, 0.35  # opaque colours as they look drawn that transparent on white (faster)
    colors = plt.get_cmap("RdBu")((np.arange(steps) + 0.5) / steps)
    return ListedColormap(alpha * colors + (1 - alpha))


def make_figure(points, labels, args):
    """What the live and the final figure share: points, legend, colour bar, titles, scales,
    the earlier runs' curves (--compare), and this run's loss line (empty)."""
    import matplotlib.pyplot as plt
    from matplotlib.cm import ScalarMappable

    fig, (ax_regions, ax_loss) = plt.subplots(1, 2, figsize=(12, 5.8))
    draw_points(ax_regions, points.numpy(), labels.numpy())
    ax_regions.plot([], [], color="black", label="p = 0.5 boundary")
    ax_regions.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    changed = f" ({' '.join(args.changed)})" if args.changed else ""
    ax_regions.set_title(f"{args.model} model on {Path(args.csv).name}{changed}")
    bar = fig.colorbar(ScalarMappable(cmap=shades()), ax=ax_regions, orientation="horizontal",
                       fraction=0.05, pad=0.12, ticks=[0, 0.25, 0.5, 0.75, 1])
    bar.set_label("model output: probability of label 1 (blue)")

    ax_loss.set_yscale("log")  # late progress (0.01 -> 0.001) would be invisible otherwise
    plain_log_ticks(ax_loss.yaxis)
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss (BCE, log scale)")
    ax_loss.grid(True, which="both", alpha=0.3)
    draw_earlier(ax_loss, args.record.earlier, "loss")  # --compare: earlier runs, faded
    line, = ax_loss.plot([], [], color="tab:purple", label=args.record.this_label())
    if args.record.earlier:
        ax_loss.legend(loc="upper right", fontsize="small")
    fig.tight_layout()
    return fig, ax_regions, ax_loss, line


def make_grid(size):
    """A size x size grid over the unit square: its x and y coordinates."""
    import torch

    grid = torch.linspace(0, 1, size)
    return torch.meshgrid(grid, grid, indexing="xy")


def predict_grid(model, grid):
    """The model's probability of label 1 at every grid point."""
    import torch

    grid_x, grid_y = grid
    with torch.no_grad():
        probability = model(torch.stack([grid_x.ravel(), grid_y.ravel()], dim=1))
    return probability.reshape(grid_x.shape)
