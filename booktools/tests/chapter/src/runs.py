"""The training runs recorded in runs/: a table, their curves side by side, a run's code change.

    python ./src/runs.py              every run, oldest first, one line each
    python ./src/runs.py 3 5          those runs' curves in one figure
    python ./src/runs.py --diff 5     the code change recorded with run 5
    python ./src/runs.py --clear      remove every record (asks first)
"""
import booktools.runs

# train.py records both curves, train_linear.py the loss only.
CURVES = {"loss": ("loss (log scale)", "log"), "accuracy": ("accuracy", "linear")}


def main(argv=None):
    booktools.runs.main(__file__, CURVES, argv, final_format="{:.4f}")


if __name__ == "__main__":
    main()
