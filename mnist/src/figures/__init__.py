"""This chapter's figures: training.py (the learning curves, live and final, and the misclassified
images), layers.py (--layers), predictions.py (predict.py's figures), drawing_pad.py (draw.py's
window). Showing and saving them is booktools.figures."""

import argparse


def second_figure(args, name):
    """args for a run's second figure: --save X.png writes it as X_<name>.png beside the first."""
    save = None if args.save is None else args.save.with_name(f"{args.save.stem}_{name}.png")
    return argparse.Namespace(**{**vars(args), "save": save})
