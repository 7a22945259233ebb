"""List, draw and compare the runs of train.py that are recorded in runs/.

    uv run ./src/runs.py              a table: one line per run, oldest first
    uv run ./src/runs.py 1 2          the training and validation losses of runs 1 and 2
    uv run ./src/runs.py --diff 2     what changed in src/ for run 2
    uv run ./src/runs.py --help       every option (--last K, --clear, --save ...)

What it does is written once for every chapter, in booktools.runs; here are the curves
that train.py records.
"""
import booktools.runs

CURVES = {"training loss": ("cross-entropy loss, training data", "linear"),  # name: y-axis label, scale
          "validation loss": ("cross-entropy loss, validation data", "linear")}


def main(argv=None):
    booktools.runs.main(__file__, CURVES, argv)


if __name__ == "__main__":
    main()
