r"""Each chapter's main script runs on an Intel Mac's versions: torch 2.2.2, numpy 1.26.4
(and torchvision 0.17.2 where the chapter depends on torchvision), installed here over the
chapter's own environment with `uv run --with`.

A short run of each, as a reader runs it (headless, few epochs): it must exit 0, really
import the old versions, and print the book's loss lines with finite, falling losses.
What runs is the chapter's to say, in its pyproject.toml (why there: readme_check/test_cp932.py):

    [tool.booktools.old-torch]
    run = "./src/train.py --epochs 300 --no-show --save {fig}"   # the script and its arguments
    falls = 'Epoch: \d+, Loss: {number}'       # a regular expression: the number that must fall
    lines = 3                                 # how many lines it matches (default: at least 2)
    falls-to = 0.5                            # the last below this share of the first (default 1)
    above = { 'Accuracy: {number}' = 0.8 }    # numbers it must print, each above its floor

Placeholders in `run`: {fig} a .png the run saves (checked to exist), {tmp} a fresh folder,
{mnist_data} tiny MNIST files (a --data-dir). Every number `falls` matches must be finite.

A chapter without the table (or a key of it) gets the default, named in its test id and
in a warning, so nothing is skipped silently: its ./src/train.py with the arguments of its
quick run ([tool.booktools.quick] "train.py") or, without one, with --help; the losses of
lines like `Epoch 3, Loss: 0.25` (or `Epoch: 3, Train Loss: 0.25`) finite, and falling where
it prints two or more. A chapter without ./src/train.py: the old versions' import only.

    uv run --no-project --with pytest pytest platform_check     (./test.sh runs it)
"""
import math
import os
import re
import runpy
import shlex
import struct
import subprocess
import tomllib
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = runpy.run_path(str(ROOT / "booktools" / "booktools" / "chapters.py"))["find_chapters"](ROOT)
OLD = {"torch": "2.2.2", "numpy": "1.26.4", "torchvision": "0.17.2"}
NUMBER = r"(?P<number>[-+0-9.eE]+|nan|inf)"
TABLE_KEYS = {"quick", "quick-model", "old-torch"}  # of [tool.booktools]; quick: readme_check
KEYS = {"run", "falls", "lines", "falls-to", "above"}
PLACEHOLDERS = {"fig", "tmp", "mnist_data"}
DEFAULT_FALLS = r"Epoch:? \d+, (?:\w+ )?Loss: {number}"


def booktools_table(chapter):
    """The chapter's [tool.booktools] table ({} when it has none)."""
    text = (ROOT / chapter / "pyproject.toml").read_text("utf-8")
    return tomllib.loads(text).get("tool", {}).get("booktools", {})


def plan(chapter):
    """What runs in the chapter: run (the words after `uv run`, None for the import only),
    falls, lines, falls_to, above, strict (whether the chapter gave `falls`), and defaults
    (what the chapter left to the default, in words; empty when nothing)."""
    table = booktools_table(chapter)
    old = table.get("old-torch", {})
    old = old if isinstance(old, dict) else {}  # test_old_torch_table says what is wrong
    defaults = []
    run = old.get("run")
    if run is None:
        quick = table.get("quick", {})
        quick = quick.get("train.py") if isinstance(quick, dict) else None
        if not (ROOT / chapter / "src" / "train.py").exists():
            defaults.append("imports only, no ./src/train.py")
        elif isinstance(quick, str) and not {"model"} & set(re.findall(r"\{(\w*)\}", quick)):
            run = f"./src/train.py {quick}"
            defaults.append("./src/train.py's quick run")
        else:
            run = "./src/train.py --help"
            defaults.append("./src/train.py --help")
    if "falls" not in old and run is not None and not run.endswith(" --help"):
        defaults.append("Epoch-line losses")
    return dict(run=shlex.split(run) if run is not None else None, falls=old.get("falls", DEFAULT_FALLS),
                lines=old.get("lines"), falls_to=old.get("falls-to", 1.0), above=old.get("above", {}),
                strict="falls" in old, defaults=defaults)


def table_problems(chapter):
    """What is wrong with the chapter's [tool.booktools.old-torch], in words (empty when nothing is)."""
    table = booktools_table(chapter)
    problems = [f"unknown key {key!r} in [tool.booktools] (known: {', '.join(sorted(TABLE_KEYS))})"
                for key in set(table) - TABLE_KEYS]
    old = table.get("old-torch", {})
    if not isinstance(old, dict):
        return problems + ["[tool.booktools.old-torch] is not a table"]
    problems += [f"unknown key {key!r} (known: {', '.join(sorted(KEYS))})" for key in set(old) - KEYS]
    run = old.get("run", "./src/train.py")
    words = shlex.split(run) if isinstance(run, str) else []
    if "run" in old and not (words and words[0].startswith("./src/") and (ROOT / chapter / words[0]).is_file()):
        problems.append(f"run must start with ./src/<a script in src/>: {run!r}")
    unknown = set(re.findall(r"\{(\w*)\}", run if isinstance(run, str) else "")) - PLACEHOLDERS
    if unknown:
        problems.append(f"run: unknown placeholders {sorted(unknown)} (known: {sorted(PLACEHOLDERS)})")
    above = old.get("above", {})
    for name, pattern in [("falls", old.get("falls", DEFAULT_FALLS)),
                          *(("above", p) for p in (above if isinstance(above, dict) else {}))]:
        if not isinstance(pattern, str) or "{number}" not in pattern:
            problems.append(f"{name}: {pattern!r} must be a regular expression with {{number}} in it")
            continue
        try:
            re.compile(pattern.replace("{number}", NUMBER))
        except re.error as error:
            problems.append(f"{name}: {pattern!r} is not a regular expression ({error})")
    if not isinstance(above, dict) or not all(isinstance(floor, (int, float)) for floor in above.values()):
        problems.append("above must be a table: regular expression = the floor its number is above")
    if not isinstance(old.get("lines", 2), int) or old.get("lines", 2) < 2:
        problems.append("lines must be a whole number, 2 or more (a first and a last loss)")
    if not isinstance(old.get("falls-to", 1.0), (int, float)) or not 0 < old.get("falls-to", 1.0) <= 1:
        problems.append("falls-to must be a number above 0, at most 1")
    return problems


def old_packages(chapter):
    """torch and numpy, and torchvision where the chapter depends on it."""
    text = (ROOT / chapter / "pyproject.toml").read_text("utf-8")
    dependencies = tomllib.loads(text).get("project", {}).get("dependencies", [])
    names = {re.match(r"\s*([A-Za-z0-9._-]*)", d).group(1).lower() for d in dependencies}
    return ("torch", "numpy") + (("torchvision",) if "torchvision" in names else ())


def run_old(chapter, args, tmp_path, packages=("torch", "numpy")):
    """`uv run --with torch==2.2.2 --with numpy==1.26.4 ARGS` in the chapter: its output."""
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env.update(MPLBACKEND="Agg", RUNS_DIR=str(tmp_path / "runs"), PYTHONIOENCODING="utf-8")
    withs = [arg for p in packages for arg in ("--with", f"{p}=={OLD[p]}")]
    done = subprocess.run(["uv", "run", "--quiet", *withs, *args], cwd=ROOT / chapter, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=600)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def assert_old_versions(chapter, tmp_path, packages):
    code = "; ".join(f"import {p}; print({p}.__version__)" for p in packages)
    printed = run_old(chapter, ["python", "-c", code], tmp_path, packages).split()
    # Linux's torch wheel says 2.2.2+cu121
    assert [v.split("+")[0] for v in printed] == [OLD[p] for p in packages], printed


def numbers(pattern, out):
    """The {number} of every line `pattern` matches, each finite."""
    found = [float(m.group("number")) for m in re.finditer(pattern.replace("{number}", NUMBER), out, re.M)]
    assert all(math.isfinite(x) for x in found), f"{pattern}: {found}\n{out}"
    return found


def write_tiny_mnist(root):
    """root/MNIST/raw/ with 200 training and 100 test images in MNIST's IDX format: each
    digit a bright square in its own place, so a few epochs learn it."""
    import random

    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = random.Random(0)
    for prefix, n in (("train", 200), ("t10k", 100)):
        labels = [i % 10 for i in range(n)]
        pixels = bytearray()
        for label in labels:
            image = bytearray(rng.randrange(40) for _ in range(28 * 28))
            top, left = 2 + 8 * (label // 4), 2 + 6 * (label % 4)
            for r in range(top, top + 6):
                for c in range(left, left + 6):
                    image[r * 28 + c] = 255
            pixels += image
        (raw / f"{prefix}-images-idx3-ubyte").write_bytes(struct.pack(">IIII", 2051, n, 28, 28) + pixels)
        (raw / f"{prefix}-labels-idx1-ubyte").write_bytes(struct.pack(">II", 2049, n) + bytes(labels))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_old_torch_table(chapter):
    problems = table_problems(chapter)
    assert not problems, f"{chapter}/pyproject.toml, [tool.booktools.old-torch]:\n" + "\n".join(problems)


def test_this_check_names_no_chapter():
    # What runs in a chapter is the chapter's to say (its pyproject.toml), not this file's.
    text = Path(__file__).read_text("utf-8")
    named = [name for name in CHAPTERS if re.search(rf"(?<![\w/.-]){re.escape(name)}(?!\w)", text)]
    assert not named, f"test_old_versions.py names chapters: {named}"


def test_a_new_chapter_gets_the_default_and_a_wrong_table_is_named(tmp_path, monkeypatch):
    # A repository with one chapter: without src/train.py, with it, with a quick run, with a wrong table.
    pyproject = '[project]\nname = "new"\nversion = "0"\ndependencies = ["booktools", "torchvision>=0.17"]\n'
    (tmp_path / "new" / "src").mkdir(parents=True)
    (tmp_path / "new" / "pyproject.toml").write_text(pyproject, "utf-8")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert old_packages("new") == ("torch", "numpy", "torchvision")
    assert plan("new")["run"] is None and case_id("new") == "new (default: imports only, no ./src/train.py)"
    (tmp_path / "new" / "src" / "train.py").write_text("", "utf-8")
    assert plan("new")["run"] == ["./src/train.py", "--help"] and not plan("new")["strict"]
    assert case_id("new") == "new (default: ./src/train.py --help)"
    (tmp_path / "new" / "pyproject.toml").write_text(
        pyproject + '[tool.booktools.quick]\n"train.py" = "--epochs 3 --save {fig}"\n', "utf-8")
    assert plan("new")["run"] == ["./src/train.py", "--epochs", "3", "--save", "{fig}"]
    assert case_id("new") == "new (default: ./src/train.py's quick run; Epoch-line losses)"
    assert numbers(plan("new")["falls"], "Epoch 0, Loss: 0.5\nEpoch: 10, Train Loss: 0.25, Test Loss: 9\n") == [0.5, 0.25]
    assert table_problems("new") == []

    (tmp_path / "new" / "pyproject.toml").write_text(pyproject + (
        '[tool.booktools.old-torch]\nrun = "./src/gone.py {model}"\nfalls = "Loss: ("\nlines = 1\n'
        'falls-to = 2\nabove = { "Accuracy" = "high" }\nfall = 1\n'), "utf-8")
    assert case_id("new") == "new"
    problems = table_problems("new")
    assert problems[0] == "unknown key 'fall' (known: above, falls, falls-to, lines, run)"
    assert problems[1:3] == ["run must start with ./src/<a script in src/>: './src/gone.py {model}'",
                             "run: unknown placeholders ['model'] (known: ['fig', 'mnist_data', 'tmp'])"]
    assert [problem.split(":")[0] for problem in problems[3:]] == ["falls", "above", "above must be a table",
                                                                  "lines must be a whole number, 2 or more (a first and a last loss)",
                                                                  "falls-to must be a number above 0, at most 1"]


def case_id(chapter):
    defaults = plan(chapter)["defaults"]
    return f"{chapter} (default: {'; '.join(defaults)})" if defaults else chapter


@pytest.mark.parametrize("chapter", [pytest.param(c, id=case_id(c)) for c in CHAPTERS])
def test_main_script_on_old_versions(chapter, tmp_path):
    packages = old_packages(chapter)
    assert_old_versions(chapter, tmp_path, packages)
    assert not table_problems(chapter), f"{chapter}/pyproject.toml: see test_old_torch_table"
    todo = plan(chapter)
    said = f"{chapter}: [tool.booktools.old-torch] leaves to the default: {'; '.join(todo['defaults'])}"
    if todo["run"] is None:
        warnings.warn(f"{said} (the old versions' import was checked)")
        return

    fig = tmp_path / "figure.png"
    values = {"fig": fig, "tmp": tmp_path, "mnist_data": tmp_path / "data"}
    if "{mnist_data}" in " ".join(todo["run"]):
        write_tiny_mnist(tmp_path / "data")
    out = run_old(chapter, [word.format(**values) for word in todo["run"]], tmp_path, packages)
    if todo["run"][1:] == ["--help"]:
        assert "usage:" in out, out

    found = numbers(todo["falls"], out)
    if todo["strict"] or todo["lines"] is not None:
        assert len(found) >= 2 if todo["lines"] is None else len(found) == todo["lines"], \
            f"{len(found)} lines match {todo['falls']!r}\n{out}"
    if len(found) >= 2:
        assert found[-1] < found[0] * todo["falls_to"], f"{todo['falls']!r}: {found} do not fall\n{out}"
    for pattern, floor in todo["above"].items():
        match = re.search(pattern.replace("{number}", NUMBER), out, re.M)
        assert match and float(match.group("number")) > floor, f"{pattern!r}: not above {floor}\n{out}"
    if "{fig}" in " ".join(todo["run"]):
        assert fig.exists() and fig.stat().st_size > 0, f"no figure at {fig}\n{out[-2000:]}"
    if todo["defaults"] and todo["run"][1:] == ["--help"]:
        warnings.warn(f"{said} (it printed its usage; nothing trained: give it a short run in "
                      f"[tool.booktools.old-torch] or [tool.booktools.quick])")
    elif todo["defaults"]:
        warnings.warn(f"{said} ({len(found)} losses, finite"
                      + (", falling)" if len(found) >= 2 else "; too few to say whether they fall)"))
