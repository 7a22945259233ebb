"""runs.py of every chapter: the training runs recorded in its runs/ as a table, their
curves side by side, a run's code change, or cleared.

    uv run ./src/runs.py              every run, oldest first, one line each
    uv run ./src/runs.py 3 5 7        those runs' curves in one figure
    uv run ./src/runs.py --last 3     the last 3 runs' curves
    uv run ./src/runs.py --diff 5     the code change recorded with run 5 (alone: the last run)
    uv run ./src/runs.py --clear      remove every record (asks first; --yes does not)
"""
import os
import shutil
import sys

from booktools.cli import Parser, add_figure_flags, fail
from booktools.figures import plain_log_ticks, show_or_save
from booktools.records import differences, read_records, run_numbers, runs_dir

LAST = -1  # --diff without a number
TABLE_WIDTH = 100  # a table line fits 100 columns where the output is no terminal
MOST_CUT = 12  # "what differed" keeps this much however narrow the terminal


def main(script, curves, argv=None, final_format="{:.4g}"):
    """script: the chapter's runs.py (__file__); curves: {name: (y-axis label, "log" or
    "linear")} of what its training scripts record; final_format: how the final values are
    printed in the table (as the training scripts print them): a format string for each
    value, or a function that turns a record into the whole "final" text (where the unit
    depends on the script: 0.9930 from one, 97.96% from another)."""
    args = parse_args(script, argv)
    runs = runs_dir(args.chapter_dir)
    if args.clear:
        clear(runs, args.yes)
        return
    problems = []
    records = read_records(runs, problems)
    for problem in problems:  # the good records are still listed
        print(problem, file=sys.stderr, flush=True)
    if not records:
        print("No runs recorded yet in runs/: every run of the training scripts is recorded there.")
        return
    numbers = {record["number"]: record for record in records}
    if args.diff is not None:
        number = records[-1]["number"] if args.diff == LAST else args.diff
        show_diff(runs, numbers[number] if number in numbers else missing(number, records))
    elif args.runs or args.last:
        chosen = [numbers.get(n) or missing(n, records) for n in args.runs] or records[-args.last:]
        print_table(records, final_format, only={record["number"] for record in chosen})  # lines whole
        draw_runs(chosen, curves, args)
    else:
        print_table(records, final_format)


def parse_args(script, argv):
    parser = Parser(script, description="List, draw or clear the training runs recorded in runs/.")
    parser.add_argument("runs", type=int, nargs="*", metavar="N",
                        help="run numbers to draw in one figure (the table lists them)")
    parser.add_argument("--last", type=int, metavar="K", help="draw the last K runs")
    parser.add_argument("--diff", type=int, nargs="?", const=LAST, metavar="N",
                        help="print the code change recorded with run N (default: the last run)")
    parser.add_argument("--clear", action="store_true", help="remove every record (asks first)")
    parser.add_argument("--yes", action="store_true", help="with --clear: do not ask")
    add_figure_flags(parser)
    args = parser.parse_args(argv)
    if sum([bool(args.runs), args.last is not None, args.diff is not None, args.clear]) > 1:
        fail("give run numbers, --last, --diff or --clear, one of them")
    if args.last is not None and args.last < 1:
        fail(f"--last must be 1 or more, got {args.last}")
    if args.yes and not args.clear:
        fail("--yes goes with --clear")
    return args


def missing(number, records):
    fail(f"no run {number} in runs/ (runs {records[0]['number']} to {records[-1]['number']} are recorded)")


def print_table(records, final_format, only=None):
    """One line per run. The whole table fits the terminal's width (COLUMNS where set; 100
    columns into a pipe or a file): a long "what differed" is cut with "...". only: the
    numbers of the runs to print, each line whole (runs.py 3 5 says what it draws)."""
    if callable(final_format):
        finals = [final_format(record) for record in records]
    else:
        finals = [", ".join(f"{name} {final_format.format(value)}" for name, value in record["finals"].items())
                  for record in records]
    shown = [only is None or record["number"] in only for record in records]
    width = max(len("final"), *(len(final) for final, keep in zip(finals, shown) if keep))
    columns = None if only is not None else table_width()
    start = f"{'run':>4}  {'started':11}  {'seconds':>7}  {'final':{width}}  "
    title = "what differed from the run before"
    if columns is not None and len(start + title) > columns:
        title = "what differed"  # the header is never cut
    print(start + title)
    for previous, record, final, keep in zip([None] + records, records, finals, shown):
        if not keep:
            continue
        what = f"first: {record['command']}" if previous is None else differences(record, previous)
        if what == "same settings" and view_changes(record, previous):  # the same training, shown otherwise
            what = f"only {', '.join(view_changes(record, previous))}"
        if record.get("epochs_run") != record["flags"].get("epochs", record.get("epochs_run")):
            what += f" (stopped at epoch {record['epochs_run']})"
        line = (f"{record['number']:>4}  {record['started'][5:16].replace('T', ' '):11}  "
                f"{record['seconds']:>7.1f}  {final:{width}}  ")
        print(line + (what if columns is None else fit(what, columns - len(line))))


def table_width():
    """The terminal's width in columns: COLUMNS where set, else the terminal's own width;
    TABLE_WIDTH where the output is no terminal (a pipe, a file, the tests)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size((TABLE_WIDTH, 24)).columns
    return TABLE_WIDTH


def fit(text, room):
    """The text, cut with "..." where it is longer than room (at least a few words are kept)."""
    room = max(room, MOST_CUT)
    return text if len(text) <= room else text[:room - 3] + "..."


def view_changes(record, previous):
    """The view flags (--save, --layers ...) this run set and the run before did not set alike."""
    flags, before = record["flags"], previous["flags"]
    return [f"--{key.replace('_', '-')}" for key in record.get("view_flags", [])
            if key in flags and flags[key] not in (None, False) and flags[key] != before.get(key)]


def show_diff(runs, record):
    since = record.get("changes_since")
    if since is None:
        print(f"Run {record['number']}: the first recorded run, no earlier code to compare with.")
        return
    try:
        diff = (runs / f"{record['number']:04d}" / "changes.diff").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read the code change of run {record['number']} ({error})")
    if not diff:
        print(f"Run {record['number']}: src/ is the same as in run {since}.")
        return
    print(f"Run {record['number']}: what changed in src/ since run {since}")
    print(diff, end="")


def draw_runs(chosen, curves, args):
    """The chosen runs' curves in one figure, each labelled with what sets it apart."""
    panels = [name for name in curves if any(name in record["curves"] for record in chosen)]
    if not panels:  # records of an older version of the chapter, its curves named otherwise
        numbers = ", ".join(str(record["number"]) for record in chosen)
        fail(f"run{'s' if len(chosen) > 1 else ''} {numbers} recorded no curve that runs.py draws "
             f"(it draws {', '.join(curves)})")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels) + 1.5, 5), squeeze=False)
    for ax, name in zip(axes[0], panels):
        axis_label, scale = curves[name]
        for index, record in enumerate(chosen):
            other = chosen[index - 1] if index else chosen[1] if len(chosen) > 1 else None
            label = f"run {record['number']}" + (f": {differences(record, other)}" if other else "")
            if name in record["curves"]:
                ax.plot(record["curves"][name]["epoch"], record["curves"][name]["value"], label=label)
        ax.set_yscale(scale)
        if scale == "log":
            plain_log_ticks(ax.yaxis)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs
        ax.set_xlabel("epoch")
        ax.set_ylabel(axis_label)
        ax.grid(True, which="both", alpha=0.3)
        ax.set_title(f"{name} of runs {', '.join(str(record['number']) for record in chosen)}")
    axes[0][0].legend(fontsize="small")  # the same runs in every panel: one legend
    fig.tight_layout()
    names = "_".join(str(record["number"]) for record in chosen)
    show_or_save(fig, args, f"runs_{names}.png")


def clear(runs, yes):
    numbers = run_numbers(runs) if runs.is_dir() else []
    if not numbers:
        print("No runs recorded: nothing to remove.")
        return
    if not yes:
        try:
            answer = input(f"Remove all {len(numbers)} run records in {runs}? [y/N] ")
        except EOFError:  # no one to answer (input from a pipe or file)
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing removed.")
            return
    for number in numbers:
        shutil.rmtree(runs / f"{number:04d}", ignore_errors=True)
    print(f"Removed {len(numbers)} run records.")
