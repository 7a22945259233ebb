"""Hints for the mistakes a reader's edit or a typo leads to: a file that is not where the
script looked (which files are there), and the shape errors PyTorch raises after a layer is
changed (one line after Python's traceback, naming the line of the reader's code to look at).

Importing this module changes nothing: Parser() registers the chapter's src/ (explain_errors_in)
and its excepthook (booktools.cli) prints the hint after the traceback. torch is not imported
here: a shape error comes from torch, which is loaded by then.
"""
import difflib
import inspect
import linecache
import os
import re
import sys
import traceback
from pathlib import Path

SOURCE_FOLDERS = []  # the src/ folders whose lines a hint may name (filled by Parser())
MOST_LISTED = 8  # a "files there" list names at most this many


# ---- a file that is not there -------------------------------------------------------------

def missing_file(path, also=(), what="data file", suffixes=(".csv",), kind="CSV files", or_else=None):
    """One line for a file that does not exist: where the script looked (the absolute path),
    the files of that kind there and in the folders `also` (the chapter's data/), and the one
    probably meant ("did you mean data/rent.csv?"); or_else: what else to do where none is
    ("run `uv run ./src/train_mlp.py` first")."""
    looked = Path(path).absolute()
    text = f"{what} not found: {path} (looked for {looked})"
    found = files_nearby(path, also, suffixes)
    otherwise = f"; {or_else}" if or_else else ""
    if not found:
        return text + ("; no such file there" if looked.parent.is_dir() else
                       f"; folder {looked.parent} does not exist") + otherwise
    listed = []
    for folder, names in found:
        shown = names[:MOST_LISTED] + ([f"... ({len(names) - MOST_LISTED} more)"] if len(names) > MOST_LISTED else [])
        listed.append(f"{kind} in {shown_folder(folder)}: {', '.join(shown)}")
    meant = file_meant(path, found)
    return text + "; " + "; ".join(listed) + (f" (did you mean {meant}?)" if meant else otherwise)


def files_nearby(path, also=(), suffixes=(".csv",)):
    """[(folder, [file names])] of the files of that kind beside `path` and in the folders `also`."""
    folders = dict.fromkeys([Path(path).absolute().parent, *(Path(folder).absolute() for folder in also)])
    found = []
    for folder in folders:
        try:
            names = sorted(entry.name for entry in folder.iterdir()
                           if entry.is_file() and entry.suffix.lower() in suffixes)
        except OSError:  # no such folder, or not readable: nothing to list there
            continue
        if names:
            found.append((folder, names))
    return found


def file_meant(path, found):
    """The file the reader probably meant (the same name elsewhere, or a close one), as they
    would type it: beside the path given, in the same words ("./data/linear.csv")."""
    typed = Path(path)
    beside = typed.absolute().parent
    candidates = [(folder, name) for folder, names in found for name in names]
    same = [(folder, name) for folder, name in candidates if name == typed.name]
    # (names compared without their suffix: every one ends in .csv)
    close = difflib.get_close_matches(typed.stem, [Path(name).stem for _, name in candidates], n=1, cutoff=0.6)
    chosen = same[0] if same else next(((f, n) for f, n in candidates if close and Path(n).stem == close[0]), None)
    if chosen is None:
        return None
    folder, name = chosen
    if folder == beside:
        text = str(path)
        return text[:len(text) - len(typed.name)] + name
    return as_typed(folder / name)


def as_typed(path):
    """A path as the reader would type it from the working folder: relative where that is
    short (data/rent.csv, ../data/rent.csv), else absolute; / as every shell takes it."""
    try:
        relative = Path(os.path.relpath(path))
    except ValueError:  # another drive (Windows)
        return str(path)
    return relative.as_posix() if relative.parts[:3].count("..") <= 2 else str(path)


def shown_folder(folder):
    typed = as_typed(folder)
    return "./" if typed == "." else typed + ("/" if not typed.endswith(("/", "\\")) else "")


# ---- shape errors -------------------------------------------------------------------------

def explain_errors_in(src_dir):
    """Let the hint after a traceback name lines of this folder (a chapter's src/)."""
    folder = os.path.normcase(str(Path(src_dir).resolve()))
    if folder not in SOURCE_FOLDERS:
        SOURCE_FOLDERS.append(folder)


def print_hint(error):
    """After Python's traceback: one "hint: ..." line on stderr where the error is one we can
    explain. A hint never gets in the way of the error itself."""
    try:
        text = shape_hint(error)
        if text:
            # (the reader's line may hold a character the console cannot print: never a second error)
            encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
            print(text.encode(encoding, "replace").decode(encoding), file=sys.stderr, flush=True)
    except Exception:  # the traceback above says it all
        return


MAT = re.compile(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)")
CHANNELS = re.compile(r"weight of size \[(\d+), (\d+)[^\]]*\], expected input\[([\d, ]+)\] "
                      r"to have (\d+) channels, but got (\d+) channels")
VIEW = re.compile(r"shape '\[([-\d, ]+)\]' is invalid for input of size (\d+)"
                  r"|view size is not compatible with input tensor's size and stride")
TARGET = re.compile(r"Using a target size \(torch\.Size\(\[([\d, ]*)\]\)\) that is different to the "
                    r"input size \(torch\.Size\(\[([\d, ]*)\]\)\)")
BATCH = re.compile(r"Expected input batch_size \((\d+)\) to match target batch_size \((\d+)\)")
CLASSES = re.compile(r"Target (-?\d+) is out of bounds")


def shape_hint(error):
    """The hint for an exception raised by torch after a shape changed, or None."""
    frame, line_no = reader_frame(error.__traceback__)
    if frame is None:
        return None
    where = f"hint: {chapter_path(frame.f_code.co_filename)} line {line_no}, {code_line(frame.f_code.co_filename, line_no)}"
    message = str(error)
    for pattern, explain in [(MAT, layer_input), (CHANNELS, conv_input), (VIEW, view_size),
                             (TARGET, outputs_and_labels), (BATCH, outputs_and_labels), (CLASSES, too_few_scores)]:
        found = pattern.search(message)
        if found:
            said = explain(found, frame, line_no)
            if said is None:
                return None
            return said if said.startswith("hint: ") else f"{where}: {said}"
    return None


def reader_frame(tb):
    """(frame, line number) of the last frame in a registered src/ folder, or (None, None)."""
    found = (None, None)
    for frame, line_no in traceback.walk_tb(tb):
        name = os.path.normcase(str(Path(frame.f_code.co_filename).resolve()))
        if any(name.startswith(folder + os.sep) for folder in SOURCE_FOLDERS):
            found = (frame, line_no)
    return found


def chapter_path(filename):
    """src/train.py: the file as the chapter's README names it (from the chapter's folder)."""
    path = Path(filename).resolve()
    return path.relative_to(path.parent.parent).as_posix() if path.parent.name == "src" else \
        next((path.relative_to(Path(folder).parent).as_posix() for folder in SOURCE_FOLDERS
              if os.path.normcase(str(path)).startswith(folder + os.sep)), path.name)


def code_line(filename, line_no):
    """The line as the reader wrote it, without its comment."""
    return re.sub(r"\s+#.*$", "", linecache.getline(filename, line_no).strip())


def layer_input(found, frame, line_no):
    rows, got, wanted, out = map(int, found.groups())
    return wrong_width(frame, line_no, lambda layer: getattr(layer, "in_features", None) == wanted and
                       getattr(layer, "out_features", None) == out,
                       rows_text=f"{rows}x{got}", got=got, wanted=wanted, unit="numbers per row")


def conv_input(found, frame, line_no):
    out, wanted, shape, _, got = found.groups()
    return wrong_width(frame, line_no, lambda layer: getattr(layer, "in_channels", None) == int(wanted) and
                       getattr(layer, "out_channels", None) == int(out),
                       rows_text="x".join(part.strip() for part in shape.split(",")), got=int(got),
                       wanted=int(wanted), unit="channels")


def wrong_width(frame, line_no, is_layer, rows_text, got, wanted, unit):
    """A layer that takes `wanted` numbers (or channels) got `got`: which layer, and what to change."""
    model = frame.f_locals.get("self")
    line = code_line(frame.f_code.co_filename, line_no)
    called = [(name, getattr(model, name, None)) for name, _ in re.findall(r"self\.(\w+)\s*\(\s*(\w*)", line)]
    name, layer = next(((name, layer) for name, layer in called if layer is not None and is_layer(layer)),
                       (None, None))
    if layer is None:
        return f"the layer here takes {wanted} {unit}, but the data arriving has {got} ({rows_text})"
    data = dict(re.findall(r"self\.(\w+)\s*\(\s*(\w*)", line)).get(name) or "data"
    said = f"{name} is {layer_text(layer)} and takes {wanted} {unit}, "
    if is_first_layer(model, layer):
        said += (f"but {data}, the input, has {got} ({rows_text}): make {name} take {got}")
    else:
        said += (f"but the {data} arriving has {got} ({rows_text}): make the layer before give {wanted}, "
                 f"or {name} take {got}")
    return said + f" (print({data}.shape) before this line shows it)" + unused_layers(model)


def view_size(found, frame, line_no):
    """view(-1, N) on data whose images do not hold N numbers each."""
    line = code_line(frame.f_code.co_filename, line_no)
    width = view_width(line)
    data = next((value for name, value in frame.f_locals.items()
                 if re.search(rf"\b{name}\.(?:view|reshape)\(", line) and len(getattr(value, "shape", ())) >= 2), None)
    if width is None or data is None:
        return None
    shape = tuple(data.shape)
    per_image = 1
    for size in shape[1:]:
        per_image *= size
    if per_image == width:
        return None  # not the size: torch's own message says what to do
    name = next(name for name, value in frame.f_locals.items() if value is data)
    return (f"each image holds {per_image} numbers here ({'x'.join(map(str, shape))}), but view(-1, {width}) "
            f"makes rows of {width}: make it view(-1, {per_image}) and the next layer take {per_image}, or the "
            f"layers before give {width} numbers per image (print({name}.shape) before this line shows it)"
            + unused_layers(frame.f_locals.get("self")))


def outputs_and_labels(found, frame, line_no):
    """A loss given more (or other) outputs than labels: where the model's forward made them so."""
    if found.re is TARGET:
        target, given = ([int(n) for n in group.split(",") if n.strip()] for group in found.groups())
    else:
        given, target = [int(found.group(1))], [int(found.group(2))]
    if not given or not target:
        return None
    model = find_model(frame)
    view = view_line(model) if model is not None and given[0] != target[0] else None
    if view is not None and view[3] * given[0] % target[0] == 0:
        filename, view_no, text, width = view
        per_image = width * given[0] // target[0]
        after = next_layer(model, view_no)
        into = (f"into {rows_word(given[0] // target[0])} of {width}" if given[0] % target[0] == 0 else
                f"into rows of {width} ({target[0]} images become {given[0]} rows)")
        return (f"hint: {chapter_path(filename)} line {view_no}, {text}: the model gives {given[0]} outputs for "
                f"{target[0]} labels, because view(-1, {width}) cuts the {per_image} numbers each image has there "
                f"{into}: make it view(-1, {per_image}){f' and {after} take {per_image}' if after else ''}, "
                f"or the layers before give {width} (print(data.shape) before this line shows it)"
                + unused_layers(model))
    line = code_line(frame.f_code.co_filename, line_no)
    outputs = next(iter(re.findall(r"\w+\(\s*(\w+)\s*,", line)), "outputs")
    return (f"the model gives {'x'.join(map(str, given))} outputs for {target[0]} labels, and the loss needs "
            f"one output per label: print({outputs}.shape) shows them, and the last lines of forward make "
            f"that shape" + unused_layers(model))


def too_few_scores(found, frame, line_no):
    """CrossEntropyLoss given fewer scores per row than there are classes (labels 0, 1, 2, ...)."""
    label = int(found.group(1))
    line = code_line(frame.f_code.co_filename, line_no)
    name = next(iter(re.findall(r"\w+\(\s*(\w+)\s*,", line)), None)
    scores = frame.f_locals.get(name) if name else None
    if len(getattr(scores, "shape", ())) != 2 or label < 0:
        return None
    model = find_model(frame)
    return (f"the model gives {scores.shape[1]} scores per row, but there is a label {label}: the last layer must "
            f"give one score per class, {label + 1} or more (print({name}.shape) shows them)" + unused_layers(model))


def rows_word(times):
    return "twice as many rows" if times == 2 else f"{times} times as many rows"


def find_model(frame):
    module = sys.modules.get("torch.nn")
    if module is None:
        return None
    values = [frame.f_locals.get("model"), frame.f_locals.get("self"), *frame.f_locals.values()]
    return next((value for value in values if isinstance(value, module.Module)), None)


def view_line(model):
    """(file, line number, text, width) of the `.view(-1, N)` line in the model's forward, or None."""
    try:
        lines, first = inspect.getsourcelines(type(model).forward)
        filename = inspect.getsourcefile(type(model).forward)
    except (OSError, TypeError):
        return None
    for offset, line in enumerate(lines):
        width = view_width(line.split("#")[0])
        if width is not None:
            return filename, first + offset, re.sub(r"\s+#.*$", "", line.strip()), width
    return None


def view_width(code):
    """N of a `.view(-1, N)` (or reshape) in a line of code, N written as a number or a product
    of numbers (32 * 4 * 4); None where there is none."""
    found = re.search(r"\.(?:view|reshape)\(\s*-1\s*,\s*(\d+(?:\s*\*\s*\d+)*)\s*\)", code)
    if found is None:
        return None
    width = 1
    for factor in found.group(1).split("*"):
        width *= int(factor)
    return width


def next_layer(model, after_line):
    """The name of the first layer forward calls after a line (fc after the view), or None."""
    try:
        lines, first = inspect.getsourcelines(type(model).forward)
    except (OSError, TypeError):
        return None
    for offset, line in enumerate(lines):
        if first + offset > after_line:
            found = re.search(r"self\.(\w+)\s*\(", line.split("#")[0])
            if found:
                return found.group(1)
    return None


def layer_text(layer):
    kind = type(layer).__name__
    if hasattr(layer, "in_features"):
        return f"{kind}({layer.in_features}, {layer.out_features})"
    if hasattr(layer, "in_channels"):
        size = layer.kernel_size
        size = size[0] if isinstance(size, tuple) and len(set(size)) == 1 else size
        return f"{kind}({layer.in_channels}, {layer.out_channels}, kernel_size={size})"
    return kind


def is_first_layer(model, layer):
    """True when the layer is the model's first one with weights (it reads the input)."""
    first = next((child for child in model.children() if any(True for _ in child.parameters())), None)
    return first is layer


def unused_layers(model):
    """"; fc1 is made in __init__ but forward never uses it" for layers forward no longer calls."""
    if model is None or not hasattr(model, "named_children"):
        return ""
    try:
        source = inspect.getsource(type(model).forward)
    except (OSError, TypeError):
        return ""
    code = "\n".join(line.split("#")[0] for line in source.splitlines())
    unused = [name for name, child in model.named_children()
              if any(True for _ in child.parameters()) and not re.search(rf"self\.{name}\b", code)]
    if not unused:
        return ""
    names = ", ".join(unused)
    return f"; {names} {'is' if len(unused) == 1 else 'are'} made in __init__ but forward never uses {'it' if len(unused) == 1 else 'them'}"
