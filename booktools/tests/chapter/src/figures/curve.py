"""The figure of train.py: the loss curve, live while training runs and at the end, with
earlier runs' curves behind this run's (--compare). All of it is booktools' figure kit."""
from pathlib import Path

from booktools.curves import Curve, CurvePanel, draw_curves, place_texts
from booktools.figures import finish_run
from booktools.live import LiveView, wanted

LOSS = Curve("loss", "loss", "tab:purple")


def start_live_view(args):
    """What watches the loop: it keeps the losses, and redraws the figure in a window or a GIF."""
    live = LiveView(["loss"], args.epochs)
    window, gif = wanted(args)
    if window or gif:
        fig, panel = make_figure(args)

        def redraw(epoch):  # only what moves; blitted over the rest
            final = live.is_last_frame(epoch)
            panel.ax.set_title(title(panel, live.curves, None if final else epoch))
            return draw_curves([panel], live.curves, final) + [panel.ax.title]

        live.draw(fig, redraw, window=window, gif=gif)
    return live


def show_results(live, args, curves):
    fig, panel = make_figure(args)
    panel.ax.set_title(title(panel, live.curves))
    draw_curves([panel], live.curves, final=True)
    losses = live.curves["loss"]
    values = {"loss": losses, "accuracy": [1 / (1 + loss) for loss in losses]}
    finish_run(fig, args, {name: values[name] for name in curves},
               {name: values[name][-1] for name in curves} if losses else {},
               f"{Path(args.script).stem}_{Path(args.csv).stem}.png")


def title(panel, values, epoch=None):
    if not values["loss"]:
        return "loss"
    return f"loss, {'final' if epoch is None else f'epoch {epoch}:'} {panel.last('loss', values)}"


def make_figure(args):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    fig.suptitle(args.record.header())
    panel = CurvePanel(ax, [LOSS], epochs=args.epochs, earlier=args.record.earlier,
                       this_label=args.record.this_label(), ylabel="loss (log scale)")
    place_texts([panel], {})
    return fig, panel
