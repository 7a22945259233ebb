"""Time each chapter's default commands next to a plain version of the book's loop.

    python3 bench.py            # every chapter, median of 3 runs each
    python3 bench.py --runs 5 --only point_classifier_2d

Whole-process wall time (start-up, training, figure) of `uv run ...` in the
chapter folder, headless. Runs of a command and its baseline alternate, so
both see the same machine load. Prints a table and, when every chapter ran,
rewrites the table of BENCHMARKS.md (its "## Notes" section is kept).
MNIST rows need the real data: MNIST_DATA_DIR (a folder holding MNIST/raw/),
default ../shared/mnist.
"""
import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MNIST = os.environ.get("MNIST_DATA_DIR", str(ROOT.parent / "shared" / "mnist"))

# (chapter, our command, plain baseline or None, regex for the final result)
LOSS = r"Loss: ([-\d.e]+)"
CASES = [
    ("point_classifier_2d", "./src/train.py ./data/curve.csv complex",
     "./bench/book_train.py ./data/curve.csv complex", LOSS),
    ("point_classifier_2d", "./src/train.py ./data/linear.csv simple",
     "./bench/book_train.py ./data/linear.csv simple", LOSS),
    ("mnist", f"./src/train.py --data-dir {MNIST}",
     f"./bench/book_train.py --data-dir {MNIST}", r"Test Accuracy: ([\d.]+)"),
    ("mnist", f"./src/train_mlp.py --data-dir {MNIST}", None, r"Test Accuracy: ([\d.]+%)"),
    ("blobs_classifier", "./src/train.py", None, r"Accuracy: ([\d.]+)"),
    ("mlp_regression", "./src/train.py", None, r"Test R²: MLP ([\d.]+)"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per command (median)")
    parser.add_argument("--only", help="comma-separated chapter names")
    args = parser.parse_args()
    chapters = args.only.split(",") if args.only else None

    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a reader's laptop caches bytecode

    rows = []
    for chapter, command, baseline, pattern in CASES:
        if chapters and chapter not in chapters:
            continue
        if chapter == "mnist" and not Path(MNIST, "MNIST", "raw").is_dir():
            print(f"skipping {chapter}: no MNIST files under {MNIST}/MNIST/raw", flush=True)
            continue
        commands = [command] + ([baseline] if baseline else [])
        for c in commands:  # warm-up: uv sync, bytecode cache, data download
            run(chapter, c, env)
        times = {c: [] for c in commands}
        results = {c: [] for c in commands}
        for _ in range(args.runs):
            for c in commands:
                seconds, output = run(chapter, c, env)
                times[c].append(seconds)
                found = re.findall(pattern, output)
                results[c].append(short_number(found[-1]) if found else "?")
        ours = statistics.median(times[command])
        # Every run's final result: a run that diverged must show up here.
        row = [chapter, command, f"{ours:.1f}", " / ".join(results[command])]
        if baseline:
            theirs = statistics.median(times[baseline])
            row += [baseline, f"{theirs:.1f}", " / ".join(results[baseline]),
                    f"{ours / theirs:.0%}"]
        else:
            row += ["", "", "", ""]
        rows.append(row)
        print(" | ".join(row), flush=True)

    if chapters:  # a partial table must not replace the full one
        print("BENCHMARKS.md left as it is (run without --only to rewrite it)")
    else:
        write_report(rows, args.runs)


def run(chapter, command, env):
    start = time.perf_counter()
    result = subprocess.run(["uv", "run", *command.split()], cwd=ROOT / chapter, env=env,
                            capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{chapter}: `uv run {command}` failed:\n{result.stderr}")
    return seconds, result.stdout


def short_number(text):
    try:
        return f"{float(text):.4g}"
    except ValueError:
        return text  # e.g. "97.92%"


def write_report(rows, runs):
    header = ["chapter", "command", "s", "final (each run)", "baseline (book's plain loop)", "s",
              "final (each run)", "time vs baseline"]
    short = lambda text: text.replace(MNIST, "$MNIST")  # noqa: E731
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.date.today()} with `python3 bench.py --runs {runs}` on "
        f"{cpu_name()} ({os.cpu_count()} cores), {platform.system()}, Python {platform.python_version()}.",
        f"Whole-process wall time of `uv run ...` in the chapter folder, median of {runs} runs, "
        "headless (MPLBACKEND=Agg), bytecode cached. `$MNIST` is the folder holding MNIST/raw/.",
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
