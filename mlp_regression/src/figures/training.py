"""train.py's figure: the learning curves, with earlier runs' behind them (--compare), and
the predicted against the actual rents. The learning-curve panel and the end of the run
(save, record, show) are booktools' (curves, figures)."""

from booktools.curves import Curve, CurvePanel, draw_curves
from booktools.describe import layer_sizes, optimizer_text
from booktools.figures import finish_run

# One meaning per colour in the whole figure.
TRAIN_COLOR, TEST_COLOR, LINEAR_COLOR = "tab:blue", "tab:orange", "tab:gray"
# Last values written as the loop prints them (0.0263).
TRAIN = Curve("train loss", "MLP, training rows", TRAIN_COLOR, fmt="{:.4f}")
TEST = Curve("test loss", "MLP, test rows", TEST_COLOR, fmt="{:.4f}")


def show_results(model, live, results, args):
    """Learning curves (log scale) and predicted vs actual rent. Blue: the MLP on the
    training rows; orange: the MLP on the test rows; gray: linear regression."""
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_pred) = plt.subplots(1, 2, figsize=(11, 5))
    fig.suptitle(args.record.header())  # the flags and code the reader changed
    # steady=False: no live view here, so the log axis can fit the curves closely.
    panel = CurvePanel(ax_loss, [TRAIN, TEST], epochs=args.epochs, first_epoch=1, earlier=args.record.earlier,
                       this_label=args.record.this_label(), ylabel="MSE loss (standardized rent, log scale)",
                       steady=False)
    # What ran, read from the model and the optimizer (a reader's edit may bypass the flags).
    ran = [f"{layer_sizes(model)} MLP", optimizer_text(live.optimizer)]
    ax_loss.set_title(f"Learning curves ({', '.join(filter(None, ran))})")
    draw_predictions(ax_pred, results)
    draw_curves([panel], live.curves, final=True)
    # runs.py's "final" column: the test errors, short enough to leave room for what differed
    # (the last losses are the curves' ends).
    finals = {"test RMSE": results["rmse"], "R^2": results["r2"]["mlp"]} if live.curves["train loss"] else {}
    finish_run(fig, args, live.curves, finals, "mlp_regression.png")


def draw_predictions(ax, results):
    actual, r2 = results["actual"], results["r2"]
    low = min(actual.min(), results["mlp"].min(), results["linear"].min())
    high = max(actual.max(), results["mlp"].max(), results["linear"].max())
    ax.plot([low, high], [low, high], color="black", linestyle="--", linewidth=1, label="y = x (perfect)")
    ax.scatter(actual, results["linear"], s=18, facecolors="none", edgecolors=LINEAR_COLOR,
               label=f"linear regression ($R^2$ = {r2['linear']:.2f})")
    ax.scatter(actual, results["mlp"], s=18, color=TEST_COLOR, alpha=0.9, label=f"MLP ($R^2$ = {r2['mlp']:.2f})")
    ax.set_title("Predicted vs actual rent (test rows)")
    ax.set_xlabel("actual rent (10,000 yen / month)")
    ax.set_ylabel("predicted rent (10,000 yen / month)")
    ax.set_aspect("equal")
    ax.legend(loc="upper left")
