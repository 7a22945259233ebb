"""Time each chapter's default commands next to a plain version of the book's loop.

    python3 bench.py            # every chapter, median of 3 runs each
    python3 bench.py --runs 5 --only point_classifier_2d

Whole-process wall time (start-up, training, figure) of `uv run ...` in the
chapter folder, headless. Each row compares a command with a baseline: the
book's plain loop, or our own command without the extra it tests (--gif, the
live window, data augmentation). Runs of a chapter's commands alternate, so
all see the same machine load. Prints a table and, when every chapter ran,
rewrites the table of BENCHMARKS.md (its "## Notes" section is kept).
MNIST rows need the real data: MNIST_DATA_DIR (a folder holding MNIST/raw/),
default ../shared/mnist. Live-window rows need Xvfb (a virtual X display): the
script runs with the TkAgg backend under booktools.window_driver, which closes
the final window 0.3 s after it opens (the same in the --no-live baseline).
"""
import argparse
import atexit
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MNIST = os.environ.get("MNIST_DATA_DIR", str(ROOT.parent / "shared" / "mnist"))

DRIVER = "-m booktools.window_driver"  # a real window: see booktools/booktools/window_driver.py


def in_window(command):
    return f"python {DRIVER} {command}"


# (chapter, our command, baseline or None, regex for the final result)
LOSS = r"Loss: ([-\d.e]+)"
CURVE = "./src/train.py ./data/curve.csv complex"
DIGITS = f"./src/train.py --data-dir {MNIST}"
MLP = f"./src/train_mlp.py --data-dir {MNIST}"
ACCURACY = r"Test Accuracy: ([\d.]+%?)"
CASES = [
    ("point_classifier_2d", CURVE, "./bench/book_train.py ./data/curve.csv complex", LOSS),
    ("point_classifier_2d", "./src/train.py ./data/linear.csv simple",
     "./bench/book_train.py ./data/linear.csv simple", LOSS),
    ("point_classifier_2d", f"{CURVE} --gif outputs/bench.gif", CURVE, LOSS),
    ("point_classifier_2d", in_window(CURVE), in_window(f"{CURVE} --no-live"), LOSS),
    ("mnist", DIGITS, f"./bench/book_train.py --data-dir {MNIST}", ACCURACY),
    ("mnist", f"{DIGITS} --gif outputs/bench.gif", DIGITS, ACCURACY),
    ("mnist", in_window(DIGITS), in_window(f"{DIGITS} --no-live"), ACCURACY),
    ("mnist", f"./src/train_with_linear.py --data-dir {MNIST}", DIGITS, ACCURACY),
    ("mnist", MLP, None, ACCURACY),
    ("mnist", f"{MLP} --augment --save-model mnist_model_augment.pth", MLP, ACCURACY),
    ("mnist", f"./src/train_cnn.py --data-dir {MNIST}", MLP, ACCURACY),
    ("blobs_classifier", "./src/train.py", None, r"Accuracy: ([\d.]+)"),
    ("blobs_classifier", "./src/train.py --gif outputs/bench.gif", "./src/train.py",
     r"Accuracy: ([\d.]+)"),
    ("mlp_regression", "./src/train.py", None, r"Test R\^2: MLP ([\d.]+)"),
]


# The most a command may take of its baseline's time (the book's plain loop; for the CNN the MLP),
# on whichever CPU this runs.
FLOORS = {
    CURVE: 0.85,
    "./src/train.py ./data/linear.csv simple": 0.95,
    DIGITS: 0.60,
    f"./src/train_cnn.py --data-dir {MNIST}": 2.50,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per command (median)")
    parser.add_argument("--only", help="comma-separated chapter names")
    args = parser.parse_args()
    chapters = args.only.split(",") if args.only else None

    env = {**os.environ, "MPLBACKEND": "Agg"}
    # Runs are recorded (as a reader's are), into temporary folders: not the chapters' runs/.
    env["RUNS_DIR"] = tempfile.mkdtemp(prefix="bench-runs-")
    atexit.register(shutil.rmtree, env["RUNS_DIR"], ignore_errors=True)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a reader's laptop caches bytecode
    cases = [case for case in CASES if not chapters or case[0] in chapters]
    if any(DRIVER in case[1] for case in cases):
        display = start_virtual_display()
        if display:
            env["DISPLAY"] = display
        else:
            print("skipping the live-window rows: no Xvfb (apt-get install xvfb xauth)")
            cases = [case for case in cases if DRIVER not in case[1]]

    rows, misses = [], []
    for chapter in dict.fromkeys(case[0] for case in cases):
        if chapter == "mnist" and not Path(MNIST, "MNIST", "raw").is_dir():
            print(f"skipping {chapter}: no MNIST files under {MNIST}/MNIST/raw", flush=True)
            continue
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
        for _, command, baseline, pattern in mine:
            # Every run's final result: a run that diverged must show up here.
            row = [chapter, command, f"{statistics.median(times[command]):.1f}",
                   results(output[command], pattern)]
            if baseline:
                ratio = statistics.median(times[command]) / statistics.median(times[baseline])
                row += [baseline, f"{statistics.median(times[baseline]):.1f}",
                        results(output[baseline], pattern), f"{ratio:.0%}"]
                if command in FLOORS:
                    met = ratio <= FLOORS[command]
                    row[-1] += f" (floor {FLOORS[command]:.0%}: {'met' if met else 'NOT MET'})"
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
