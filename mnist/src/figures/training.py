"""The learning-curve figures of the training scripts, live while training runs and at the
end, with earlier runs' curves behind this run's (--compare): train.py and train_with_linear.py
(4 vs 9: two losses and the accuracy on one plot, and the misclassified images), train_mlp.py
and train_cnn.py (10 classes: losses left, accuracy right)."""

import math

import torch

from booktools.figures import can_show, log_range, save_figure, show_figure, show_or_save, zero_based_range
from booktools.live import LiveView
from booktools.records import draw_earlier
from figures import second_figure

GIF_DPI = 100       # GIF frames at the PNG's size: their text is as readable as the PNG's
GIF_FRAME_MS = 150  # how long each GIF frame is shown

# train.py and train_with_linear.py share fixed axes, so their two figures can be laid side by side:
# accuracy from 0.5 (guessing) to 1, losses from 0.001 to 1 (a decade more only if a curve needs it).
ACCURACY_RANGE = (0.5, 1.01)


def curves_title(args):
    """The figure title, with every flag that changed the run (so a figure says how it was made)."""
    title = f"4 vs 9 ({args.name}.py): learning curves"
    return title + (f"\n{', '.join(args.changed)}" if args.changed else "")


def plot_curves(train_losses, test_losses, test_accuracies, args):
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, MultipleLocator, NullFormatter

    fig, ax = plt.subplots(figsize=(8, 5))
    ax2 = ax.twinx()  # accuracy lives on its own scale
    earlier = draw_earlier_runs(ax, ax2, args, {"train loss": "blue", "test loss": "green"}, {"test accuracy": "red"})
    earlier = this_run_line(ax, args) + earlier if earlier else []  # (legend lines before this run's curves)
    ax.plot(train_losses, color="blue", label="Train Loss")
    ax.plot(test_losses, color="green", label="Test Loss")
    ax.set_xlabel("Epoch")
    ax.set_ylabel("Loss (binary cross-entropy, log scale)")
    ax.set_yscale("log")  # on a linear scale the late rise of the test loss is invisible
    ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))  # 0.001, 0.002, 0.005, 0.01 ... labelled
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax2.plot(test_accuracies, color="red", label="Test Accuracy")
    ax2.set_ylabel("Test Accuracy (0.5 = guessing)")
    ax2.yaxis.set_major_locator(MultipleLocator(0.1))
    lines = ax.get_lines()[-2:] + ax2.get_lines()[-1:] + earlier
    ax.legend(lines, [line.get_label() for line in lines], loc="lower left", fontsize="small" if earlier else None)
    ax.set_title(curves_title(args))
    set_curve_ranges(ax, ax2, train_losses + test_losses, test_accuracies, args)
    if test_accuracies:
        label_values(ax, ax2, train_losses, test_losses, test_accuracies)
    return fig


def set_curve_ranges(ax, ax2, losses, accuracies, args):
    """The fixed ranges: the final figure and every frame of the live view share them (and
    they hold the earlier runs' curves, --compare)."""
    last = max(longest_run(args, args.epochs, first_epoch=0) - 1, 1)
    ax.set_xlim(-0.05 * last, 1.14 * last)  # room on the right for the last values
    ax.set_ylim(log_range(losses + earlier_values(args, "train loss", "test loss"), decades=3))
    accuracies = accuracies + earlier_values(args, "test accuracy")
    low = min([ACCURACY_RANGE[0]] + [math.floor(10 * a) / 10 for a in accuracies if math.isfinite(a)])
    ax2.set_ylim(low, ACCURACY_RANGE[1])


# --- --compare: the earlier runs behind this run's curves ---

EARLIER_STYLES = ["--", ":", "-."]  # one line style per earlier run; the colours say which curve


def draw_earlier_runs(loss_ax, accuracy_ax, args, loss_colors, accuracy_colors):
    """Each earlier run's curves in this run's colours, faded and dashed (dotted ...), behind this
    run's; returns one grey legend line per run, labelled with what differs from this run."""
    legend = []
    for index, run in enumerate(args.record.earlier):
        style = {"linestyle": EARLIER_STYLES[index % len(EARLIER_STYLES)], "zorder": 1.5, "labelled": False,
                 "alpha": 0.6, "linewidth": 1.5}
        for ax, colors in [(loss_ax, loss_colors), (accuracy_ax, accuracy_colors)]:
            for name, color in colors.items():
                draw_earlier(ax, [run], name, color=color, **style)
        legend += loss_ax.plot([], [], color="gray", linestyle=style["linestyle"], label=run[0])
    return legend


def this_run_line(ax, args):
    """The legend's line for this run (solid, grey: the colours say which curve), labelled with
    what it has that the last compared run has not ("this run: train.py, lr 0.004")."""
    return ax.plot([], [], color="gray", linestyle="-", label=args.record.this_label())


def earlier_values(args, *names):
    """The values of these curves in the earlier runs drawn (--compare), for the axis ranges."""
    return [value for _, record in args.record.earlier for name in names if name in record["curves"]
            for value in record["curves"][name]["value"].tolist()]


def longest_run(args, epochs, first_epoch):
    """The number of epochs the x axis must show: this run's, or a longer earlier run's."""
    return max([epochs] + [int(curve["epoch"][-1]) + 1 - first_epoch for _, record in args.record.earlier
                           for curve in record["curves"].values() if len(curve["epoch"])])


def label_values(ax, ax2, train_losses, test_losses, test_accuracies):
    """The numbers the README quotes, written on the figure: the lowest test loss and the last values."""
    best = min(range(len(test_losses)), key=test_losses.__getitem__)
    last = len(test_losses) - 1
    right = {"fontsize": 9, "textcoords": "offset points", "xytext": (4, 0), "va": "center"}
    return [
        ax.annotate(f"lowest {test_losses[best]:.4f} (epoch {best})", (best, test_losses[best]), xytext=(0, 26),
                    textcoords="offset points", ha="center", fontsize=9, color="green",
                    arrowprops={"arrowstyle": "->", "color": "green", "shrinkB": 1}),
        ax.annotate(f"{test_losses[last]:.4f}", (last, test_losses[last]), color="green", **right),
        ax.annotate(f"{train_losses[last]:.4f}", (last, train_losses[last]), color="blue", **right),
        ax2.annotate(f"{test_accuracies[last]:.4f}", (last, test_accuracies[last]), color="red", **right),
    ]


def show_curves(train_losses, test_losses, test_accuracies, args):
    fig = plot_curves(train_losses, test_losses, test_accuracies, args)
    fig.tight_layout()
    saved = save_figure(fig, args, f"{args.name}.png")
    finals = {"test accuracy": test_accuracies[-1], "test loss": test_losses[-1]} if test_accuracies else {}
    args.record.finish({"train loss": train_losses, "test loss": test_losses, "test accuracy": test_accuracies},
                       finals, fig, saved)
    show_figure(fig, args)


class CurvesView(LiveView):
    """booktools' live view at this chapter's GIF size and pace. Until the first epoch ends its
    state is three empty curves: what train_model returns when Ctrl-C comes that early."""

    def __init__(self, fig=None, redraw=None, epochs=0, window=False, gif=None):
        super().__init__(fig, redraw, epochs, window=window, gif=gif, gif_dpi=GIF_DPI, frame_ms=GIF_FRAME_MS)
        self.state = ([], [], [])


def live_curves(args):
    """The figure of show_curves, its curves growing epoch by epoch (in a window and/or a GIF).
    Its axes are the final figure's from the first frame to the last (they grow only if a curve
    leaves them), so the animation ends on the final figure without a jump."""
    window = can_show() and not args.no_show and not args.no_live
    if not window and args.gif is None:
        return CurvesView()
    fig = plot_curves([], [], [], args)
    ax, ax2 = fig.axes
    title = ax.get_title()
    fig.tight_layout()

    def redraw(epoch, train_losses, test_losses, test_accuracies):
        train_line, test_line, accuracy_line = ax.get_lines()[-2:] + ax2.get_lines()[-1:]  # (earlier runs first)
        for line, values in [(train_line, train_losses), (test_line, test_losses), (accuracy_line, test_accuracies)]:
            line.set_data(range(len(values)), values)
        before = (ax.get_ylim(), ax2.get_ylim())
        set_curve_ranges(ax, ax2, train_losses + test_losses, test_accuracies, args)
        if (ax.get_ylim(), ax2.get_ylim()) != before:
            fig.tight_layout()  # as the final figure's, for these tick labels
        if epoch < args.epochs - 1:
            first, *rest = title.split("\n")
            ax.set_title("\n".join([f"{first} (epoch {epoch})", *rest]))
            return [train_line, test_line, accuracy_line, ax.title]
        # The last frame is the final figure: its title, the numbers written on it, its drawing order.
        ax.set_title(title)
        fig.tight_layout()
        *losses, accuracy = label_values(ax, ax2, train_losses, test_losses, test_accuracies)
        return [train_line, test_line, *losses, ax.get_legend(), accuracy_line, accuracy, ax.title]

    return CurvesView(fig, redraw, args.epochs, window=window, gif=args.gif)


def show_mistakes(model, test_data, args, digits):
    """--mistakes N: misclassified test images, titled with the true digit and P(prediction)."""
    if not args.mistakes:
        return
    import matplotlib.pyplot as plt
    model.eval()
    with torch.no_grad():
        batches = [(data, label, model(data)) for data, label in test_data]
    images, labels, prob_second = (torch.cat(parts) for parts in zip(*batches))  # P(label 1)
    wrong = ((prob_second > 0.5).float() != labels).nonzero().flatten()
    print(f"Misclassified test images: {len(wrong)}, showing {min(len(wrong), args.mistakes)}", flush=True)
    wrong = wrong[:args.mistakes].tolist()
    cols = max(1, min(8, len(wrong)))
    rows = max(1, -(-len(wrong) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.6 * cols, 1.9 * rows + 0.6), squeeze=False,
                             layout="constrained")  # room for titles and suptitle
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        p = prob_second[i].item()
        guess, conf = (digits[1], p) if p > 0.5 else (digits[0], 1 - p)
        ax.imshow(images[i, 0].cpu().numpy(), cmap="gray")
        ax.set_title(f"true {digits[int(labels[i])]}\npred {guess} ({conf:.2f})", fontsize=8, color="red")
    fig.suptitle(f"Misclassified test images ({len(wrong)} shown)")
    show_or_save(fig, second_figure(args, "mistakes"), f"{args.name}_mistakes.png")


# --- train_mlp.py and train_cnn.py: the figure title, its ranges, earlier runs and the live view ---

def learning_curves_title(name, args):
    schedule = "constant" if args.no_schedule else "cosine decay"
    others = [flag for flag in args.changed if flag.split()[0] not in ("--optimizer", "--lr", "--no-schedule")]
    return f"{name}, {args.optimizer} lr={args.lr} ({schedule})" + (f"; {', '.join(others)}" if others else "")


def set_learning_curve_ranges(fig, train_losses, val_losses, accuracies, args):
    """train_mlp.py's and train_cnn.py's ranges, shared by the final figure and every live frame
    (and holding the earlier runs' curves, --compare)."""
    ax1, ax2 = fig.axes
    epochs = longest_run(args, args.epochs, first_epoch=1)
    margin = 0.05 * max(epochs - 1, 1)
    for axes in (ax1, ax2):
        axes.set_xlim(1 - margin, epochs + margin)
    ax1.set_ylim(zero_based_range(train_losses + val_losses + earlier_values(args, "train loss", "val loss"), 0.1))
    finite = [a for a in accuracies + earlier_values(args, "val accuracy") if math.isfinite(a)] or [0]
    ax2.set_ylim(10 * math.floor((min(finite) - 0.5) / 10), 100)  # (a point on the frame would be cut)


def add_earlier_runs(fig, args):
    """--compare: the earlier runs' curves behind this run's (which plot_learning_curves drew), in
    both legends."""
    if not args.record.earlier:
        return
    ax1, ax2 = fig.axes
    earlier = draw_earlier_runs(ax1, ax2, args, {"train loss": "blue", "val loss": "green"}, {"val accuracy": "red"})
    earlier = this_run_line(ax1, args) + earlier  # (drawn after this run's curves: they stay first)
    for ax, curves in [(ax1, ax1.get_lines()[:2]), (ax2, ax2.get_lines()[:1])]:
        ax.legend(curves + earlier, [line.get_label() for line in curves + earlier], fontsize="small")


def show_learning_curves(fig, history, args, default_name, finals):
    """The final figure, recorded in runs/ with the run's curves and its final printed figures."""
    add_earlier_runs(fig, args)
    set_learning_curve_ranges(fig, *history, args)
    fig.tight_layout()  # again: the tick labels of these ranges
    saved = save_figure(fig, args, default_name)
    args.record.finish(dict(zip(["train loss", "val loss", "val accuracy"], history)), finals, fig, saved)
    show_figure(fig, args)


def start_curves_live_view(plot_learning_curves, args, title):
    """The learning-curves figure (two losses left, the accuracy right), its curves growing
    epoch by epoch in a window and/or a GIF; CurvesView() (draws nothing) when neither is wanted.
    Its axes are the final figure's (they change only when a curve leaves them): no jump at the end."""
    window = can_show() and not args.no_show and not args.no_live
    if not window and args.gif is None:
        return CurvesView()
    epochs = args.epochs
    fig = plot_learning_curves([], [], [], title=title)
    ax1, ax2 = fig.axes
    add_earlier_runs(fig, args)
    set_learning_curve_ranges(fig, [], [], [], args)
    loss_title = ax1.get_title()

    def redraw(epoch, train_losses, val_losses, accuracies):
        lines = ax1.get_lines()[:2] + ax2.get_lines()[:1]  # this run's (the earlier runs' come after)
        for line, values in zip(lines, [train_losses, val_losses, accuracies]):
            line.set_data(range(1, len(values) + 1), values)
        before = (ax1.get_ylim(), ax2.get_ylim())
        set_learning_curve_ranges(fig, train_losses, val_losses, accuracies, args)
        ax1.set_title(loss_title if epoch == epochs else f"{loss_title} (epoch {epoch})")
        if epoch in (1, epochs) or (ax1.get_ylim(), ax2.get_ylim()) != before:
            fig.tight_layout()  # as the final figure's, for these tick labels
        # The legends are drawn every frame ("best" place for the curves so far): no jump at the end.
        return [*lines, ax1.get_legend(), ax2.get_legend(), ax1.title]

    # Epochs count from 1 here: epochs + 1 makes the schedule run up to the last one.
    return CurvesView(fig, redraw, epochs + 1, window=window, gif=args.gif)
