"""What the figures say (colour key, ringed mistakes, what ran in the titles: the flags and
code changed, the model's layers, the optimizer), where the README's commands write, and that
--help answers without loading matplotlib."""
import re
import runpy
import shlex
import shutil
import subprocess
import sys

import pytest

import booktools.figures
import figures.points as points_figures
import train
from conftest import CHAPTER_DIR


@pytest.fixture
def figures(monkeypatch):
    """The figures the scripts would show or save, kept for the test to read."""
    kept = []
    monkeypatch.setattr(points_figures, "show_or_save", lambda fig, *args: kept.append(fig))
    monkeypatch.setattr(booktools.figures, "save_figure", lambda fig, *args: None)
    monkeypatch.setattr(booktools.figures, "show_figure", lambda fig, *args: kept.append(fig))
    return kept


def rings(ax):
    return [c for c in ax.collections if len(c.get_facecolors()) == 0]  # hollow markers


def test_misclassified_points_are_ringed_and_counted(figures, capsys):
    train.main(["--epochs", "100", "--no-show"])
    accuracy = float(re.search(r"Accuracy: (\S+)", capsys.readouterr().out).group(1))
    wrong = round(100 * (1 - accuracy))
    assert 10 <= wrong <= 60  # 100 epochs are too few (34 on every machine measured)
    plane, loss, key = figures[0].axes  # the key was added beside the plane
    [ring] = rings(plane)
    assert len(ring.get_offsets()) == wrong
    assert f"validation: {wrong} of 100 misclassified (ringed)" in plane.get_title()
    assert "misclassified" in [t.get_text() for t in plane.get_legend().get_texts()]
    assert figures[0].get_suptitle() == "train.py: epochs 100"


def test_shading_has_a_colour_key_from_a_guess_to_certainty(figures):
    train.main(["--epochs", "50", "--no-show"])
    plane, loss, key = figures[0].axes  # the key was added beside the plane
    assert "probability" in key.get_ylabel()
    assert key.get_ylim() == pytest.approx((1 / 3, 1))
    assert [t.get_text() for t in key.get_xticklabels()] == ["0", "1", "2"]
    # The key's colours are the plane's: every shade in the plane is one of the key's.
    key_colours = {tuple(c) for c in key.images[0].get_array().reshape(-1, 3).round(6)}
    plane_colours = {tuple(c) for c in plane.images[0].get_array().reshape(-1, 3).round(6)}
    assert plane_colours <= key_colours and len(plane_colours) > 3


def test_the_titles_say_what_ran(figures):
    train.main(["--epochs", "30", "--lr", "0.1", "--hidden", "4", "--no-show",
                "--predict", "1", "2"])
    plane, loss, _ = figures[0].axes
    assert figures[0].get_suptitle() == "train.py: epochs 30, lr 0.1, hidden 4"  # --predict only adds a star
    assert plane.get_title().startswith("Decision regions: 1 hidden layer (2-4-3, ReLU)\n")
    assert loss.get_title() == "Loss (SGD lr=0.1)"
    train.main(["--no-show", "--epochs", "1000", "--no-live"])  # the defaults, spelled out
    plane, loss, _ = figures[1].axes
    assert figures[1].get_suptitle() == "train.py (default settings)"
    assert plane.get_title().startswith("Decision regions: linear model (2-3)\n")
    assert loss.get_title() == "Loss (SGD lr=0.01)"


HIDDEN_LAYER = ("""        self.fc1 = nn.Linear(input_size, 4)
        self.fc2 = nn.Linear(4, output_size)

    def forward(self, x):
        x = self.fc1(x)
        x = ACTIVATION
        return self.fc2(x)
""")


@pytest.mark.parametrize("old, new, plane_title, loss_title", [
    ("lr=learning_rate)", "lr=0.1)", "linear model (2-3)", "Loss (SGD lr=0.1)"),
    ("optim.SGD(", "optim.Adam(", "linear model (2-3)", "Loss (Adam lr=0.01)"),
    ("        self.fc = nn.Linear(input_size, output_size)\n\n    def forward(self, x):\n        return self.fc(x)\n",
     HIDDEN_LAYER.replace("ACTIVATION", "torch.relu(x)"), "1 hidden layer (2-4-3, ReLU)", "Loss (SGD lr=0.01)"),
    ("        self.fc = nn.Linear(input_size, output_size)\n\n    def forward(self, x):\n        return self.fc(x)\n",
     HIDDEN_LAYER.replace("ACTIVATION", "x"), "1 hidden layer (2-4-3, no activation)", "Loss (SGD lr=0.01)"),
])
def test_the_titles_follow_an_edit_of_the_code(figures, tmp_path, old, new, plane_title, loss_title):
    """The reader edits src/train.py (not a flag): the figure says what ran."""
    copy = tmp_path / "chapter"
    shutil.copytree(CHAPTER_DIR / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(CHAPTER_DIR / "src.sha256", copy)
    script = copy / "src" / "train.py"
    runpy.run_path(str(script), run_name="as_shipped")["main"](["--epochs", "20", "--no-show"])
    code = script.read_text(encoding="utf-8")
    assert code.count(old) == 1
    script.write_text(code.replace(old, new), encoding="utf-8")
    runpy.run_path(str(script), run_name="edited")["main"](["--epochs", "20", "--no-show"])
    assert figures[0].get_suptitle() == "train.py: epochs 20"
    plane, loss, _ = figures[1].axes
    header = figures[1].get_suptitle()
    assert header.startswith("train.py: epochs 20, ") and "train.py" not in header[10:]  # the edit, in words
    assert plane.get_title().startswith(f"Decision regions: {plane_title}\n")
    assert loss.get_title() == loss_title


def test_gif_into_the_chapters_outputs_folder_makes_the_folder(tmp_path, monkeypatch, capsys):
    # The chapter is found from the script's place: here a chapter folder in tmp_path.
    (tmp_path / "src").mkdir()
    monkeypatch.setattr(train, "__file__", str(tmp_path / "src" / "train.py"))
    monkeypatch.chdir(tmp_path)
    train.main(["--epochs", "20", "--gif", "outputs/train.gif", "--no-show"])
    assert (tmp_path / "outputs" / "train.gif").exists()
    with pytest.raises(SystemExit):  # any other missing folder is still an error
        train.main(["--epochs", "20", "--gif", "elsewhere/train.gif", "--no-show"])
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("script", ["train.py", "dump_points.py"])
@pytest.mark.parametrize("flag", ["--help", "--epoks"])
def test_help_and_a_mistyped_flag_do_not_load_matplotlib(script, flag):
    code = ("import runpy, sys\n"
            f"sys.argv = ['{script}', '{flag}']\n"
            "sys.path.insert(0, 'src')\n"
            "try:\n"
            f"    runpy.run_path('src/{script}', run_name='__main__')\n"
            "except SystemExit:\n"
            "    pass\n"
            "print('loaded:', sorted({'matplotlib', 'PIL'} & set(sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=CHAPTER_DIR, capture_output=True,
                            text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "loaded: []"


def readme_commands():
    text = (CHAPTER_DIR / "README.md").read_text("utf-8")
    blocks = re.findall(r"^```(?:sh|bash)\n(.*?)^```", text, re.S | re.M)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip().startswith("uv run ")]


def written_files(command):
    words = shlex.split(command)
    return [value for flag, value in zip(words, words[1:]) if flag in ("--save", "--gif")]


def test_readme_commands_write_only_under_outputs():
    commands = readme_commands()
    assert any("--gif" in c for c in commands)
    for command in commands:
        for path in written_files(command):
            assert path.startswith("outputs/"), command


def test_make_images_script_makes_every_figure_of_the_readme():
    script = (CHAPTER_DIR / "images" / "make_images.sh").read_text("utf-8")
    assert "images/make_images.sh" in (CHAPTER_DIR / "NOTES.md").read_text("utf-8")
    made = {path for line in script.splitlines() if line.startswith("uv run ")
            for path in written_files(line)}
    shown = set(re.findall(r"\]\((images/[^)]+)\)", (CHAPTER_DIR / "README.md").read_text("utf-8")))
    assert shown and shown <= made
    assert made <= {f"images/{p.name}" for p in (CHAPTER_DIR / "images").iterdir()}


def test_make_images_script_follows_the_readmes_order():
    """The script's train.py runs are the README's first ones, in its order (but for where
    the figures go), so the run numbers in the figures' legends are the README's."""
    def runs(commands):
        found = []
        for command in commands:
            words = shlex.split(command, comments=True)
            if words[2] == "./src/train.py":
                found.append([w for w, before in zip(words, [None] + words) if w not in ("--save", "--gif")
                              and before not in ("--save", "--gif")])
        return found
    script = (CHAPTER_DIR / "images" / "make_images.sh").read_text("utf-8")
    made = runs(line for line in script.splitlines() if line.startswith("uv run "))
    assert made and made == runs(readme_commands())[:len(made)]
