"""The final figure reads right: a colour bar for the shading, what ran in the titles (the
model's layers, the optimizer, the flags changed), loss ticks as plain numbers and the last
loss written on the plot."""
import pytest

import train
import booktools.figures
from conftest import DATA_DIR, epoch_losses


@pytest.fixture
def final_figure(monkeypatch, run_main):
    """Run train.py's main(); return (printed output, the final figure before it is closed)."""
    shown = {}

    def keep(fig, args):
        fig.canvas.draw()  # tick labels exist only once drawn
        shown["figure"] = fig

    monkeypatch.setattr(booktools.figures, "save_figure", lambda fig, args, default_name: None)
    monkeypatch.setattr(booktools.figures, "show_figure", keep)

    def run(*argv):
        code, out, err = run_main(train.main, *argv)
        assert code == 0, err
        return out, shown["figure"]
    return run


def test_colour_bar_says_what_the_shading_means(final_figure):
    _, fig = final_figure(str(DATA_DIR / "linear.csv"), "simple", "--epochs", "301")
    bars = [ax for ax in fig.axes if "probability of label 1" in ax.get_xlabel()]
    assert len(bars) == 1
    assert bars[0].get_xlim() == (0.0, 1.0)


def test_titles_say_what_ran(final_figure):
    _, fig = final_figure(str(DATA_DIR / "curve.csv"), "complex", "--epochs", "301", "--lr", "0.01")
    assert fig.get_suptitle() == "train.py: epochs 301, lr 0.01"
    assert fig.axes[0].get_title() == "complex model (2-128-128-1) on curve.csv"
    assert fig.axes[1].get_title().startswith("training loss (Adam lr=0.01), final ")
    # Defaults typed out are no change.
    _, fig = final_figure(str(DATA_DIR / "curve.csv"), "simple", "--epochs", "20001", "--lr", "0.003",
                          "--seed", "0", "--epochs", "301")
    assert fig.get_suptitle() == "train.py: epochs 301"
    assert fig.axes[0].get_title() == "simple model (2-1) on curve.csv"


def test_loss_axis_reads_as_plain_numbers_and_shows_the_last_loss(final_figure):
    out, fig = final_figure(str(DATA_DIR / "curve.csv"), "simple", "--epochs", "2001")
    ax_loss = fig.axes[1]
    labels = [t.get_text() for t in ax_loss.get_yticklabels(minor=True) + ax_loss.get_yticklabels()]
    labels = [text for text in labels if text]
    assert labels and not any("10^" in text or "times" in text for text in labels), labels
    # The plateau (about 0.44) spans less than a power of ten: 0.5 and 0.6 are labelled.
    assert {"0.5", "0.6"} <= set(labels)
    last = epoch_losses(out)[-1][1]
    assert f"{last:.4g}" in [text.get_text() for text in ax_loss.texts]
    assert ax_loss.get_title() == f"training loss (Adam lr=0.003), final {last:.4g}"  # one number format
