"""The training runs recorded in runs/: a table, their curves side by side, a run's code change.

    uv run ./src/runs.py              every run, oldest first, one line each
    uv run ./src/runs.py 3 5 7        those runs' curves in one figure
    uv run ./src/runs.py --last 3     the last 3 runs' curves
    uv run ./src/runs.py --diff 5     the code change recorded with run 5 (alone: the last run)
    uv run ./src/runs.py --clear      remove every record (asks first; --yes does not)

The logic is booktools.runs, the same in every chapter; train.py records one curve.
"""
import booktools.runs

CURVES = {"loss": ("loss (BCE, log scale)", "log")}  # name: y-axis label, scale


def main(argv=None):
    booktools.runs.main(__file__, CURVES, argv)


if __name__ == "__main__":
    main()
