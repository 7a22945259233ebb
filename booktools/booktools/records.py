"""Run records: each training run writes a folder in its chapter's runs/; later runs and
runs.py read them back and say what differs between two runs (booktools.curves draws the
earlier runs' curves).

    runs/0007/record.json   when, command line, every flag, seconds, final figures, curves
    runs/0007/changes.diff  what changed in the chapter's src/ since the run before (unified diff)
    runs/0007/figure.png    the run's final figure
    runs/0007/src/          the chapter's code that ran (the next run diffs against it)

Recording never costs the reader a run: a runs/ folder that cannot be written, or a
broken record, gives one warning line on stderr and the run goes on as before.
RUNS_DIR (environment variable) puts the records elsewhere (the tests use it).
"""
import argparse
import ast
import datetime
import difflib
import io
import json
import os
import re
import shlex
import shutil
import sys
import time
import tokenize
from pathlib import Path

import numpy as np

from booktools.cli import VIEW_FLAGS
from booktools.shipped import edited_files

MOST_POINTS = 2000  # a curve keeps at most this many points (20,001 epochs -> 2,000)
LABEL_CHARS = 72    # a code-change label says at most this much (legends are narrow)


def runs_dir(chapter_dir):
    return Path(os.environ.get("RUNS_DIR") or Path(chapter_dir) / "runs")


def add_compare_flags(parser, data_flag=None, partner=None):
    """--compare [N]; with a data file flag also --compare-all. data_flag: the flag naming the
    data file (runs on other data are not compared); partner: the script whose runs are
    compared with this one's too (the book compares a CNN with a fully connected net).
    start_record reads both from the parsed flags: they are given here only."""
    parser.record_options = {"data_flag": data_flag, "partner": partner}
    also = f"; runs of {partner} too" if partner else ""
    parser.add_argument("--compare", type=compare_count, nargs="?", const=1, metavar="N",
                        help=f"draw the last N earlier runs' curves behind this run's (N: default 1{also})")
    if data_flag:  # runs on other data are left out unless asked for
        parser.add_argument("--compare-all", action="store_true",
                            help="with --compare: also earlier runs on other data files")


def compare_count(text):
    """argparse type for --compare N: a whole number of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"--compare needs a number of earlier runs, 1 or more, got {text!r}")
    return int(text)


def start_record(args, first_epoch=0, none_text=None):
    """Begin this run's record (written by .finish() with the final figure) and find the
    earlier runs to draw with --compare (add_compare_flags said on which data and with which
    partner script). first_epoch: the number the printed epochs start from; none_text: how a
    flag left at None is typed ({"train_size": "all"})."""
    options = args.record_options
    return Recorder(args, args.script, options.get("data_flag"), first_epoch, options.get("partner"),
                    none_text or {})


class Recorder:
    def __init__(self, args, script, data_flag, first_epoch, partner, none_text):
        self.started = time.perf_counter()
        self.first_epoch = first_epoch
        self.runs = runs_dir(args.chapter_dir)
        self.chapter_dir = Path(args.chapter_dir)
        self.problems = []
        self.earlier = []  # (label, record) of the runs drawn behind this one
        data = getattr(args, data_flag) if data_flag else None
        flags = {key: value for key, value in vars(args).items()
                 if key not in ("argv", "changed", "record", "script", "chapter_dir", "view_flags", "record_options")}
        self.record = {
            "script": script,
            "started": datetime.datetime.now().isoformat(timespec="seconds"),
            "command": shlex.join([script, *args.argv]),
            "data": str(Path(data).resolve()) if data else None,
            "data_flag": data_flag,
            "view_flags": args.view_flags,
            "none_text": none_text,
            "flags": json.loads(json.dumps(flags, default=str)),  # paths as text
        }
        # Read now: the reader may edit src/ while this run trains.
        self.code = read_code(Path(args.chapter_dir) / "src")
        self.changed = list(args.changed)
        self.edited = edited_files(self.code, args.chapter_dir)  # [] when src/ is as it ships
        self.base = None  # the latest earlier record: the code change is since that run
        every = getattr(args, "compare_all", False)
        wanted = args.compare or (1 if every else 0)
        this = {**self.record, "code": self.code}
        scripts = {script, partner}
        try:
            for record in newest_first(self.runs, self.problems):
                self.base = self.base or record
                if len(self.earlier) < wanted and record["script"] in scripts and (
                        every or record["data"] == self.record["data"]):
                    self.earlier.append((f"run {record['number']}: {differences(record, this)}", record))
                if len(self.earlier) == wanted:
                    break  # the newest record (self.base) is found too
        except Exception as error:  # runs/ unreadable, an odd record: nothing more to compare with
            self.problems.append(f"cannot read {self.runs} ({describe_error(error)})")
        self.earlier.reverse()  # oldest first, as the legend lists them
        for label, _ in self.earlier:  # the legend's labels, also where no figure is looked at
            print(f"Compared with {label}", flush=True)
        if wanted and not self.earlier:
            on = f" on {Path(data).name}" if data and not every else ""
            names = f"{script} or {partner}" if partner else script
            print(f"No earlier run of {names}{on} in runs/ to compare with: showing this run only.",
                  flush=True)

    def header(self):
        """The figure's header line: "train.py (default settings)" while the flags are the
        defaults and src/ is as it ships, else what changed, in the words of a run's label
        ("train.py: epochs 2001, lr 0.1, train.py: Linear(2, 64)")."""
        words = [flag.lstrip("-") for flag in self.changed]
        if self.edited:
            shipped = self.shipped_code()
            words.append(code_label(shipped, self.code, self.record["script"]) if shipped is not None
                         else ", ".join(f"{name} edited" for name in self.edited))
        script = self.record["script"]
        return f"{script}: {', '.join(words)}" if words else f"{script} (default settings)"

    def shipped_code(self):
        """The chapter's code as it ships, from the newest earlier run that ran it (None if none did)."""
        from booktools.shipped import fingerprint, read_manifest

        shipped = read_manifest(self.chapter_dir)
        for record in newest_first(self.runs, []):
            if record["code"] is not None and fingerprint(record["code"]) == shipped:
                return record["code"]
        return None

    def this_label(self):
        """The legend label of this run's curve: what it has that the last compared run has not
        ("this run: lr 0.1"); plain "this run" when nothing differs or nothing is compared."""
        if not self.earlier:
            return "this run"
        what = differences({**self.record, "code": self.code}, self.earlier[-1][1])
        return "this run" if what == "same settings" else f"this run: {what}"

    def finish(self, curves, finals, fig=None, saved=None):
        """Write the record: curves {name: values per epoch}, finals {name: last printed
        value}, and the final figure (the PNG just saved, or fig drawn into the record).
        Values may be numpy or torch numbers: they are stored as plain floats."""
        folder = None
        try:
            record = {**self.record, "seconds": round(time.perf_counter() - self.started, 2),
                      "finals": {name: float(value) for name, value in finals.items()}, "epochs_run": len(next(iter(curves.values()), [])),
                      "curves": {name: thin(values, self.first_epoch) for name, values in curves.items()}}
            folder = new_run_folder(self.runs)
            record["number"] = int(folder.name)
            for name, text in self.code.items():
                (folder / "src" / name).parent.mkdir(parents=True, exist_ok=True)
                (folder / "src" / name).write_text(text, encoding="utf-8")
            old_code = self.base and self.base["code"]  # None: no run before, or its code lost
            record["changes_since"] = self.base["number"] if old_code is not None else None
            same_script = self.base["script"] == record["script"] if old_code is not None else False
            record["code_change"] = (code_label(old_code, self.code, record["script"] if same_script else None)
                                     if old_code is not None else "")
            (folder / "changes.diff").write_text(
                unified_diff(old_code, self.code, f"run {record['changes_since']}", f"run {record['number']}")
                if old_code is not None else "", encoding="utf-8")
            if saved is not None:
                shutil.copyfile(saved, folder / "figure.png")
            elif fig is not None:
                fig.savefig(folder / "figure.png", dpi=100)
            # record.json last, by rename: its presence means a whole record.
            (folder / "record.tmp").write_text(json.dumps(record, indent=1), encoding="utf-8")
            os.replace(folder / "record.tmp", folder / "record.json")
        except Exception as error:  # never fail a finished run because of its record
            self.problems.append(f"this run was not recorded ({describe_error(error)})")
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        if self.problems:
            print(f"warning: runs/: {'; '.join(self.problems)}", file=sys.stderr, flush=True)


def describe_error(error):
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    return f"{type(error).__name__}: {error}"


def new_run_folder(runs):
    """The next free runs/NNNN, made by mkdir, which fails if another run took it first."""
    runs.mkdir(parents=True, exist_ok=True)
    number = max(run_numbers(runs), default=0) + 1
    for _ in range(1000):
        try:
            (runs / f"{number:04d}").mkdir()
            return runs / f"{number:04d}"
        except FileExistsError:
            number += 1
    raise OSError("no free run number")


def run_numbers(runs):
    return [int(entry.name) for entry in os.scandir(runs) if entry.name.isdigit() and entry.is_dir()]


def newest_first(runs, problems):
    """Yield the readable records, newest first; a broken one is named in problems."""
    if not runs.is_dir():
        return
    for number in sorted(run_numbers(runs), reverse=True):
        try:
            yield read_record(runs / f"{number:04d}")
        except BrokenRecord as error:
            problems.append(f"skipped {error}")


def read_records(runs, problems):
    """All readable records, oldest first; a broken one is named in problems."""
    return list(reversed(list(newest_first(runs, problems))))


class BrokenRecord(Exception):
    pass


def read_record(folder):
    """record.json of a run folder, checked, with its code (record["code"]: {file: text})."""
    path = folder / "record.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(record.get("flags"), dict) and isinstance(record.get("finals"), dict)
        assert all(isinstance(value, (int, float)) for value in record["finals"].values())
        assert all(isinstance(record.get(key), str) for key in ("script", "started", "command"))
        assert isinstance(record.get("seconds"), (int, float))
        record["number"] = int(folder.name)
        record.setdefault("data", None)
        for curve in record["curves"].values():
            curve["epoch"] = np.asarray(curve["epoch"], dtype=float)
            curve["value"] = np.asarray(curve["value"], dtype=float)
            assert curve["epoch"].shape == curve["value"].shape and curve["epoch"].ndim == 1
    except FileNotFoundError:
        raise BrokenRecord(f"{folder.parent.name}/{folder.name}/: no record.json") from None
    except (OSError, ValueError, TypeError, KeyError, AttributeError, AssertionError) as error:
        why = "not a run record" if isinstance(error, (AssertionError, KeyError)) else describe_error(error)
        raise BrokenRecord(f"{folder.parent.name}/{folder.name}/record.json: {why}") from None
    try:
        record["code"] = read_code(folder / "src") if (folder / "src").is_dir() else None
    except (OSError, UnicodeDecodeError):  # a hand-edited copy: the code change is unknown
        record["code"] = None
    return record


def read_code(folder):
    """{path: text} of the .py files in a folder and below ("train.py", "figures/training.py")."""
    return {path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(folder.rglob("*.py")) if "__pycache__" not in path.parts}


def thin(values, first_epoch=0):
    """A curve with at most MOST_POINTS points, its shape kept: the first and the last, and
    for each of MOST_POINTS / 2 - 1 stretches of epochs, its lowest and its highest point
    (so a one-epoch spike survives)."""
    values = np.asarray(values, dtype=float)
    if len(values) <= MOST_POINTS:
        keep = np.arange(len(values))
    else:
        edges = np.linspace(0, len(values), MOST_POINTS // 2).astype(int)
        keep = [0, len(values) - 1]
        for start, end in zip(edges[:-1], edges[1:]):
            part = values[start:end]
            keep += [start + int(np.argmin(part)), start + int(np.argmax(part))]
        keep = np.unique(keep)
    return {"epoch": (keep + first_epoch).tolist(), "value": values[keep].tolist()}



# ---- what differs between two runs, as a person would write it ----------------------

def differences(run, other):
    """What `run` had that `other` did not: "lr 0.1", "epochs 3001, linear.csv",
    "fc1 Linear(2, 64)"; "same settings" when nothing differs."""
    parts = []
    if run["script"] != other["script"]:
        parts.append(run["script"])
    if run["data"] != other["data"] and run["data"]:
        parts.append(Path(run["data"]).name)
    view_flags = set(run.get("view_flags", VIEW_FLAGS)) | {run.get("data_flag")}
    for key, value in run["flags"].items():
        # (a flag the other script does not have, such as train_mlp.py's --dropout, goes with the script name)
        if key not in view_flags and key in other["flags"] and other["flags"][key] != value:
            typed = run.get("none_text", {}).get(key, "none") if value is None else value
            parts.append(f"{key.replace('_', '-')} {typed}")
    if run.get("code") is not None and other.get("code") is not None:
        # Changes in the script that ran need no file name (both runs ran it).
        script = run["script"] if run["script"] == other["script"] else None
        parts.append(code_label(other["code"], run["code"], script))
    return ", ".join(part for part in parts if part) or "same settings"


def code_label(old, new, script=None):
    """What the code `new` has that `old` has not, in words a legend can hold: "lr 0.03"
    (a changed keyword value), "fc1 Linear(2, 64)" (an assignment), "no scheduler.step()"
    (a statement only `old` has). Changes in `script` go without its file name, first;
    other files are named ("figures/training.py: ..."). Empty when the code is the same."""
    labels = []
    for name in sorted(set(old) | set(new), key=lambda name: (name != script, name)):
        if name not in new or name not in old:
            labels.append(f"{name} {'added' if name in new else 'removed'}")
        elif old[name] != new[name]:
            text = fit_label(statement_changes(old[name], new[name])) or "comments"
            labels.append(text if name == script else f"{name}: {text}")
    return "; ".join(labels)


def fit_label(pieces):
    """The pieces joined, as many whole ones as LABEL_CHARS holds ("... (+2 more)")."""
    pieces = list(dict.fromkeys(pieces))
    if not pieces:
        return ""
    if len(pieces[0]) > LABEL_CHARS:
        pieces[0] = pieces[0][:LABEL_CHARS - 3] + "..."
    shown = 1
    while shown < len(pieces) and len(", ".join(pieces[:shown + 1])) <= LABEL_CHARS:
        shown += 1
    more = f" (+{len(pieces) - shown} more)" if shown < len(pieces) else ""
    return ", ".join(pieces[:shown]) + more


def statement_changes(old_text, new_text):
    """The pieces of a label for one file: each statement that changed, was added or removed."""
    before, after = statements(old_text), statements(new_text)
    pieces = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        removed, added = before[i1:i2], after[j1:j2]
        pairs = pair_up(removed, added)
        for i, j in pairs:
            old, new = removed[i], added[j]
            # (the same statement in or out of a block: moved, e.g. out of the loop)
            pieces.append(f"{describe(new)} moved" if old.strip() == new.strip() else changed(old, new))
        pieces += [describe(line) for j, line in enumerate(added) if j not in {j for _, j in pairs}]
        pieces += [f"no {describe(line)}" for i, line in enumerate(removed) if i not in {i for i, _ in pairs}]
    return [piece for piece in pieces if piece]


def pair_up(removed, added):
    """[(i, j)]: which removed statement each added one replaces: in order when the counts
    match, else the most alike (a statement with nothing alike is added or removed outright)."""
    if len(removed) == len(added):
        return [(i, i) for i in range(len(added))]
    pairs, free = [], list(range(len(removed)))
    for j, line in enumerate(added):
        best = max(free, key=lambda i: difflib.SequenceMatcher(None, removed[i], line).ratio(), default=None)
        if best is not None and difflib.SequenceMatcher(None, removed[best], line).ratio() > 0.6:
            pairs.append((best, j))
            free.remove(best)
    return pairs


def statements(text):
    """The file's statements, one string each with its comments left out and a statement that
    runs over several lines joined into one ("optimizer = Adam(model.parameters(), lr=lr, betas=...)").
    Commented-out code and docstrings are no statements. A file Python cannot read line by
    line (an edit half done) is taken line by line, comments cut off."""
    found, current, previous = [], [], None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if current and not (len(current) == 2 and current[1].startswith(("'", '"'))):  # a docstring
                    found.append("".join(current))
                current, previous = [], None
            elif token.type not in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT):
                if not current:  # its indentation: a statement moved into or out of a block differs
                    current.append(" " * token.start[1])
                elif previous is not None and token.start != previous.end:
                    same_line = token.start[0] == previous.end[0]
                    if same_line or not (previous.string in "([{" or token.string in ")]},"):
                        current.append(" ")
                current.append(token.string)
                previous = token
    except (tokenize.TokenError, IndentationError, SyntaxError):
        found = [line.rstrip() for line in (re.sub(r"\s+#.*$|^\s*#.*$", "", line) for line in text.splitlines())
                 if line.strip()]
    return found


def changed(old, new):
    """A statement changed from old to new, said by what new has: the keyword values that
    differ ("lr 0.03") when only they do, else the new statement as describe() says it."""
    old, new = old.strip(), new.strip()
    old_node, new_node = parsed(old), parsed(new)
    if isinstance(old_node, ast.Assign) and isinstance(new_node, ast.Assign):
        if segment(old, old_node.targets[0]) == segment(new, new_node.targets[0]):
            old_node, new_node = old_node.value, new_node.value
    elif isinstance(old_node, ast.Expr) and isinstance(new_node, ast.Expr):
        old_node, new_node = old_node.value, new_node.value
    if isinstance(old_node, ast.Call) and isinstance(new_node, ast.Call):
        keywords = keyword_changes(old, old_node, new, new_node)
        if keywords:
            return ", ".join(keywords)
    return describe(new)


def keyword_changes(old, old_call, new, new_call):
    """["lr 0.03", "no betas"] when two calls differ only in keyword values; [] otherwise."""
    def texts(line, call):
        return ([segment(line, call.func)] + [segment(line, arg) for arg in call.args],
                {k.arg: segment(line, k.value) for k in call.keywords if k.arg is not None})
    (old_head, old_keywords), (new_head, new_keywords) = texts(old, old_call), texts(new, new_call)
    if old_head != new_head or any(k.arg is None for k in old_call.keywords + new_call.keywords):
        return []  # another function, other positional values, or **options
    constants = {k.arg for k in new_call.keywords if is_constant(k.value)}
    # (lr 0.03 for a number, lr=lr for a name: "lr lr" would read as a typo)
    return ([f"{key} {value}" if key in constants else f"{key}={plain(value)}"
             for key, value in new_keywords.items() if old_keywords.get(key) != value]
            + [f"no {key}" for key in old_keywords if key not in new_keywords])


def describe(line):
    """A statement as a person would quote it: "fc1 Linear(2, 64)" (the name assigned, without
    self., and a constructor without its module), "torch.relu(data)" (a step that passes its
    name on), "h = F.relu(u)", "scheduler.step()", "for epoch in range(10)"."""
    line = line.strip()
    node = parsed(line)
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, value = segment(line, node.targets[0]), node.value
        text = segment(line, value)
        names = {n.id for n in ast.walk(node.targets[0]) if isinstance(n, ast.Name)} - {"self"}
        if names & {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}:
            return plain(text)  # data = torch.relu(data): the step
        target = re.sub(r"^self\.", "", target)
        if is_constant(value) or (isinstance(value, ast.Call) and called_name(value)[:1].isupper()):
            return f"{target} {plain(text)}"  # fc1 Linear(2, 64), lr 0.1
        return f"{target} = {plain(text)}"
    return plain(line.rstrip(":"))


def parsed(line):
    """The statement as an ast node, or None (a compound statement's header alone, or no Python)."""
    try:
        body = ast.parse(line).body
    except SyntaxError:
        return None
    return body[0] if len(body) == 1 else None


def segment(line, node):
    return ast.get_source_segment(line, node) or ""


def called_name(call):
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def is_constant(node):
    if isinstance(node, ast.UnaryOp):
        return is_constant(node.operand)
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(is_constant(element) for element in node.elts)
    return isinstance(node, ast.Constant)


def plain(text):
    """Constructors without their module (torch.nn.Linear -> Linear, optim.SGD -> SGD);
    methods keep their object (scheduler.step(), torch.relu(data))."""
    return re.sub(r"\b(?:[a-z_][a-z_0-9]*\.)+(?=[A-Z]\w*\()", "", text)


def unified_diff(old, new, old_name, new_name):
    """The change from old to new ({file: text}) as a unified diff, a few lines of context."""
    lines = []
    for name in sorted(set(old) | set(new)):
        lines += difflib.unified_diff(old.get(name, "").splitlines(keepends=True),
                                      new.get(name, "").splitlines(keepends=True),
                                      f"{old_name}/src/{name}", f"{new_name}/src/{name}", n=2)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
