"""train.py's figure: the learning curves (with earlier runs' behind, --compare) and
the predicted against the actual rents.
"""

from booktools.figures import save_figure, show_figure
from booktools.records import draw_earlier

# One meaning per colour in the whole figure.
TRAIN_COLOR, TEST_COLOR, LINEAR_COLOR = "tab:blue", "tab:orange", "tab:gray"
# Earlier runs' colours (--compare): not this run's blue and orange, nor the gray of linear regression.
EARLIER_COLORS = ["tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan"]


def show_results(history, results, args):
    """Learning curves (log scale, labelled in plain numbers) and predicted vs actual rent.
    Blue: the MLP on the training rows; orange: the MLP on the test rows; gray: linear regression."""
    import matplotlib.pyplot as plt
    fig, (ax_loss, ax_pred) = plt.subplots(1, 2, figsize=(11, 5))
    fig.suptitle(" ".join(["train.py", *args.changed]) if args.changed
                 else "train.py (default settings)")
    earlier = args.record.earlier  # --compare: earlier runs, faded (training solid, test dotted)
    draw_earlier(ax_loss, earlier, "train loss", colors=EARLIER_COLORS)
    draw_earlier(ax_loss, earlier, "test loss", labelled=False, colors=EARLIER_COLORS, linestyle=":")
    # With earlier runs behind: which curves are this run's, and what it changed ("this run: hidden 2").
    this = f" ({args.record.this_label()})" if earlier else ""
    ax_loss.plot(history["epoch"], history["train"], color=TRAIN_COLOR, label=f"MLP, training rows{this}")
    ax_loss.plot(history["epoch"], history["test"], color=TEST_COLOR, label=f"MLP, test rows{this}")
    if history["epoch"]:
        label_last_values(ax_loss, history)
    log_axis_in_plain_numbers(ax_loss)
    ax_loss.set_title(f"Learning curves (3-{args.hidden}-1 MLP, SGD lr={args.lr:g})")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("MSE loss (standardized rent, log scale)")
    ax_loss.legend()

    actual, r2 = results["actual"], results["r2"]
    low = min(actual.min(), results["mlp"].min(), results["linear"].min())
    high = max(actual.max(), results["mlp"].max(), results["linear"].max())
    ax_pred.plot([low, high], [low, high], color="black", linestyle="--", linewidth=1,
                 label="y = x (perfect)")
    ax_pred.scatter(actual, results["linear"], s=18, facecolors="none", edgecolors=LINEAR_COLOR,
                    label=f"linear regression ($R^2$ = {r2['linear']:.2f})")
    ax_pred.scatter(actual, results["mlp"], s=18, color=TEST_COLOR, alpha=0.9,
                    label=f"MLP ($R^2$ = {r2['mlp']:.2f})")
    ax_pred.set_title("Predicted vs actual rent (test rows)")
    ax_pred.set_xlabel("actual rent (10,000 yen / month)")
    ax_pred.set_ylabel("predicted rent (10,000 yen / month)")
    ax_pred.set_aspect("equal")
    ax_pred.legend(loc="upper left")
    fig.tight_layout()
    saved = save_figure(fig, args, "mlp_regression.png")
    # runs.py's "final" column: the test errors, short enough to leave room for what differed
    # (the last losses are the curves' ends).
    finals = {"test RMSE": results["rmse"], "R^2": r2["mlp"]} if history["epoch"] else {}
    curves = {"train loss": history["train"], "test loss": history["test"]}
    args.record.finish(curves, finals, fig, saved)
    show_figure(fig, args)


def label_last_values(ax, history):
    """The last training and test loss written beside the curves' ends (the higher one above)."""
    last = {"train": history["train"][-1], "test": history["test"][-1]}
    higher = max(last, key=last.get)
    for part, color in (("train", TRAIN_COLOR), ("test", TEST_COLOR)):
        ax.annotate(f"{last[part]:.4f}", (history["epoch"][-1], last[part]), color=color,
                    xytext=(-4, 4 if part == higher else -4), textcoords="offset points",
                    ha="right", va="bottom" if part == higher else "top", fontsize="small")


def log_axis_in_plain_numbers(ax):
    """Log scale with ticks at 1, 2, 3, 5, 7 times the powers of ten, written 0.03, not 3e-2."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter
    ax.set_yscale("log")
    ticks = [m * 10.0 ** e for e in range(-5, 4) for m in (1, 2, 3, 5, 7)]
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.grid(True, which="major", axis="y", alpha=0.3)
