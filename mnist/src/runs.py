"""The training runs recorded in runs/ (every run of train.py, train_with_linear.py, train_mlp.py
and train_cnn.py): a table, their curves side by side, a run's code change.

    uv run ./src/runs.py              every run, oldest first, one line each
    uv run ./src/runs.py 3 5 7        those runs' curves in one figure
    uv run ./src/runs.py --last 3     the last 3 runs' curves
    uv run ./src/runs.py --diff 5     the code change recorded with run 5 (alone: the last run)
    uv run ./src/runs.py --clear      remove every record (asks first; --yes does not)

The logic is booktools.runs, the same in every chapter.
"""
import booktools.runs

# The curves the training scripts record (name: y-axis label, scale): train.py and
# train_with_linear.py the first three (epochs from 0), train_mlp.py and train_cnn.py the
# train loss and the last two (epochs from 1, as printed).
CURVES = {"train loss": ("train loss (log scale)", "log"), "test loss": ("test loss (log scale)", "log"),
          "test accuracy": ("test accuracy", "linear"), "val loss": ("validation loss (log scale)", "log"),
          "val accuracy": ("validation accuracy (%)", "linear")}


def main(argv=None):
    booktools.runs.main(__file__, CURVES, argv, final_format=as_printed)


PERCENT = {"train_mlp.py", "train_cnn.py"}  # they print accuracy in %: "Test Accuracy: 97.96%"


def as_printed(record):
    """The final values as the script printed them: train.py's accuracy 0.9930, train_mlp.py's 97.96%."""
    percent = record["script"] in PERCENT
    return ", ".join(f"{name} {value:.2f}%" if percent and name.endswith("accuracy") else f"{name} {value:.4f}"
                     for name, value in record["finals"].items())


if __name__ == "__main__":
    main()
