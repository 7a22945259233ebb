"""The runs of train.py recorded in runs/. With no arguments, a table of them, oldest
first; with run numbers (3 5 7) or --last K, their learning curves in one figure;
--diff N, the code change recorded with run N; --clear, every record removed (--help
says more). The logic is booktools.runs, the same in every chapter; train.py records
two curves, the loss on the training rows and on the test rows.
"""
import booktools.runs

CURVES = {"train loss": ("MSE loss, training rows (log scale)", "log"),  # name: y-axis label, scale
          "test loss": ("MSE loss, test rows (log scale)", "log")}


def main(argv=None):
    booktools.runs.main(__file__, CURVES, argv)


if __name__ == "__main__":
    main()
