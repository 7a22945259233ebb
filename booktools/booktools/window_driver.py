"""Run a chapter's script with a real window (TkAgg) and report what the window did: the
tests of every chapter (and bench.py) use it.

    python -m booktools.window_driver [--close-live-after N] ./src/train.py ARGS...

Run under a virtual X display (Xvfb). It notes whether the live window is on the screen
as soon as the LiveView is given its figure (before the first epoch), counts the blits into it (and
whether the window was on screen then), notes the labelled lines of the live window
(--compare's earlier runs), closes the live window after N blits when asked (as a reader
would, with the window's close button), and closes the final, blocking window by a timer.
The last line it prints on stderr is a JSON summary.
"""
import json
import os
import runpy
import sys

report = {"shown_at_start": None, "blits": 0, "blits_on_screen": 0, "closed_live": False,
          "blits_after_close": 0, "final_windows": 0, "live_lines": []}


def main(argv):
    """Patch matplotlib's Tk canvas, LiveView.draw and exit_now (only here, when run), then run the script."""
    import matplotlib

    matplotlib.use("TkAgg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_tkagg import FigureCanvasTkAgg

    import booktools.cli
    import booktools.live

    closed = []
    close_after = None
    args = argv
    if args[0] == "--close-live-after":
        close_after, args = int(args[1]), args[2:]

    real_draw = booktools.live.LiveView.draw

    def draw(view, *draw_args, **kwargs):
        real_draw(view, *draw_args, **kwargs)
        if view.window:  # given its figure, and not a single epoch trained yet
            report["shown_at_start"] = bool(view.fig.canvas.get_tk_widget().winfo_ismapped())

    real_blit = FigureCanvasTkAgg.blit

    def blit(canvas, bbox=None):
        report["blits"] += 1
        if report["blits"] == 1:  # the labelled lines of the live window (--compare's earlier runs)
            report["live_lines"] = [line.get_label() for ax in canvas.figure.axes for line in ax.lines
                                    if not line.get_label().startswith("_")]
        report["blits_after_close"] += canvas.figure in closed
        report["blits_on_screen"] += bool(canvas.get_tk_widget().winfo_ismapped())
        real_blit(canvas, bbox)
        if report["blits"] == close_after:
            # Like the close button: handled by Tk while the script lets the window repaint.
            def close():
                report["closed_live"] = True
                closed.append(canvas.figure)
                plt.close(canvas.figure)
            canvas.get_tk_widget().after(0, close)

    real_show = plt.show

    def show(*show_args, **kwargs):
        if kwargs.get("block", True):  # the final figure: close it after a moment
            report["final_windows"] = len(plt.get_fignums())
            for number in plt.get_fignums():
                timer = plt.figure(number).canvas.new_timer(interval=300)
                timer.add_callback(plt.close, "all")
                timer.start()
        return real_show(*show_args, **kwargs)

    booktools.live.LiveView.draw = draw
    FigureCanvasTkAgg.blit = blit
    plt.show = show
    booktools.cli.exit_now = lambda: None  # the script's quick exit would end this driver before its report
    sys.argv = args
    sys.path.insert(0, os.path.dirname(os.path.abspath(args[0])))
    runpy.run_path(args[0], run_name="__main__")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    finally:
        print(json.dumps(report), file=sys.stderr, flush=True)
