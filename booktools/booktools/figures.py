"""Figures: show a figure where a window can open, save it where none can (SSH, CI,
MPLBACKEND=Agg: into the chapter's outputs/), and axis ranges that stay put while a live
figure's curves grow.

matplotlib is imported inside the functions: `--help` answers without it.
"""
import math

import numpy as np

# Backends that cannot open a window: save instead.
NON_INTERACTIVE = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}


def can_show():
    """True when matplotlib can open a window here (not SSH, CI or MPLBACKEND=Agg)."""
    import matplotlib.pyplot as plt

    return plt.get_backend().lower() not in NON_INTERACTIVE


def show_or_save(fig, args, default_name):
    """Save the figure when asked (--save) or when no window can open, then show it."""
    save_figure(fig, args, default_name)
    show_figure(fig, args)


def save_figure(fig, args, default_name):
    """Write the figure to --save, or to the chapter's outputs/ when no window can open.
    Returns the path written, or None."""
    path = args.save
    if path is None and not can_show():
        path = args.chapter_dir / "outputs" / default_name
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
        print(f"Saved figure to {path}", flush=True)
    return path


def show_figure(fig, args):
    """Open the window (where one can open and --no-show was not given), then close the figure."""
    import matplotlib.pyplot as plt

    if can_show() and not args.no_show:
        plt.show()
    plt.close(fig)


def finish_run(fig, args, curves, finals, default_name):
    """The end of a training run, in one call: save the figure (--save, or outputs/ when no
    window can open), write the run's record with it (curves {name: values per epoch}, finals
    {name: the last printed values}), then show the window."""
    saved = save_figure(fig, args, default_name)
    args.record.finish(curves, finals, fig, saved)
    show_figure(fig, args)


def log_range(values, decades=1, steps=(1,)):
    """Log-axis limits around the values, at least `decades` powers of ten apart. steps (1,):
    at whole powers of ten, which stay put while the values move inside, so a live figure is
    rarely drawn again in full; steps (1, 2, 5): at 1, 2 or 5 times a power of ten, closer
    around the values of a figure drawn once (at least 5 % away from them). 0, NaN and inf (a
    diverging run) are left out."""
    values = np.asarray(values, dtype=float)
    positive = values[np.isfinite(values) & (values > 0)]
    if len(positive) == 0:
        positive = np.array([1.0])
    room = 1.05 if len(steps) > 1 else 1.0  # close limits: no curve runs along the frame
    high = min(step * 10.0 ** math.ceil(math.log10(positive.max() * room / step)) for step in steps)
    low = max(step * 10.0 ** math.floor(math.log10(positive.min() / room / step)) for step in steps)
    return min(low, high / 10 ** decades), high


def zero_based_range(values, step):
    """Axis limits from 0 to the largest value rounded up to a multiple of step: like
    log_range, they change only now and then (NaN or inf are left out)."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    top = finite.max() if len(finite) else step
    return 0.0, step * max(1, math.ceil(top / step))


def plain_log_ticks(axis):
    """Plain numbers on a log axis (0.001, 0.4 rather than 10^-3), and the ticks between
    powers of ten labelled too when the values span less than two of them (a plateau
    at 0.44 can be read off)."""
    from matplotlib.ticker import LogFormatter

    class PlainLogFormatter(LogFormatter):
        def _num_to_string(self, x, vmin, vmax):
            return np.format_float_positional(x, precision=6, trim="-")  # 0.00001, never 1e-05

    axis.set_major_formatter(PlainLogFormatter())
    axis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(2, 1)))
