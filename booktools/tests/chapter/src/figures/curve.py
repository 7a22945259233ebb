"""The figure of train.py: the loss curve, live while training runs and at the end, with
earlier runs' curves behind this run's (--compare)."""
from pathlib import Path

import numpy as np

from booktools.figures import can_show, log_range, plain_log_ticks, save_figure, show_figure
from booktools.live import LiveView
from booktools.records import draw_earlier


class LossView(LiveView):
    """The live view; it also keeps every epoch's loss, with or without a figure to draw."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.losses = []

    def update(self, epoch, loss):
        self.losses.append(loss)
        super().update(epoch, self.losses)


def start_live_view(args):
    """The final figure, updated while training runs (in a window and/or a GIF)."""
    window = can_show() and not args.no_show and not args.no_live
    if not window and args.gif is None:
        return LossView()
    fig, ax, line = make_figure(args)
    earlier = list(np.concatenate([[]] + [record["curves"]["loss"]["value"]
                                          for _, record in args.record.earlier if "loss" in record["curves"]]))

    def redraw(epoch, losses):  # only what moves; blitted over the rest
        line.set_data(range(len(losses)), losses)
        ax.set_ylim(log_range(losses + earlier))
        ax.set_title(f"loss, epoch {epoch}: {losses[-1]:.4f}")
        return [line, ax.title]

    return LossView(fig, redraw, args.epochs, window=window, gif=args.gif)


def show_results(losses, args, curves):
    fig, ax, line = make_figure(args)
    line.set_data(range(len(losses)), losses)
    ax.relim()
    ax.autoscale_view()
    ax.set_title(f"loss, final {losses[-1]:.4f}" if losses else "loss")
    saved = save_figure(fig, args, f"{Path(args.script).stem}_{Path(args.csv).stem}.png")
    accuracy = [1 / (1 + loss) for loss in losses]
    values = {"loss": losses, "accuracy": accuracy}
    args.record.finish({name: values[name] for name in curves},
                       {name: values[name][-1] for name in curves} if losses else {}, fig, saved)
    show_figure(fig, args)


def make_figure(args):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    fig.suptitle(f"{args.script} {' '.join(args.changed) or '(default settings)'}")
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (log scale)")
    ax.grid(True, which="both", alpha=0.3)
    draw_earlier(ax, args.record.earlier, "loss")  # --compare: earlier runs, faded
    ax.set_xlim(0, max([args.epochs] + [record["curves"]["loss"]["epoch"][-1] for _, record in args.record.earlier
                                        if len(record["curves"].get("loss", {}).get("epoch", []))]))
    line, = ax.plot([], [], color="tab:purple", label=args.record.this_label())
    if args.record.earlier:
        ax.legend(loc="upper right", fontsize="small")
    fig.tight_layout()
    return fig, ax, line
