"""Every script of every chapter runs where the console encodes output as cp932.

On Japanese Windows, Python writes to a file, a pipe or an editor's console in the
system code page, cp932, and stops with UnicodeEncodeError at the first character
cp932 lacks (`²`, `µ`, `—`, ...). PYTHONIOENCODING=cp932 does the same here. Each
script in <chapter>/src/ that can be run (has `if __name__ == "__main__":`) is run
with `uv run` from its chapter, once with --help and once with its quick run, and must
exit 0 (a script that needs a window: the status its quick run names) without a traceback,
its output readable as cp932.

The quick runs are the chapter's own, in its pyproject.toml: one line per script, the
arguments of a run of a few seconds.

    [tool.booktools]
    quick-model = "./src/train_mlp.py --epochs 1 --save-model {model} --no-show"   # writes {model}

    [tool.booktools.quick]
    "train.py" = "--epochs 20 --save {fig} --no-show"
    "runs.py" = ""                                         # no arguments
    "draw.py" = { args = "--model {model}", exit = 2 }     # needs a window: headless it exits 2

Placeholders: {fig} a .png to save the figure to (checked to exist), {tmp} a fresh
folder, {mnist_data} tiny synthetic MNIST files (a --data-dir), {model} the file that the
chapter's quick-model run writes (once per session). A script without a line is run with
--help only: its test id ends in "(default: --help only)" and the test warns, so nothing
is skipped silently. test_quick_table checks each chapter's table (a line for a script
that does not exist, an unknown key or placeholder).
"""
import os
import re
import shlex
import struct
import subprocess
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pytest

from conftest import CHAPTERS, ROOT, runs_dir

TABLE_KEYS = {"quick", "quick-model", "old-torch"}  # of [tool.booktools]; old-torch: platform_check
PLACEHOLDERS = {"fig", "tmp", "mnist_data", "model"}


def booktools_table(chapter):
    """The chapter's [tool.booktools] table ({} when it has none)."""
    # The checks' settings live in the chapter, so a new chapter brings its own and no list
    # here names it (as bench.py reads bench/cases.toml). In pyproject.toml rather than a file
    # of their own: it is the file that makes a folder a chapter (chapters.py), [tool.*] is
    # where tools keep their settings, and a new file would be one more row in every chapter
    # README's map of files. platform_check/test_old_versions.py reads the same table.
    text = (ROOT / chapter / "pyproject.toml").read_text("utf-8")
    return tomllib.loads(text).get("tool", {}).get("booktools", {})


def scripts():
    """chapter/src/name.py of every script a reader can run (helper modules have no __main__)."""
    return sorted(str(path.relative_to(ROOT).as_posix()) for chapter in CHAPTERS
                  for path in (ROOT / chapter / "src").glob("*.py")
                  if re.search(r"^if __name__ == .__main__.:", path.read_text("utf-8"), re.M))


def quick_run(script):
    """(arguments, exit status) of the quick run of chapter/src/name.py, or None when its
    chapter gives none (a malformed line is reported by test_quick_table)."""
    chapter, _, name = script.split("/")
    quick = booktools_table(chapter).get("quick", {})
    entry = quick.get(name) if isinstance(quick, dict) else None
    if isinstance(entry, dict):
        return entry.get("args", ""), entry.get("exit", 0)
    return None if entry is None else (entry, 0)


def placeholders(text):
    return set(re.findall(r"\{(\w*)\}", text))


def fill(text, values):
    """The words of `text` with the placeholders replaced."""
    return [word.format(**values) for word in shlex.split(text)]


def table_problems(chapter):
    """What is wrong with the chapter's quick runs, in words (empty when nothing is)."""
    table = booktools_table(chapter)
    if not isinstance(table, dict):
        return ["[tool.booktools] is not a table"]
    problems = [f"unknown key {key!r} in [tool.booktools] (known: {', '.join(sorted(TABLE_KEYS))})"
                for key in set(table) - TABLE_KEYS]
    runnable = {script.split("/")[2] for script in scripts() if script.startswith(f"{chapter}/")}
    quick = table.get("quick", {})
    if not isinstance(quick, dict):
        return problems + ["[tool.booktools.quick] is not a table"]
    texts = []
    for name, entry in quick.items():
        if name not in runnable:
            problems.append(f"quick: {name!r} is not a script in src/ (runnable: {', '.join(sorted(runnable))})")
        if isinstance(entry, dict):
            if set(entry) - {"args", "exit"}:
                problems.append(f"quick: {name}: unknown keys {sorted(set(entry) - {'args', 'exit'})} (known: args, exit)")
            if not isinstance(entry.get("exit", 0), int):
                problems.append(f"quick: {name}: exit must be a whole number")
            entry = entry.get("args", "")
        if not isinstance(entry, str):
            problems.append(f"quick: {name}: give the arguments as one string")
            continue
        texts.append((name, entry))
    model = table.get("quick-model")
    if model is not None:
        words = shlex.split(model) if isinstance(model, str) else []
        script = words[0].removeprefix("./src/") if words and words[0].startswith("./src/") else None
        if script not in runnable:
            problems.append(f"quick-model must start with ./src/<a script in src/>: {model!r}")
        if "model" not in placeholders(model or ""):
            problems.append("quick-model must write {model} (for example --save-model {model})")
        texts.append(("quick-model", model if isinstance(model, str) else ""))
    for name, text in texts:
        unknown = placeholders(text) - PLACEHOLDERS
        if unknown:
            problems.append(f"{name}: unknown placeholders {sorted(unknown)} (known: {sorted(PLACEHOLDERS)})")
        if "model" in placeholders(text) and model is None:
            problems.append(f"{name}: {{model}} needs a quick-model run in [tool.booktools]")
    return problems


def run_cp932(script, args, status=0):
    """Run one script as a reader on Japanese Windows would, output redirected."""
    chapter, _, name = script.split("/")
    env = {**os.environ, "PYTHONIOENCODING": "cp932", "MPLBACKEND": "Agg",
           "RUNS_DIR": runs_dir(f"cp932-{chapter}")}
    result = subprocess.run(["uv", "run", f"./src/{name}", *args], cwd=ROOT / chapter, env=env,
                            capture_output=True, timeout=300)
    # Strict decoding: what the script wrote must be cp932, as the console would show it.
    out, err = result.stdout.decode("cp932"), result.stderr.decode("cp932", errors="replace")
    assert result.returncode == status, f"exit {result.returncode}\n{(out + err)[-3000:]}"
    assert "Traceback" not in out + err, (out + err)[-3000:]
    assert "UnicodeEncodeError" not in out + err, (out + err)[-3000:]
    return out


def write_idx(raw, prefix, images, labels):
    with open(raw / f"{prefix}-images-idx3-ubyte", "wb") as f:
        f.write(struct.pack(">IIII", 2051, len(images), 28, 28) + images.tobytes())
    with open(raw / f"{prefix}-labels-idx1-ubyte", "wb") as f:
        f.write(struct.pack(">II", 2049, len(labels)) + labels.tobytes())


@pytest.fixture(scope="session")
def mnist_dir(tmp_path_factory):
    """A --data-dir with tiny IDX files: blurry bars whose position depends on the digit."""
    root = tmp_path_factory.mktemp("tiny_mnist")
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in [("train", 200), ("t10k", 100)]:
        labels = np.tile(np.arange(10, dtype=np.uint8), n // 10)
        images = rng.integers(0, 60, size=(n, 28, 28)).astype(np.uint8)
        for image, label in zip(images, labels):
            image[4 + 2 * label:7 + 2 * label, 4:24] = 255
        write_idx(raw, prefix, images, labels)
    return root


@pytest.fixture(scope="session")
def quick_models(tmp_path_factory):
    """model(chapter, values): the file {model} that the chapter's quick-model run writes,
    run once per chapter and session (under cp932 too)."""
    made = {}

    def model(chapter, values):
        if chapter not in made:
            folder = tmp_path_factory.mktemp("model")
            words = fill(booktools_table(chapter)["quick-model"],
                         {**values, "tmp": folder, "fig": folder / "figure.png", "model": folder / "model.pth"})
            run_cp932(f"{chapter}/src/{words[0].removeprefix('./src/')}", words[1:])
            assert (folder / "model.pth").exists(), f"the quick-model run wrote no {{model}} ({folder / 'model.pth'})"
            made[chapter] = folder / "model.pth"
        return made[chapter]
    return model


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_quick_table(chapter):
    problems = table_problems(chapter)
    assert not problems, f"{chapter}/pyproject.toml, [tool.booktools]:\n" + "\n".join(problems)


def test_this_check_names_no_chapter():
    # What runs in a chapter is the chapter's to say (its pyproject.toml), not this file's.
    text = Path(__file__).read_text("utf-8")
    named = [name for name in CHAPTERS if re.search(rf"(?<![\w/.-]){re.escape(name)}(?!\w)", text)]
    assert not named, f"test_cp932.py names chapters: {named}"


def test_a_new_chapter_gets_the_default_and_a_wrong_table_is_named(tmp_path, monkeypatch):
    # A repository with one chapter: first without [tool.booktools], then with a wrong one.
    pyproject = '[project]\nname = "new"\nversion = "0"\ndependencies = ["booktools"]\n'
    (tmp_path / "new" / "src").mkdir(parents=True)
    (tmp_path / "new" / "src" / "train.py").write_text('if __name__ == "__main__":\n    pass\n', "utf-8")
    (tmp_path / "new" / "src" / "helper.py").write_text("x = 1\n", "utf-8")
    (tmp_path / "new" / "pyproject.toml").write_text(pyproject, "utf-8")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    monkeypatch.setitem(globals(), "CHAPTERS", ["new"])
    assert scripts() == ["new/src/train.py"]
    assert quick_run("new/src/train.py") is None and table_problems("new") == []

    (tmp_path / "new" / "pyproject.toml").write_text(pyproject + (
        '[tool.booktools]\nquik = 1\n[tool.booktools.quick]\n"train.py" = { args = "--save {fig} --model {model}", exit = 2 }\n'
        '"helper.py" = ""\n"gone.py" = "{figure}"\n'), "utf-8")
    assert quick_run("new/src/train.py") == ("--save {fig} --model {model}", 2)
    assert table_problems("new") == [
        "unknown key 'quik' in [tool.booktools] (known: old-torch, quick, quick-model)",
        "quick: 'helper.py' is not a script in src/ (runnable: train.py)",
        "quick: 'gone.py' is not a script in src/ (runnable: train.py)",
        "train.py: {model} needs a quick-model run in [tool.booktools]",
        "gone.py: unknown placeholders ['figure'] (known: ['fig', 'mnist_data', 'model', 'tmp'])"]


@pytest.mark.parametrize("script", [
    pytest.param(script, marks=pytest.mark.xdist_group(f"cp932 {script}"),
                 id=script if quick_run(script) else f"{script} (default: --help only)")
    for script in scripts()])
def test_script_runs_under_cp932(script, request, tmp_path):
    usage = run_cp932(script, ["--help"])
    assert "usage:" in usage

    chapter, _, name = script.split("/")
    quick = quick_run(script)
    if quick is None:
        warnings.warn(f"{script}: --help only (the default): give it a quick run, a line "
                      f'"{name}" = "ARGS" in [tool.booktools.quick] of {chapter}/pyproject.toml')
        return
    assert not table_problems(chapter), f"{chapter}/pyproject.toml: see test_quick_table"
    args, status = quick
    fig = tmp_path / "figure.png"
    values = {"fig": fig, "tmp": tmp_path}
    needed = placeholders(args) | placeholders(booktools_table(chapter).get("quick-model", ""))
    if "mnist_data" in needed:
        values["mnist_data"] = request.getfixturevalue("mnist_dir")
    if "model" in placeholders(args):
        values["model"] = request.getfixturevalue("quick_models")(chapter, values)
    out = run_cp932(script, fill(args, values), status)
    assert out.strip(), "the script printed nothing"
    if "{fig}" in args:
        assert fig.exists() and fig.stat().st_size > 5_000, f"no figure at {fig}\n{out[-2000:]}"
        assert f"Saved figure to {fig}" in out
