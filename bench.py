"""Time each chapter's default commands next to a plain version of the book's loop.

    python3 bench.py            # every chapter, median of 3 runs each
    python3 bench.py --runs 5 --only CHAPTER[,CHAPTER...]
    python3 bench.py --list     # what it would run, without running it

The chapters are those booktools/booktools/chapters.py finds; what to time in each is the
chapter's own bench/cases.toml (that file says how it is written), and a chapter without one
gets one row: its `./src/train.py`, timed alone. A new chapter is benchmarked as it is.
Python 3.11 or newer (tomllib): `uv run --no-project python bench.py` where python3 is older.

Whole-process wall time (start-up, training, figure) of `uv run ...` in the
chapter folder, headless. Each row compares a command with a baseline: the
book's plain loop, or our own command without the extra it tests (--gif, the
live window, data augmentation). Runs of a chapter's commands alternate, so
all see the same machine load. Prints a table and, when every chapter ran,
rewrites the table of BENCHMARKS.md (its "## Notes" section is kept).
Rows that use {mnist_data} need the real MNIST: MNIST_DATA_DIR (a folder holding
MNIST/raw/), default ../shared/mnist. Live-window rows need Xvfb (a virtual X display): the
script runs with the TkAgg backend under booktools.window_driver, which closes
the final window 0.3 s after it opens (the same in the --no-live baseline).
"""
import argparse
import atexit
import datetime
import os
import platform
import re
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MNIST = os.environ.get("MNIST_DATA_DIR", str(ROOT.parent / "shared/mnist"))

DRIVER = "-m booktools.window_driver"  # a real window: see booktools/booktools/window_driver.py
find_chapters = runpy.run_path(str(ROOT / "booktools" / "booktools" / "chapters.py"))["find_chapters"]

# What a chapter without a bench/cases.toml gets: its training script, and the last loss or
# accuracy it prints.
DEFAULT_CASE = {"command": "./src/train.py", "result": r"(?:Loss|Accuracy)[^:\n]*: ([-\d.e]+%?)"}
KEYS = {"command", "baseline", "result", "floor"}


def chapter_cases(chapter):
    """The chapter's cases: (chapter, command, baseline or None, regex of the final result,
    floor or None, whether it needs MNIST), from its bench/cases.toml or DEFAULT_CASE."""
    path = ROOT / chapter / "bench" / "cases.toml"
    if path.exists():
        listed = tomllib.loads(path.read_text(encoding="utf-8")).get("case", [])
    elif (ROOT / chapter / "src" / "train.py").exists():
        listed = [DEFAULT_CASE]
    else:
        print(f"skipping {chapter}: no bench/cases.toml and no src/train.py", flush=True)
        return []
    cases = []
    for case in listed:
        wrong = set(case) - KEYS or {"command", "result"} - set(case)
        if wrong:
            sys.exit(f"{path}: a case with {case}: check the keys {sorted(wrong)} (see the file's first lines)")
        words = {"window": f"python {DRIVER}", "mnist_data": MNIST}
        baseline = case.get("baseline")
        cases.append((chapter, case["command"].format(**words), baseline and baseline.format(**words),
                      case["result"], case.get("floor"), "{mnist_data}" in case["command"] + (baseline or "")))
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per command (median)")
    parser.add_argument("--only", help="comma-separated chapter names")
    parser.add_argument("--list", action="store_true", help="print the cases and run nothing")
    args = parser.parse_args()
    chapters = args.only.split(",") if args.only else None
    unknown = set(chapters or []) - set(find_chapters(ROOT))
    if unknown:
        parser.error(f"not chapters: {', '.join(sorted(unknown))} (chapters: {', '.join(find_chapters(ROOT))})")
    cases = [case for chapter in chapters or find_chapters(ROOT) for case in chapter_cases(chapter)]
    if args.list:
        for chapter, command, baseline, _, floor, _ in cases:
            print(" | ".join([chapter, command, baseline or "-", f"floor {floor:.0%}" if floor else "-"]))
        return

    env = {**os.environ, "MPLBACKEND": "Agg"}
    # Runs are recorded (as a reader's are), into temporary folders: not the chapters' runs/.
    env["RUNS_DIR"] = tempfile.mkdtemp(prefix="bench-runs-")
    atexit.register(shutil.rmtree, env["RUNS_DIR"], ignore_errors=True)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a reader's laptop caches bytecode
    if any(DRIVER in case[1] for case in cases):
        display = start_virtual_display()
        if display:
            env["DISPLAY"] = display
        else:
            print("skipping the live-window rows: no Xvfb (apt-get install xvfb xauth)")
            cases = [case for case in cases if DRIVER not in case[1]]

    if not Path(MNIST, "MNIST", "raw").is_dir() and any(case[5] for case in cases):
        print(f"skipping the rows that need MNIST: no MNIST files under {MNIST}/MNIST/raw", flush=True)
        cases = [case for case in cases if not case[5]]

    rows, misses = [], []
    for chapter in dict.fromkeys(case[0] for case in cases):
        mine = [case for case in cases if case[0] == chapter]
        commands = list(dict.fromkeys(c for case in mine for c in case[1:3] if c))
        run(chapter, commands[0], env)  # warm-up: uv sync, bytecode cache
        times = {c: [] for c in commands}
        output = {c: [] for c in commands}
        for _ in range(args.runs):
            for c in commands:
                seconds, printed = run(chapter, c, env)
                times[c].append(seconds)
                output[c].append(printed)
        for _, command, baseline, pattern, floor, _ in mine:
            # Every run's final result: a run that diverged must show up here.
            row = [chapter, command, f"{statistics.median(times[command]):.1f}",
                   results(output[command], pattern)]
            if baseline:
                ratio = statistics.median(times[command]) / statistics.median(times[baseline])
                row += [baseline, f"{statistics.median(times[baseline]):.1f}",
                        results(output[baseline], pattern), f"{ratio:.0%}"]
                if floor:
                    met = ratio <= floor
                    row[-1] += f" (floor {floor:.0%}: {'met' if met else 'NOT MET'})"
                    misses += [] if met else [command]
            else:
                row += ["", "", "", ""]
            rows.append(row)
            print(" | ".join(row), flush=True)

    print(f"speed floors: {len(misses)} not met" + (": " + ", ".join(misses) if misses else ""))
    if chapters:  # a partial table must not replace the full one
        print("BENCHMARKS.md left as it is (run without --only to rewrite it)")
    else:
        write_report(rows, args.runs)
    sys.exit(1 if misses else 0)


def run(chapter, command, env):
    start = time.perf_counter()
    env = {**env, "RUNS_DIR": os.path.join(env["RUNS_DIR"], chapter)}  # one runs/ per chapter
    result = subprocess.run(["uv", "run", *command.split()], cwd=ROOT / chapter, env=env,
                            capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{chapter}: `uv run {command}` failed:\n{result.stderr}")
    return seconds, result.stdout


def results(outputs, pattern):
    found = [re.findall(pattern, output) for output in outputs]
    return " / ".join(short_number(f[-1]) if f else "?" for f in found)


def short_number(text):
    try:
        return f"{float(text):.4g}"
    except ValueError:
        return text  # e.g. "97.92%"


def start_virtual_display():
    """Start Xvfb on a free display, stopped when bench.py ends; ":N", or None."""
    if shutil.which("Xvfb") is None:
        return None
    read_end, write_end = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0",
                               "1280x1024x24", "-nolisten", "tcp"],
                              pass_fds=[write_end], stderr=subprocess.DEVNULL)
    atexit.register(server.terminate)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()  # written by Xvfb once it is ready
    return f":{number}" if number else None


def write_report(rows, runs):
    header = ["chapter", "command", "s", "final (each run)", "baseline", "s",
              "final (each run)", "time vs baseline"]
    short = lambda text: text.replace(MNIST, "$MNIST").replace(  # noqa: E731
        f"python {DRIVER}", "python $DRIVER")
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.date.today()} with `python3 bench.py --runs {runs}` on "
        f"{cpu_name()} ({os.cpu_count()} cores), {platform.system()}, Python {platform.python_version()}.",
        f"Whole-process wall time of `uv run ...` in the chapter folder, median of {runs} runs, "
        "headless (MPLBACKEND=Agg), bytecode cached. `$MNIST` is the folder holding MNIST/raw/. "
        "`python $DRIVER ...` rows open the live window (TkAgg) on a virtual X display (Xvfb): "
        "`$DRIVER` is `-m booktools.window_driver`, which closes the final window "
        "0.3 s after it opens.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for row in rows:
        cells = [row[0], f"`{short(row[1])}`", row[2], row[3],
                 f"`{short(row[4])}`" if row[4] else "-", row[5] or "-", row[6] or "-", row[7] or "-"]
        lines.append("| " + " | ".join(cells) + " |")
    report = ROOT / "BENCHMARKS.md"
    old = report.read_text(encoding="utf-8") if report.exists() else ""
    notes = old[old.index("\n## Notes"):] if "\n## Notes" in old else ""  # hand-written notes stay
    report.write_text("\n".join(lines) + "\n" + notes, encoding="utf-8")
    print("Wrote BENCHMARKS.md")


def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
