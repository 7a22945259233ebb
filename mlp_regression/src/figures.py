"""Figures: show a figure, or save it where no window can open.

matplotlib is imported where a figure is made: `--help` answers without it.
"""

from cli import OUTPUT_DIR

NON_INTERACTIVE = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}


def can_show():
    """True when matplotlib's backend can open a window (not Agg: SSH, CI, MPLBACKEND=Agg)."""
    import matplotlib.pyplot as plt
    return plt.get_backend().lower() not in NON_INTERACTIVE


def show_or_save(fig, save_path, no_show, default_name):
    """Save the figure when asked or when no window can open, then show it."""
    save_figure(fig, save_path, default_name)
    show_figure(fig, no_show)


def save_figure(fig, save_path, default_name):
    """Write the figure to save_path, or to outputs/ when no window can open.
    Returns the path written, or None."""
    if save_path is None and not can_show():
        save_path = OUTPUT_DIR / default_name
    if save_path is not None:
        save_path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(save_path, dpi=100)
        print(f"Saved figure to {save_path}", flush=True)
    return save_path


def show_figure(fig, no_show):
    """Open the window (where one can open and --no-show was not given), then close the figure."""
    import matplotlib.pyplot as plt
    if can_show() and not no_show:
        plt.show()
    plt.close(fig)
