"""The learning-curve figures of the four training scripts, live while training runs and at the
end, drawn with booktools' figure kit (panels with the earlier runs behind, --compare; the live
view that keeps the curves; the end of a run): train.py and train_with_linear.py (4 vs 9: the two
losses on a log scale and the test accuracy on a second scale), train_mlp.py and train_cnn.py (the
lecture's plot_learning_curves, whose lines the kit's panels take over); and the misclassified
test images (--mistakes)."""

import math

import torch

from booktools.curves import Curve, CurvePanel, annotate_clear, draw_curves, fit_header, number, place_texts
from booktools.describe import layer_sizes, optimizer_text
from booktools.figures import finish_run, show_or_save
from booktools.live import LiveView, wanted
from figures import second_figure

GIF_DPI = 100       # GIF frames at the PNG's size: their text is as readable as the PNG's
GIF_FRAME_MS = 150  # how long each GIF frame is shown

# --- train.py and train_with_linear.py: 4 vs 9 ---

# 4 decimals, as the epoch lines print them ("Test Loss: 0.0271")
FOUR_NINE = [Curve("train loss", "Train Loss", "blue", fmt="{:.4f}"),
             Curve("test loss", "Test Loss", "green", fmt="{:.4f}"),
             Curve("test accuracy", "Test Accuracy", "red", fmt="{:.4f}")]
# Both scripts' figures have the same axes, so they can be laid side by side: the accuracy from
# 0.5 (guessing) to 1, the losses from 0.001 to 1 (a decade more only where a curve needs it).
ACCURACY_RANGE = (0.5, 1.01)


def start_live_view(model, args):
    """What watches train_model: it keeps every epoch's values and, in a window and/or a GIF,
    redraws the figure of show_curves while training runs (on its axes from the first frame)."""
    live = LiveView([curve.name for curve in FOUR_NINE], args.epochs)
    window, gif = wanted(args)
    if window or gif:
        fig, panels = four_nine_figure(model, args)

        def redraw(epoch):
            if live.is_last_frame(epoch):  # the final figure
                return [four_nine_title(panels, model, live.optimizer)] + final_texts(panels, live.curves)
            return [four_nine_title(panels, model, live.optimizer, epoch)] + draw_curves(panels, live.curves)

        live.draw(fig, redraw, window=window, gif=gif, gif_dpi=GIF_DPI, frame_ms=GIF_FRAME_MS)
    return live


def show_curves(train_losses, test_losses, test_accuracies, model, optimizer, args):
    """The final figure: saved, recorded in runs/ with the curves and the last printed values, shown."""
    fig, panels = four_nine_figure(model, args)
    four_nine_title(panels, model, optimizer)
    curves = dict(zip([curve.name for curve in FOUR_NINE], [train_losses, test_losses, test_accuracies]))
    final_texts(panels, curves)
    finals = {"test accuracy": test_accuracies[-1], "test loss": test_losses[-1]} if test_accuracies else {}
    finish_run(fig, args, curves, finals, f"{args.name}.png")


def four_nine_figure(model, args):
    """The losses (log scale: on a linear one the late rise of the test loss is invisible) and,
    on a second scale, the accuracy; the earlier runs' curves behind (--compare)."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, MultipleLocator, NullFormatter

    fig, ax = plt.subplots(figsize=(8, 5))
    fig.suptitle(fit_header(fig, args.record.header()))  # the flags and the code the reader changed
    earlier = {"epochs": args.epochs, "earlier": args.record.earlier}
    losses = CurvePanel(ax, FOUR_NINE[:2], **earlier, this_label=args.record.this_label(), decades=3,
                        ylabel="Loss (binary cross-entropy, log scale)")
    ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))  # 0.001, 0.002, 0.005, 0.01 ... labelled
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    accuracy = CurvePanel(ax.twinx(), FOUR_NINE[2:], **earlier, scale="linear", limits=accuracy_range,
                          ylabel="Test Accuracy (0.5 = guessing)", twin_of=losses)
    accuracy.ax.yaxis.set_major_locator(MultipleLocator(0.1))
    panels = [losses, accuracy]
    four_nine_title(panels, model, None)  # (one line, as with the optimizer: the layout holds it)
    place_texts(panels, {})  # the layout, and the legend of the earlier runs
    return fig, panels


def accuracy_range(values):
    """ACCURACY_RANGE, reaching lower (by tenths) only for an accuracy below 0.5."""
    low = min([ACCURACY_RANGE[0]] + [int(10 * value) / 10 for value in values if 0 <= value < 0.5])
    return low, ACCURACY_RANGE[1]


def four_nine_title(panels, model, optimizer, epoch=None):
    """What ran, read from the model and the optimizer the loop stepped (so an edit of the code
    shows): "4 vs 9: conv 1-4-8-16, 16-1, Adam lr=0.004"; while training, the epoch too."""
    title = "4 vs 9: " + ", ".join(text for text in [layer_sizes(model), optimizer_text(optimizer)] if text)
    return panels[0].ax.set_title(title if epoch is None else f"{title} (epoch {epoch})")


def final_texts(panels, values):
    """The final figure's text: the last values, the lowest test loss marked where its note covers
    no curve, the legend clear of both. Returns the artists that changed."""
    draw_curves(panels, values, final=True)  # the layout and the last values: the note's place depends on them
    ax, losses = panels[0].ax, values["test loss"]
    finite = [epoch for epoch, loss in enumerate(losses) if math.isfinite(loss)]  # (a diverged run has NaN)
    notes = []
    if finite:
        best = min(finite, key=losses.__getitem__)
        green = FOUR_NINE[1].color
        notes.append(annotate_clear(ax, f"lowest {number(losses[best], FOUR_NINE[1].fmt)} (epoch {best})",
                                    (best, losses[best]), axes=panels[0].axes(), fontsize=9, color=green,
                                    arrowprops={"arrowstyle": "->", "color": green, "shrinkB": 1}))
    texts = place_texts(panels, values)  # again: the legend clear of the note too
    return [line for panel in panels for line in panel.lines.values()] + notes + texts


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


# --- train_mlp.py and train_cnn.py: the lecture's plot_learning_curves, its lines taken over ---

TEN_CLASSES = [Curve("train loss", "Train Loss", "blue", fmt="{:.4f}"),
               Curve("val loss", "Val Loss", "green", fmt="{:.4f}"),
               Curve("val accuracy", "Val Accuracy", "red", fmt="{:.2f}%")]  # as printed: "97.26%"


def start_curves_live_view(plot_learning_curves, model, args):
    """What watches train_model: it keeps every epoch's values and, in a window and/or a GIF,
    redraws the lecture's figure (plot_learning_curves) while training runs."""
    live = LiveView([curve.name for curve in TEN_CLASSES], args.epochs, first_epoch=1)
    window, gif = wanted(args)
    if window or gif:
        fig = plot_learning_curves([], [], [])
        panels = take_over(fig, model, None, args)

        def redraw(epoch):
            final = live.is_last_frame(epoch)  # the final figure
            title = learning_curves_title(fig, model, live.optimizer, args, None if final else epoch)
            return [title] + draw_curves(panels, live.curves, final)

        live.draw(fig, redraw, window=window, gif=gif, gif_dpi=GIF_DPI, frame_ms=GIF_FRAME_MS)
    return live


def show_learning_curves(fig, history, model, optimizer, args, default_name, finals):
    """The final figure (plot_learning_curves's): saved, recorded in runs/ with the curves and the
    final printed values, shown."""
    curves = dict(zip([curve.name for curve in TEN_CLASSES], history))
    draw_curves(take_over(fig, model, optimizer, args), curves, final=True)
    finish_run(fig, args, curves, finals, default_name)


def take_over(fig, model, optimizer, args):
    """Panels that take over the lines plot_learning_curves drew: the earlier runs behind them
    (--compare), ranges that hold all, whole epochs, room for the last values; and the title."""
    ax1, ax2 = fig.axes
    learning_curves_title(fig, model, optimizer, args)
    earlier = {"epochs": args.epochs, "first_epoch": 1, "earlier": args.record.earlier,
               "this_label": args.record.this_label(), "scale": "linear"}
    panels = [CurvePanel(ax1, TEN_CLASSES[:2], **earlier, lines=ax1.get_lines()[:2]),
              CurvePanel(ax2, TEN_CLASSES[2:], **earlier, lines=ax2.get_lines()[:1], limits=percent_range)]
    place_texts(panels, {})  # the layout, and the legend of the earlier runs
    return panels


def learning_curves_title(fig, model, optimizer, args, epoch=None):
    """The header (the flags and code the reader changed), then what ran, read from the model and
    the optimizer the loop stepped: "784-128-64-10, Adam lr=0.001"; while training, the epoch."""
    what = ", ".join(text for text in [layer_sizes(model), optimizer_text(optimizer)] if text)
    what += "" if epoch is None else f" (epoch {epoch})"
    return fig.suptitle(f"{fit_header(fig, args.record.header())}\n{what}")


def percent_range(values):
    """Up to 100 %, from the tens below the lowest accuracy (a point on the frame would be cut)."""
    finite = [value for value in values if value == value] or [100]
    return 10 * ((min(finite) - 0.5) // 10), 100
