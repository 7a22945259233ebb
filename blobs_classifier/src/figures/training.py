"""train.py's figure: the decision regions and the loss curves, live while training runs
and at the end, with earlier runs' curves behind this run's (--compare); and the Watch
that keeps every epoch's losses for it.
"""
import math

import numpy as np
import torch

from booktools.figures import can_show, save_figure, show_figure
from booktools.live import LiveView
from booktools.records import draw_earlier
from figures.points import class_rgb, legend_handles, plane, plot_points, points_title, run_title, set_labels

GRID_SIZE = 300  # the decision regions are drawn on a 300 x 300 grid
FIGSIZE = (11.5, 5.2)
# The shading: the class the model picks, the stronger the surer it is (softmax probability
# from 1/classes, a pure guess, to 1), in steps that read like contour lines (and keep the
# GIF's colours few).
SHADE_WEAKEST, SHADE_STRONGEST, SHADE_STEPS = 0.06, 0.42, 8
# Earlier runs' colours (--compare): not this run's blue and orange.
EARLIER_COLORS = ["tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan"]


class Watch:
    """Called by train_model once per epoch: keeps the training loss and the validation
    loss (only watched, never trained on) for the figures and the run record, and redraws
    the live view. Ctrl-C (booktools' keep_results_on_ctrl_c) reads epochs_done and state."""

    def __init__(self, model, loss_function, val_data, val_labels, live=None):
        self.model, self.loss_function = model, loss_function
        self.val_data, self.val_labels = val_data, val_labels
        self.live = live or LiveView()  # LiveView() draws nothing
        self.history = {"training": [], "validation": []}
        self.state = self.history

    @property
    def epochs_done(self):
        return len(self.history["training"])

    def __call__(self, epoch, loss):
        with torch.no_grad():
            val_loss = self.loss_function(self.model(self.val_data), self.val_labels)
        # Both losses kept together: Ctrl-C never leaves one curve an epoch longer.
        self.history["training"].append(loss.item())
        self.history["validation"].append(val_loss.item())
        self.live.update(epoch, self.history)  # redraws the figure now and then

    def finish(self):
        self.live.finish()


def new_figure(data, args):
    """train.py's figure, the same live and at the end: the plane with the colour key of
    its shading, the losses, and the run's flags on top."""
    import matplotlib.pyplot as plt
    from mpl_toolkits.axes_grid1 import make_axes_locatable
    fig, (ax_plane, ax_loss) = plt.subplots(1, 2, figsize=FIGSIZE)
    if data.features <= 2:  # (no regions to shade with more features: no key)
        ax_key = make_axes_locatable(ax_plane).append_axes(
            "right", size=f"{3.5 * data.classes}%", pad=0.08)
        draw_key(ax_key, data.classes)
    fig.suptitle(run_title("train.py", args))
    return fig, ax_plane, ax_loss


def start_live_view(model, data, args):
    """The figure of show_results, updated while training runs (in a window and/or a GIF)."""
    window = can_show() and not args.no_show and not args.no_live
    if not window and args.gif is None:
        return LiveView()
    fig, ax_plane, ax_loss = new_figure(data, args)
    xlim, ylim = plot_limits(data, args.predict)
    changing = []
    if data.features <= 2:
        grid, grid_x, _ = make_grid(data, xlim, ylim)
        # The shading as an image: new image data is much cheaper than a new contourf.
        image = ax_plane.imshow(np.ones((*grid_x.shape, 3)), origin="lower", extent=(*xlim, *ylim),
                                aspect="auto", interpolation="nearest")
        changing = [image]
    draw_axes(ax_plane, ax_loss, data, [], xlim, ylim, args)
    rings = draw_mistakes(ax_plane, data, np.zeros(len(data.val_y), dtype=bool))
    train_line, val_line, (last_epoch, top) = loss_lines(ax_loss, args)
    ax_loss.legend(fontsize="small")
    ax_loss.set_xlim(1, max(args.epochs, last_epoch))
    ax_loss.set_ylim(0, max(1, top))  # raised by redraw() when a loss is higher
    fig.tight_layout()
    # Drawn again after the image, so the points and the legend stay on top of it.
    changing += [*ax_plane.collections, ax_plane.get_legend(), ax_plane.title,
                 *ax_plane.spines.values()]

    def redraw(epoch, history):
        if data.features <= 2:
            image.set_data(shade_grid(model, grid, grid_x.shape, data.classes))
        wrong = misclassified(model, data)
        rings.set_offsets(np.column_stack(plane(data.raw_val[wrong], data.val_y[wrong])))
        ax_plane.set_title(plane_title(data, args, wrong))
        epochs = range(1, len(history["training"]) + 1)
        train_line.set_data(epochs, history["training"])
        val_line.set_data(epochs, history["validation"])
        top = max(history["training"] + history["validation"])
        if math.isfinite(top) and top > ax_loss.get_ylim()[1]:  # a new range: full redraw
            ax_loss.set_ylim(0, top * 1.1)
        ax_loss.set_title(f"Loss (SGD, lr={args.lr:g}), epoch {epoch + 1}: "
                          f"{history['training'][-1]:.4f}")
        return [*changing, train_line, val_line, ax_loss.get_legend(), ax_loss.title]

    return LiveView(fig, redraw, args.epochs, window=window, gif=args.gif)


def show_results(model, data, history, predictions, args):
    fig, ax_plane, ax_loss = new_figure(data, args)
    xlim, ylim = plot_limits(data, args.predict)
    if data.features <= 2:
        grid, gx, _ = make_grid(data, xlim, ylim)
        ax_plane.imshow(shade_grid(model, grid, gx.shape, data.classes), origin="lower",
                        extent=(*xlim, *ylim), aspect="auto", interpolation="nearest")
    draw_axes(ax_plane, ax_loss, data, predictions, xlim, ylim, args)
    wrong = misclassified(model, data)
    draw_mistakes(ax_plane, data, wrong)
    ax_plane.set_title(plane_title(data, args, wrong))
    epochs = range(1, len(history["training"]) + 1)
    train_line, val_line, (last_epoch, top) = loss_lines(ax_loss, args)
    train_line.set_data(epochs, history["training"])
    val_line.set_data(epochs, history["validation"])
    # The same axes as the live view's last frame.
    ax_loss.set_xlim(1, max(args.epochs, 2, last_epoch))
    finite = [v for v in history["training"] + history["validation"] if math.isfinite(v)]
    ax_loss.set_ylim(0, max([1.0, top] + [1.1 * v for v in finite]))
    ax_loss.set_title(f"Loss (SGD, lr={args.lr:g})")
    ax_loss.legend(fontsize="small")
    fig.tight_layout()
    saved = save_figure(fig, args, "train.png")
    finals = {"loss": history["training"][-1], "validation loss": history["validation"][-1],
              "accuracy": 1 - wrong.mean()} if history["training"] else {}
    args.record.finish({f"{name} loss": values for name, values in history.items()}, finals, fig, saved)
    show_figure(fig, args)


def loss_lines(ax_loss, args):
    """This run's training and validation lines (empty), and behind them the earlier runs'
    (--compare: faded, training solid, validation dotted); with the last epoch and the
    top of the loss axis the earlier curves need."""
    earlier = args.record.earlier
    draw_earlier(ax_loss, earlier, "training loss", colors=EARLIER_COLORS)
    draw_earlier(ax_loss, earlier, "validation loss", labelled=False, colors=EARLIER_COLORS, linestyle=":")
    if earlier:  # "this run: hidden 16 (training)" beside "run 3: hidden none"
        this = args.record.this_label()
        labels = f"{this} (training)", f"{this} (validation)"
    else:
        labels = "training", "validation"
    train_line, = ax_loss.plot([], [], color="tab:blue", label=labels[0])
    val_line, = ax_loss.plot([], [], color="tab:orange", label=labels[1])
    curves = [curve for _, record in earlier for curve in record["curves"].values() if len(curve["value"])]
    values = np.concatenate([[0.0]] + [curve["value"] for curve in curves])
    last_epoch = max([0] + [curve["epoch"][-1] for curve in curves])
    return train_line, val_line, (last_epoch, 1.1 * values[np.isfinite(values)].max())


def draw_axes(ax_plane, ax_loss, data, predictions, xlim, ylim, args):
    """What the live and the final figure share: points, stars, labels, legend."""
    from matplotlib.lines import Line2D
    plot_points(ax_plane, data.raw_train, data.train_y, data.raw_val, data.val_y, data.classes)
    handles = legend_handles(data.classes)
    handles.append(Line2D([], [], linestyle="", marker="o", markersize=11, markerfacecolor="none",
                          markeredgecolor="black", markeredgewidth=1.6, label="misclassified"))
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
    ax_plane.set_title(plane_title(data, args, np.zeros(len(data.val_y), dtype=bool)))
    ax_plane.legend(handles=handles, fontsize="small", framealpha=0.9)

    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("cross-entropy loss")


def plane_title(data, args, wrong):
    model = "linear model" if args.hidden is None else f"hidden layer of {args.hidden} (ReLU)"
    if data.features <= 2:
        title = f"Decision regions: {model}"
    else:
        title = points_title(f"No decision regions ({model}, {data.features} features)",
                             data.features)
    return f"{title}\nvalidation: {wrong.sum()} of {len(wrong)} misclassified (ringed)"


def misclassified(model, data):
    """True for each validation point the model gets wrong now."""
    with torch.no_grad():
        return (model(torch.from_numpy(data.val_x)).argmax(dim=1).numpy() != data.val_y)


def draw_mistakes(ax, data, wrong):
    """A black ring around each misclassified validation point."""
    px, py = plane(data.raw_val[wrong], data.val_y[wrong])
    return ax.scatter(px, py, s=130, facecolors="none", edgecolors="black", linewidths=1.6,
                      zorder=2.5)


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


def shade_grid(model, grid, shape, classes):
    """The picture of the plane (RGB): the class the model picks at each grid point, in
    that class's colour, the stronger the higher its softmax probability."""
    with torch.no_grad():
        probability, chosen = torch.softmax(model(grid), dim=1).max(dim=1)
    return shade(chosen.numpy(), probability.numpy(), classes).reshape(*shape, 3)


def shade(chosen, probability, classes):
    """Class colours blended into white: a pure guess (1/classes) faint, certainty strong."""
    colors = class_rgb(classes)
    sure = np.clip((probability - 1 / classes) / (1 - 1 / classes), 0, 1)
    sure = np.minimum(np.floor(sure * SHADE_STEPS), SHADE_STEPS - 1) / (SHADE_STEPS - 1)
    strength = SHADE_WEAKEST + (SHADE_STRONGEST - SHADE_WEAKEST) * sure
    return 1 - strength[:, None] * (1 - colors[chosen])


def draw_key(ax, classes):
    """The colour bar of the shading: one column per class, probability upwards."""
    p = np.linspace(1 / classes, 1, 400)
    columns = [shade(np.full(len(p), k), p, classes) for k in range(classes)]
    ax.imshow(np.stack(columns, axis=1), origin="lower", aspect="auto",
              extent=(-0.5, classes - 0.5, 1 / classes, 1))
    ax.set_xticks(range(classes))
    ax.set_xlabel("class")
    ax.yaxis.tick_right()
    ax.yaxis.set_label_position("right")
    ax.set_ylabel("shading = probability of the chosen class")
