"""Follow each README top to bottom, as a reader does, in one fresh copy of the repository
under a folder with Japanese characters and spaces, and check that what the README shows
is what that order produces.

A reader starts with the top README, whose first commands already run in a chapter's folder
(a training run there is recorded as that chapter's run 1), and goes on in that folder with the
chapter's README. So a chapter README is followed after the top README's commands that run in
its chapter (their outputs are compared where the top README itself is followed), in the same
copy, and the run numbers a chapter README shows are those such a reader sees.

How a README is read:
- ```sh / ```bash blocks hold what the reader types: `cd` moves (a chapter README starts in
  its chapter), `uv run ...` runs (headless: MPLBACKEND=Agg); other lines are left alone, and
  so is `uv run --group dev pytest ...` (a chapter's tests: ./test.sh runs every suite itself).
- The first ```text block after a ```sh block, before the next ```sh block, is the output of
  that block's last command. Its lines must come out in that order; a line `...` stands for
  any lines left out (the README trims long output). Lines are compared with runs of spaces
  folded, with times and dates aside (`11-27 10:37` and a runs.py table's seconds), and
  with the folder the copy lies in written `/path/to/` (as the READMEs write it).
  Decimals (losses, accuracies) must have the same digits where the README was measured; on
  another CPU or torch version they move (the READMEs give the ranges), so they are compared
  as numbers only when README_EXACT=1. Whole numbers (epochs, run numbers, line numbers in
  a traceback, a diff's hunks, parameter counts) are always compared.
- A number that the README says moves from CPU to CPU is marked by a hidden line before its
  output block, each marked number with a few characters around it:
      <!-- check: moves: fc2 94, Loss: 0.003077700035646558 -->
  It is compared as any other on the machine the README was measured on (README_EXACT=1), and
  left aside on the other float path: README_FLOAT_PATH=avx2 runs every script with AVX2
  kernels (ATEN_CPU_CAPABILITY=avx2, as on AMD CPUs) and compares every other number exactly,
  listing each one that differs there unmarked.
- An exercise that edits code carries a hidden line the reader does not see, at the point
  where the README tells the reader to edit or to undo the edit:
      <!-- check: edit src/train.py: torch.nn.Linear(2, 128) => torch.nn.Linear(2, 64) -->
      <!-- check: undo src/train.py -->
  (`\n` in an edit is a line break; nothing after `=>` removes the text.) The check performs
  it there.
- A command whose README output shows a traceback or an `error:` line may end with an error;
  every other command must exit 0 without a traceback, and one that draws (not --help, not
  runs.py's table or --diff, not the scripts that only print) must print `Saved figure to`.
  draw.py needs a window: headless it must stop with exit 2 and one line naming predict.py.

    ./test.sh runs it (README_EXACT=1 ./test.sh: decimals too; README_FLOAT_PATH=avx2: the
    other float path, listing the numbers that move there and are not marked)
"""
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import CHAPTERS, MNIST_FILES, ROOT, real_mnist_source

PRINTS_ONLY = re.compile(r"/(basics|make_data|make_rent_data|check_setup)\.py\b|--help\b"
                         r"|/runs\.py( --diff( \d+)?| --clear( --yes)?)?$")
NEEDS_A_WINDOW = {"draw.py": "predict.py"}
RUNS_A_SUITE = re.compile(r"^uv run (--group dev )?pytest\b")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n?|^<!-- check: (.*?) -->\n?", re.S | re.M)
OTHER_PATH = os.environ.get("README_FLOAT_PATH") == "avx2"
EXACT = os.environ.get("README_EXACT") == "1" or OTHER_PATH
NUMBER = r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?%?(?![\w.])"  # (not the 2 of "fc2")


def readme_steps(readme):
    """The README's steps in order: ("run", command lines), ("output", (text, marked numbers that
    move from CPU to CPU)), ("check", what)."""
    steps, moves = [], []
    for match in FENCE.finditer(readme.read_text("utf-8")):
        kind, body, check = match.groups()
        if check is not None and check.strip().startswith("moves:"):
            moves = [token.strip() for token in check.strip()[len("moves:"):].split(",") if token.strip()]
        elif check is not None:
            steps.append(("check", check.strip()))
        elif kind in ("sh", "bash", "shell"):
            steps.append(("run", [line.strip() for line in body.splitlines() if line.strip()]))
        elif kind == "text" and steps and steps[-1][0] == "run":
            steps.append(("output", (body, moves)))
            moves = []
    return steps


def move(base, folder, target):
    """Where `cd target` leads from `folder`: `cd point_classifier_2d` means the chapter, from
    wherever the reader is."""
    return base / target if (base / target).is_dir() else folder / target


def commands_run_in(readme, base, chapter):
    """The `uv run` lines of `readme` (which starts in `base`) that run in `chapter`'s folder, in order."""
    folder, found = base, []
    for kind, value in readme_steps(readme):
        for line in value if kind == "run" else []:
            if line.startswith("cd "):
                folder = move(base, folder, line[3:].strip())
            elif line.startswith("uv run ") and not RUNS_A_SUITE.match(line) and folder == chapter:
                found.append(line)
    return found


def normalize(line, folder=None, exact=EXACT, moves=()):
    """A line as compared: the copy's folder as /path/to/, times and dates and runs of spaces
    folded, decimals as <n> (unless exact), the numbers of the marked tokens (moves) as <m>."""
    if folder is not None:
        line = line.replace(str(folder), "/path/to")
    line = re.sub(r"/path/to/(\.\.\./)?", "/path/to/", line)
    line = re.sub(r"\b(\d{4}-)?\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?\b", "<time>", line)
    line = re.sub(r"(<time>)\s+\d+\.\d+\b", r"\1 <seconds>", line)  # runs.py's seconds column
    for token in moves:
        parts = re.split(f"({NUMBER})", token)  # text, number, text, number ...
        pattern = "".join(re.escape(part) if index % 2 == 0 else NUMBER for index, part in enumerate(parts))
        line = re.sub(pattern, "".join(part if index % 2 == 0 else "<m>" for index, part in enumerate(parts)), line)
    if not exact:
        line = re.sub(r"(?<![\w.])-?\d+\.\d+(e[-+]?\d+)?%?(?![\w.])", "<n>", line)
    return " ".join(line.split())


def compare(expected, actual, folder, moves=()):
    """None when the README's text (with `...` gaps) is found in the output in order,
    else a message saying the first README line not found. Exact (README_EXACT=1, or on the
    other float path): also every number, but on the other float path the marked ones (moves);
    the message then lists every number that differs."""
    pairs = align(expected, actual, folder, moves)
    if isinstance(pairs, str):
        return pairs
    if not EXACT:
        return None
    kept = moves if OTHER_PATH else ()
    differ = [(readme, out) for readme, out in pairs
              if normalize(readme, exact=True, moves=kept) != normalize(out, folder, exact=True, moves=kept)]
    if not differ:
        return None
    where = "on the other float path, not marked as moving" if OTHER_PATH else "here"
    return f"numbers that differ {where}:\n" + "\n".join(f"  README {readme.strip()!r}\n  output {out.strip()!r}"
                                                        for readme, out in differ)


def align(expected, actual, folder, moves):
    """The README's lines each with the output line it stands for (decimals and marked numbers
    aside), or a message saying the first README line not found in order."""
    def loose(line, where=None):
        return normalize(line, where, exact=False, moves=moves)

    raw = actual.splitlines()
    lines = [loose(line, folder) for line in raw]
    position, pairs = 0, []
    segments, current = [], []
    for line in expected.splitlines():
        if line.strip() in ("...", "…"):
            segments.append(current)
            current = []
        else:
            current.append(line)
    segments.append(current)
    for segment in (s for s in segments if s):
        wanted = [loose(line) for line in segment]
        for start in range(position, len(lines) - len(wanted) + 1):
            if lines[start:start + len(wanted)] == wanted:
                pairs += zip(segment, raw[start:start + len(wanted)])
                position = start + len(wanted)
                break
        else:
            first_missing = next((line for line in wanted if line not in lines[position:]), wanted[0])
            return f"README line not in the output (after line {position}): {first_missing!r}"
    return pairs


def perform(check, chapter_copy, originals):
    """An edit or undo that the README tells the reader to make."""
    action, _, rest = check.partition(" ")
    if action == "edit":
        name, _, change = rest.partition(": ")
        old, _, new = (part.replace("\\n", "\n") for part in change.partition(" =>"))
        new = new[1:] if new.startswith(" ") else new  # "a =>" (nothing after it): a removal
        path = chapter_copy / name
        originals.setdefault(name, path.read_text("utf-8"))
        text = path.read_text("utf-8")
        assert old in text, f"the README's edit of {name}: {old!r} is not in the code"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    elif action == "undo":
        (chapter_copy / rest).write_text(originals.pop(rest), encoding="utf-8")
    else:
        raise AssertionError(f"unknown check step: {check!r}")


def test_the_step_reader_reads_edits_outputs_and_gaps(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("text\n\n```sh\nuv run ./src/a.py\n```\n\nout:\n\n```text\nEpoch 0, Loss: 0.5\n...\ndone\n```\n"
                      "<!-- check: edit src/a.py: x = 1 => x = 2 -->\n```sh\ncd ..\nuv run ./src/b.py\n```\n"
                      "```python\nnot run\n```\n<!-- check: undo src/a.py -->\n", encoding="utf-8")
    assert readme_steps(readme) == [
        ("run", ["uv run ./src/a.py"]), ("output", ("Epoch 0, Loss: 0.5\n...\ndone\n", [])),
        ("check", "edit src/a.py: x = 1 => x = 2"), ("run", ["cd ..", "uv run ./src/b.py"]),
        ("check", "undo src/a.py")]
    out = "Model\nEpoch 0, Loss: 0.61\nEpoch 1, Loss: 0.4\ndone\n"
    assert compare("Epoch 0, Loss: 0.5\n...\ndone\n", out, None) is None or EXACT
    assert compare("Epoch 1, Loss: 0.5\n...\ndone\n", out, None) is None or EXACT
    assert "Epoch 2" in compare("Epoch 2, Loss: 0.5\n", out, None)
    assert compare("done\n...\nEpoch 0, Loss: 0.5\n", out, None) is not None  # order counts
    assert compare("   1  2026-11-27 02:50     8.8  loss 0.3545  first\n",
                   "   1  2026-12-06 10:37    12.1  loss 0.3545  first\n", None) is None
    # Numbers marked as moving from CPU to CPU: whole numbers too, only where marked.
    marked = tmp_path / "marked.md"
    marked.write_text("```sh\nuv run ./src/a.py\n```\n<!-- check: moves: fc2 94, Loss: 0.0031 -->\n"
                      "```text\nDead: fc1 108 of 128, fc2 94 of 128\n```\n", encoding="utf-8")
    (_, _), (_, (text, moves)) = readme_steps(marked)
    assert moves == ["fc2 94", "Loss: 0.0031"]
    other = "Dead: fc1 108 of 128, fc2 90 of 128\n"
    assert compare(text, other, None, moves) is None or (EXACT and not OTHER_PATH)
    assert "fc2 94" in compare(text, other, None)  # unmarked: a whole number that differs
    assert "fc1 108" in compare(text, "Dead: fc1 110 of 128, fc2 90 of 128\n", None, moves)
    folder = tmp_path / "読者 の フォルダ"
    assert compare("Saved figure to /path/to/point_classifier_2d/outputs/x.png\n",
                   f"Saved figure to {folder}/point_classifier_2d/outputs/x.png\n", folder) is None
    top = tmp_path / "top.md"
    top.write_text("```sh\ncd ch\nuv run ./src/a.py x\n```\n```sh\ncd other\nuv run ./src/b.py\n```\n"
                   "```sh\ncd ch\nuv run --group dev pytest\nuv run ./src/c.py\n```\n", encoding="utf-8")
    for name in ("ch", "other"):
        (tmp_path / name).mkdir()
    assert commands_run_in(top, tmp_path, tmp_path / "ch") == ["uv run ./src/a.py x", "uv run ./src/c.py"]
    assert commands_run_in(top, tmp_path, tmp_path / "other") == ["uv run ./src/b.py"]
    code = tmp_path / "src" / "a.py"
    code.parent.mkdir()
    code.write_text("x = 1\n", encoding="utf-8")
    originals = {}
    perform("edit src/a.py: x = 1 => x = 2", tmp_path, originals)
    assert code.read_text("utf-8") == "x = 2\n"
    perform("undo src/a.py", tmp_path, originals)
    assert code.read_text("utf-8") == "x = 1\n"
    with pytest.raises(AssertionError, match="is not in the code"):
        perform("edit src/a.py: y = 3 => y = 4", tmp_path, originals)


@pytest.fixture
def fresh_copy():
    """A fresh copy of the tracked files under a folder named like a Japanese reader's, for
    each README (a README's runs/ starts empty, as the reader's does)."""
    base = Path(tempfile.mkdtemp(prefix="readme-path-")) / "読者 の フォルダ" / "dl book"
    base.mkdir(parents=True)
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in files.decode("utf-8").split("\0"):
        if name and (ROOT / name).is_file():
            (base / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, base / name)
    yield base
    shutil.rmtree(base.parent.parent, ignore_errors=True)


READMES = ["README.md"] + [f"{chapter}/README.md" for chapter in CHAPTERS]


@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.xdist_group(f"path {name}"))
                                  for name in READMES])
def test_follow_the_readme(name, fresh_copy):
    readme = fresh_copy / name
    chapter = readme.parent
    if chapter.name == "mnist":
        source = real_mnist_source()
        if source is None:
            pytest.skip("MNIST_DATA_DIR is not set: no real MNIST data to follow the mnist README with")
        raw = chapter / "data" / "MNIST" / "raw"
        raw.mkdir(parents=True, exist_ok=True)
        for file in MNIST_FILES:
            (raw / file).symlink_to(source / "MNIST" / "raw" / file)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    for name_ in ("VIRTUAL_ENV", "RUNS_DIR", "COLUMNS"):
        env.pop(name_, None)  # the copy's own runs/, as a reader has; runs.py's table as into a pipe
    steps = readme_steps(readme)
    before = [] if chapter == fresh_copy else commands_run_in(fresh_copy / "README.md", fresh_copy, chapter)
    if before:  # the top README's commands in this chapter's folder, where the reader began
        steps = [("run", [f"cd {chapter.name}", *before])] + steps
    folder, last, compared, originals = chapter, None, 0, {}
    if OTHER_PATH:
        env.update(ATEN_CPU_CAPABILITY="avx2", MKL_ENABLE_INSTRUCTIONS="AVX2")
    for kind, value in steps + [("end", None)]:
        if kind == "output" and last is not None:
            command, result = last
            text, moves = value
            problem = compare(text, result.stdout + result.stderr, fresh_copy, moves)
            assert problem is None, f"{name}: `{command}`: {problem}\n--- output ---\n{result.stdout}{result.stderr}"
            compared += 1
            if "Traceback" in text or "error:" in text:
                last = None  # the README shows the error: this command may end with it
        if last is not None:  # no output shown, or one without an error: the command must succeed
            command, result = last
            assert result.returncode == 0, f"{name}: `{command}` exit {result.returncode}\n{result.stderr[-3000:]}"
        last = None
        if kind == "check":
            perform(value, chapter, originals)
        elif kind == "run":
            for line in value:
                if last is not None:
                    assert last[1].returncode == 0, f"{name}: `{last[0]}` exit {last[1].returncode}\n{last[1].stderr[-3000:]}"
                    last = None
                if line.startswith("cd "):
                    folder = move(fresh_copy, folder, line[3:].strip())
                elif line.startswith("uv run ") and not RUNS_A_SUITE.match(line):
                    result = subprocess.run(shlex.split(line), cwd=folder, env=env, capture_output=True,
                                            text=True, encoding="utf-8", timeout=900)
                    if check_run(name, line, result):
                        last = (line, result)
    print(f"{name}: {compared} outputs compared"
          + (f", after the top README's {len(before)} commands in {chapter.name}" if before else ""))


def check_run(name, command, result):
    """Checks that need no README output; False when the exit status is judged here already."""
    output = result.stdout + result.stderr
    script = Path(shlex.split(command)[2]).name
    if script in NEEDS_A_WINDOW:
        assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, output[-3000:]
        assert NEEDS_A_WINDOW[script] in result.stderr, output[-3000:]
        return False
    if result.returncode != 0:
        return True  # judged with the README's output: only a command whose output shows the error may fail
    assert "Traceback" not in output, f"{name}: `{command}`\n{output[-3000:]}"
    if not PRINTS_ONLY.search(command) and " python " not in f" {command} ":
        assert "Saved figure to" in result.stdout, f"{name}: `{command}` drew no figure\n{output[-3000:]}"
    return True
