"""booktools.curves: the learning-curve panel. Whatever the reader's edits make of the labels
and the numbers, the legend stays inside its panel, the last values sit where no curve runs
and clear of each other, every tick label is inside the figure, and the title and the labels
write a number alike."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.legend import Legend
from matplotlib.text import Text

from booktools.curves import Curve, CurvePanel, annotate_clear, draw_curves, fit_header, number, place_texts, wrap

LOSS = Curve("loss", "training loss", "tab:purple")
TRAIN = Curve("train loss", "training", "tab:blue")
TEST = Curve("test loss", "test", "tab:orange")
ACCURACY = Curve("accuracy", "test accuracy", "tab:red", fmt="{:.4f}")
LONG = ("train.py: Adam(model.parameters(), lr=0.03, betas=(0.9, 0.95), eps=0.0001), fc1 Linear(2, 128), "
        "fc2 Linear(128, 128), fc3 Linear(128, 1), no scheduler.step()")


def decay(epochs, start=0.7, end=0.001, first=0):
    return list(start * (end / start) ** (np.arange(epochs) / max(epochs - 1, 1)))


def earlier_run(number_, values_by_name, first=0, label=None):
    curves = {name: {"epoch": np.arange(first, first + len(values), dtype=float), "value": np.array(values)}
              for name, values in values_by_name.items()}
    return (label or f"run {number_}: lr 0.0{number_}", {"number": number_, "curves": curves})


@pytest.fixture(autouse=True)
def close_figures():
    """No figure left open for the next test (other files check that none is)."""
    yield
    plt.close("all")


@pytest.fixture
def two_panels():
    """A figure laid out like a chapter's: a panel with its legend outside on the left, the
    learning curves on the right."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5.8))
    left.plot([0, 1], [0, 1], label="label 0")
    left.plot([0, 1], [1, 0], label="p = 0.5 boundary")
    left.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    yield fig, left, right
    plt.close(fig)


def inside(box, frame, slack=1.0):
    return (box.x0 >= frame.x0 - slack and box.y0 >= frame.y0 - slack
            and box.x1 <= frame.x1 + slack and box.y1 <= frame.y1 + slack)


def curve_points_in(box, axes):
    """How many points of the axes' curves lie in the box (display coordinates)."""
    count = 0
    for ax in axes:
        for line in ax.get_lines():
            if len(line.get_xdata()):
                path = line.get_transform().transform_path(line.get_path())
                count += box.count_contains(path.vertices) + path.intersects_bbox(box, filled=False)
    return count


@pytest.mark.parametrize("runs", [1, 3, 6])
def test_a_legend_stays_inside_its_panel_whatever_the_labels_say(two_panels, runs):
    fig, left, right = two_panels
    earlier = [earlier_run(k, {"loss": decay(2001, end=0.2 / k)}, label=f"run {k}: {LONG}") for k in range(1, runs + 1)]
    panel = CurvePanel(right, [LOSS], epochs=2001, earlier=earlier, this_label=f"this run: lr 0.03, {LONG}")
    values = {"loss": decay(2001, end=0.0005)}
    draw_curves([panel], values, final=True)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = right.get_legend()
    assert legend is not None and len(legend.get_texts()) == runs + 1
    assert inside(legend.get_window_extent(renderer), right.get_window_extent(renderer))
    assert not legend.get_window_extent(renderer).overlaps(left.get_legend().get_window_extent(renderer))
    for text in legend.get_texts():  # wrapped onto 2 lines at most, the rest cut with "..."
        assert text.get_text().count("\n") <= 1
    assert legend.get_texts()[-1].get_text().startswith("this run: lr 0.03,")
    assert any(text.get_text().endswith("...") for text in legend.get_texts())


def test_a_short_label_is_left_whole():
    assert wrap("run 6: lr 0.0003", 40) == "run 6: lr 0.0003"
    assert wrap("a " * 30, 20).count("\n") == 1 and wrap("word " * 30, 20).endswith("...")


def test_the_last_values_sit_where_no_curve_runs_and_clear_of_each_other(two_panels):
    """Two curves ending close together, behind them earlier runs that run longer (3,001
    epochs against this run's 2,001): each last value is written right of every curve."""
    fig, _, right = two_panels
    earlier = [earlier_run(1, {"train loss": decay(3001, end=0.002), "test loss": decay(3001, end=0.0021)})]
    panel = CurvePanel(right, [TRAIN, TEST], epochs=2001, earlier=earlier, this_label="this run: epochs 2001")
    values = {"train loss": decay(2001, end=0.01), "test loss": decay(2001, end=0.0102)}
    draw_curves([panel], values, final=True)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = panel.texts
    assert [t.get_text() for t in texts] == ["0.01", "0.0102"]
    boxes = [t.get_window_extent(renderer) for t in texts]
    assert not boxes[0].overlaps(boxes[1])  # moved apart
    for box in boxes:
        assert curve_points_in(box, [right]) == 0
        assert inside(box, fig.bbox)
        assert box.x0 > right.transData.transform((3000, 1))[0]  # right of the longest curve's end


def test_every_tick_label_is_inside_the_figure_and_none_is_past_the_last_epoch():
    for epochs in [200, 2001, 3001, 20001]:
        for dpi in [100, 80]:  # the window and PNG; the GIF's frames
            fig, ax = plt.subplots(figsize=(6, 4), dpi=dpi)
            panel = CurvePanel(ax, [LOSS], epochs=epochs)
            draw_curves([panel], {"loss": decay(epochs)}, final=True)
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
            ticks = [t for t in ax.get_xticklabels() if t.get_text()]
            assert ticks and all(inside(t.get_window_extent(renderer), fig.bbox) for t in ticks), (epochs, dpi)
            assert max(ax.get_xticks()) <= epochs - 1 and int(ticks[-1].get_text().replace("\u2212", "-")) >= epochs * 0.7
            for text in panel.texts + [ax.yaxis.label]:
                assert inside(text.get_window_extent(renderer), fig.bbox), (epochs, dpi)
            plt.close(fig)


def test_the_title_and_the_label_write_a_number_alike():
    fig, ax = plt.subplots()
    panel = CurvePanel(ax, [LOSS], epochs=5)
    values = {"loss": [0.7, 0.5, 0.45, 0.4406, 0.44045737385749817]}
    ax.set_title(f"training loss, final {panel.last('loss', values)}")
    draw_curves([panel], values, final=True)
    assert ax.get_title() == "training loss, final 0.4405" == f"training loss, final {panel.texts[0].get_text()}"
    assert number(2.8573373128892854e-05) == "2.857e-05" and number(0.992, "{:.4f}") == "0.9920"
    assert number(float("nan")) == "nan"
    plt.close(fig)


def test_the_ranges_hold_this_run_and_the_earlier_ones():
    fig, (log_ax, linear_ax) = plt.subplots(1, 2)
    earlier = [earlier_run(1, {"loss": decay(3000, start=4.5, end=0.0002)})]
    panel = CurvePanel(log_ax, [LOSS], epochs=2001, earlier=earlier)
    panel.set_data({"loss": decay(2001, end=0.04)})
    low, high = log_ax.get_ylim()
    assert low <= 0.0002 and high >= 4.5 and log_ax.get_xlim()[1] >= 2999
    linear = CurvePanel(linear_ax, [TRAIN, TEST], epochs=10, first_epoch=1, scale="linear")
    linear.set_data({"train loss": [1.4, 0.9, 0.5], "test loss": [1.2, 1.0, 0.8]})
    assert linear_ax.get_ylim()[0] == 0 and 1.4 < linear_ax.get_ylim()[1] <= 2.0
    assert linear_ax.get_xlim()[0] < 1 and max(linear_ax.get_xticks()) <= 10
    plt.close(fig)


def test_earlier_runs_of_one_curve_have_colours_of_their_own_of_several_curves_line_styles():
    fig, (one, several) = plt.subplots(1, 2)
    runs = [earlier_run(k, {"loss": decay(50), "train loss": decay(50), "test loss": decay(50)}) for k in (1, 2)]
    CurvePanel(one, [LOSS], epochs=50, earlier=runs, this_label="this run: lr 0.1")
    faded = [line for line in one.get_lines() if line.get_label().startswith("run ")]
    assert [line.get_label() for line in faded] == ["run 1: lr 0.01", "run 2: lr 0.02"]
    assert len({line.get_color() for line in faded} | {LOSS.color}) == 3
    panel = CurvePanel(several, [TRAIN, TEST], epochs=50, earlier=runs, this_label="this run: lr 0.1")
    draw_curves([panel], {"train loss": decay(50), "test loss": decay(50)}, final=True)
    labels = [text.get_text() for text in several.get_legend().get_texts()]
    assert labels == ["training", "test", "this run: lr 0.1", "run 1: lr 0.01", "run 2: lr 0.02"]
    dashed = [line for line in several.get_lines() if line.get_label() == "_nolegend_"]
    assert {line.get_color() for line in dashed} == {"tab:blue", "tab:orange"}
    assert {line.get_linestyle() for line in dashed} == {"--", ":"}
    plt.close(fig)


def test_a_twin_panel_shares_one_legend_clear_of_both_panels_curves():
    """mnist's 4-vs-9 figure: losses on the left scale, the accuracy on a right one; the
    legend lists both and keeps off the accuracy's curve too."""
    fig, ax = plt.subplots(figsize=(8, 5))
    losses = CurvePanel(ax, [TRAIN, TEST], epochs=40, ylabel="loss")
    accuracy = CurvePanel(ax.twinx(), [ACCURACY], epochs=40, scale="linear", limits=lambda values: (0.5, 1.01),
                          twin_of=losses)
    values = {"train loss": decay(40, end=0.001), "test loss": decay(40, end=0.03),
              "accuracy": list(np.linspace(0.6, 0.99, 40))}
    draw_curves([losses], values, final=True)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = accuracy.ax.get_legend()  # on the top axes: drawn over every curve
    assert [t.get_text() for t in legend.get_texts()] == ["training", "test", "test accuracy"]
    assert curve_points_in(legend.get_window_extent(renderer), [ax, accuracy.ax]) == 0
    assert [t.get_text() for t in losses.texts + accuracy.texts] == ["0.001", "0.03", "0.9900"]
    boxes = [t.get_window_extent(renderer) for t in losses.texts + accuracy.texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    plt.close(fig)


def test_an_annotation_is_put_where_its_text_covers_no_curve():
    fig, ax = plt.subplots(figsize=(6, 4))
    x = np.arange(40)
    ax.plot(x, 0.47 + 0 * x)  # a flat curve just above the point
    ax.plot(x, 0.3 + 0.003 * x)
    ax.set_ylim(0, 1)
    fig.canvas.draw()
    above = ax.annotate("lowest 0.3300 (epoch 10)", (10, 0.33), xytext=(0, 26), textcoords="offset points",
                        ha="center", va="bottom")  # where a fixed offset puts it: on the flat curve
    fig.canvas.draw()
    assert curve_points_in(Text.get_window_extent(above, fig.canvas.get_renderer()), [ax]) > 0
    above.remove()
    note = annotate_clear(ax, "lowest 0.3300 (epoch 10)", (10, 0.33), arrowprops={"arrowstyle": "->"})
    fig.canvas.draw()
    box = Text.get_window_extent(note, fig.canvas.get_renderer())  # its text (the arrow crosses)
    assert curve_points_in(box, [ax]) == 0 and len(ax.texts) == 1
    plt.close(fig)


def test_a_figure_drawn_once_fits_its_log_range_closer_than_whole_powers_of_ten():
    """A first loss just above 1 takes a whole power of ten more on a steady (live) axis; a
    figure drawn once ends at 1, 2 or 5 times a power of ten, still holding every curve."""
    from booktools.figures import log_range

    assert log_range([1.07, 0.026]) == pytest.approx((0.01, 10.0))
    assert log_range([1.07, 0.026], steps=(1, 2, 5)) == pytest.approx((0.02, 2.0))
    assert log_range([0.82, 0.06], steps=(1, 2, 5)) == pytest.approx((0.05, 1.0))
    assert log_range([0.4925, 0.02], steps=(1, 2, 5)) == pytest.approx((0.01, 1.0))  # not along the frame
    assert log_range([0.44, 0.45], decades=1, steps=(1, 2, 5)) == pytest.approx((0.05, 0.5))
    fig, (steady, fitted) = plt.subplots(1, 2)
    earlier = [earlier_run(1, {"train loss": decay(200, start=0.82, end=0.03), "test loss": decay(200, end=0.026)},
                           first=1)]
    values = {"train loss": decay(200, start=1.07, end=0.072), "test loss": decay(200, start=0.94, end=0.077)}
    for ax, is_steady in ((steady, True), (fitted, False)):
        panel = CurvePanel(ax, [TRAIN, TEST], epochs=200, first_epoch=1, earlier=earlier, steady=is_steady)
        draw_curves([panel], values, final=True)
    assert steady.get_ylim() == pytest.approx((0.01, 10.0)) and fitted.get_ylim() == pytest.approx((0.02, 2.0))


def test_a_grid_gives_one_map_per_output_of_the_model():
    """booktools.regions.Grid: a model of one output gives one map over the grid, a model of
    several (class scores) one map each; to_inputs turns the plot's points into the inputs."""
    torch = pytest.importorskip("torch")
    from booktools.regions import Grid

    grid = Grid((0, 1), (0, 2), 5, to_inputs=lambda points: points * [1, 0.5])  # both inputs in 0..1
    one = grid.outputs(lambda x: x.sum(dim=1, keepdim=True))
    assert one.shape == (5, 5) and one[-1, -1] == pytest.approx(2) and one[0, 0] == 0
    three = grid.outputs(lambda x: torch.stack([x[:, 0], x[:, 1], -x[:, 0]], dim=1))
    assert three.shape == (5, 5, 3)
    assert three[0, -1].tolist() == pytest.approx([1, 0, -1])  # x across, y up
    assert grid.extent == (0, 1, 0, 2)


def test_last_values_near_the_bottom_of_a_linear_panel_stay_inside_it(two_panels):
    """Two losses ending close to 0 on a panel from 0: moved apart, both still inside the panel."""
    fig, _, right = two_panels
    panel = CurvePanel(right, [TRAIN, TEST], epochs=1000, first_epoch=1, scale="linear")
    values = {"train loss": decay(1000, start=1.4, end=0.0121), "test loss": decay(1000, start=1.35, end=0.0099)}
    draw_curves([panel], values, final=True)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in panel.texts]
    assert len(boxes) == 2 and not boxes[0].overlaps(boxes[1])
    frame = right.get_window_extent(renderer)
    for box in boxes:
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1


@pytest.mark.parametrize("epochs, first_epoch, step", [(1000, 1, 200), (20001, 0, 2500), (300, 1, 50)])
def test_epochs_are_ticked_in_round_steps(epochs, first_epoch, step):
    fig, ax = plt.subplots(figsize=(5.5, 4))
    panel = CurvePanel(ax, [LOSS], epochs=epochs, first_epoch=first_epoch)
    draw_curves([panel], {"loss": decay(epochs)}, final=True)
    fig.canvas.draw()
    ticks = ax.get_xticks()
    assert len(ticks) >= 4 and all(tick % step == 0 for tick in ticks), ticks
    plt.close(fig)


def test_a_figure_is_laid_out_once_so_its_last_frame_does_not_jump():
    """A live view makes the figure at the window's dpi and draws its GIF frames at another; the
    last frame (the final figure, with its last values) keeps the panels where they were."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11.5, 5.2), dpi=100)
    left.set_title("two lines\nof title")
    panel = CurvePanel(right, [TRAIN, TEST], epochs=1000, first_epoch=1, scale="linear")
    place_texts([panel], {})
    values = {"train loss": decay(1000), "test loss": decay(1000, end=0.002)}
    draw_curves([panel], {name: curve[:900] for name, curve in values.items()})  # a frame while training
    laid_out = [ax.get_position().bounds for ax in fig.axes]
    assert abs(laid_out[0][0] - 0.125) > 0.01  # tight_layout moved the panels
    fig.set_dpi(80)
    draw_curves([panel], values, final=True)  # the same ranges: no layout again
    assert [ax.get_position().bounds for ax in fig.axes] == laid_out
    plt.close(fig)


def test_a_laid_out_figure_is_drawn_once_when_saved():
    """tight_layout leaves the figure a layout engine (a placeholder), and savefig then draws
    it twice (once only to lay it out): the laid-out figure is saved in one draw."""
    import io

    fig, ax = plt.subplots()
    panel = CurvePanel(ax, [LOSS], epochs=10)
    place_texts([panel], {})
    draws = []
    fig.canvas.mpl_connect("draw_event", draws.append)
    fig.savefig(io.BytesIO(), format="png")
    assert len(draws) == 1


def test_a_panel_adopts_the_lines_a_book_function_drew():
    """mnist's lecture code draws its own two panels (plot_learning_curves): the panels take
    those lines, their colours and markers, and draw the earlier runs behind them."""
    fig, (loss_ax, accuracy_ax) = plt.subplots(1, 2, figsize=(12, 4))
    loss_ax.plot([], [], color="blue", marker="o", label="Train Loss")
    loss_ax.plot([], [], color="green", marker="o", label="Val Loss")
    loss_ax.set_xlabel("Epoch")
    accuracy_ax.plot([], [], color="red", marker="o", label="Val Accuracy")
    drawn = loss_ax.get_lines() + accuracy_ax.get_lines()
    runs = [earlier_run(1, {"train loss": decay(5, first=1), "test loss": decay(5, first=1),
                            "accuracy": [90, 92, 94, 95, 96]}, first=1)]
    losses = CurvePanel(loss_ax, [TRAIN, TEST], epochs=5, first_epoch=1, earlier=runs, this_label="this run: lr 0.1",
                        scale="linear", lines=loss_ax.get_lines())
    accuracy = CurvePanel(accuracy_ax, [ACCURACY], epochs=5, first_epoch=1, earlier=runs,
                          this_label="this run: lr 0.1", scale="linear", limits=lambda values: (80, 100),
                          lines=accuracy_ax.get_lines())
    assert [losses.lines["train loss"], losses.lines["test loss"], accuracy.lines["accuracy"]] == drawn
    values = {"train loss": decay(5), "test loss": decay(5, end=0.05), "accuracy": [91, 93, 95, 96, 97]}
    draw_curves([losses, accuracy], values, final=True)
    assert list(drawn[0].get_xdata()) == [1, 2, 3, 4, 5] and drawn[0].get_marker() == "o"
    assert loss_ax.get_xlabel() == "Epoch" and accuracy_ax.get_xlabel() == "epoch"  # the book's label is kept
    # The curves take the lines' colours: the earlier run's dashed lines and the last values too.
    dashed = [line for line in loss_ax.get_lines() if line.get_label() == "_nolegend_"]
    assert [line.get_color() for line in dashed] == ["blue", "green"]
    assert [text.get_color() for text in losses.texts + accuracy.texts] == ["blue", "green", "red"]
    assert [t.get_text() for t in loss_ax.get_legend().get_texts()] == ["Train Loss", "Val Loss", "this run: lr 0.1",
                                                                       "run 1: lr 0.01"]
    # One curve: the earlier run in a colour of its own, behind this run's line.
    faded, = [line for line in accuracy_ax.get_lines() if line.get_label() == "run 1: lr 0.01"]
    assert faded.get_color() != "red" and faded.get_zorder() < drawn[2].get_zorder()
    assert accuracy_ax.get_ylim() == (80, 100)
    plt.close(fig)


def test_an_annotation_stays_inside_its_axes_and_off_the_texts():
    """The lowest test loss at the last epoch: the note beside the axes' right edge stays inside
    them, and keeps off the last values written right of the curves."""
    fig, ax = plt.subplots(figsize=(8, 5))
    panel = CurvePanel(ax, [TRAIN, TEST], epochs=3, decades=3)  # (room below the point)
    values = {"train loss": [0.68, 0.53, 0.21], "test loss": [0.65, 0.31, 0.12]}
    draw_curves([panel], values, final=True)
    note = annotate_clear(ax, "lowest 0.1217 (epoch 2)", (2, 0.12), arrowprops={"arrowstyle": "->"})
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = Text.get_window_extent(note, renderer)
    assert inside(box, ax.get_window_extent(renderer).padded(-3), slack=0)  # (not on the frame either)
    assert not any(box.overlaps(text.get_window_extent(renderer)) for text in panel.texts)
    assert curve_points_in(box, [ax]) == 0
    plt.close(fig)


def test_while_training_a_legend_moves_off_this_runs_curves():
    """The legend is placed before training (no curve yet); when this run's accuracy comes to run
    under it, the next frame has it where no curve runs."""
    fig, ax = plt.subplots(figsize=(8, 5))
    losses = CurvePanel(ax, [TRAIN, TEST], epochs=40, decades=3)
    accuracy = CurvePanel(ax.twinx(), [ACCURACY], epochs=40, scale="linear", limits=lambda values: (0.5, 1.01),
                          twin_of=losses)
    place_texts([losses, accuracy], {})
    legend = accuracy.ax.get_legend()
    values = {"train loss": decay(40, end=0.001), "test loss": decay(40, end=0.03),
              "accuracy": list(0.99 - 0.12 * np.exp(-np.arange(40) / 3))}
    for epoch in range(1, 41):  # as the live view draws them, epoch by epoch
        changed = draw_curves([losses, accuracy], {name: series[:epoch] for name, series in values.items()})
        assert legend not in changed  # drawn with the background, again when it moves (test_live.py)
        assert curve_points_in(legend.get_window_extent(fig.canvas.get_renderer()), [ax, accuracy.ax]) == 0, epoch
    plt.close(fig)


def test_while_training_a_new_range_is_laid_out_again():
    """The figure is laid out before training (no curve yet: a range of 0 to 0.5); the losses
    in thousands need wider tick labels, and they and the axis label stay inside the figure."""
    fig, ax = plt.subplots(figsize=(6, 4))
    panel = CurvePanel(ax, [TRAIN, TEST], epochs=10, scale="linear", ylabel="loss")
    place_texts([panel], {})
    draw_curves([panel], {"train loss": [25000.0, 18000.0], "test loss": [26000.0, 21000.0]})
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert ax.get_ylim()[1] >= 26000
    for text in [ax.yaxis.label] + [t for t in ax.get_yticklabels() if t.get_text()]:
        assert inside(text.get_window_extent(renderer), fig.bbox), text.get_text()
    plt.close(fig)


def test_a_long_legend_in_a_crowded_panel_is_wrapped_narrower_to_find_a_clear_place():
    """A reader's code edit makes long labels, and the curves fill the panel: the legend at the
    panel's width covers curves anywhere; wrapped narrower (and smaller) it finds a clear place."""
    fig, ax = plt.subplots(figsize=(8, 5))
    epochs = np.arange(40)
    this = {"train loss": list(0.6 * (0.0004 / 0.6) ** (epochs / 39)),
            "test loss": list(0.03 + 0.3 * np.exp(-epochs / 2)), "accuracy": list(0.99 - 0.75 * np.exp(-epochs / 1.5))}
    runs = [earlier_run(4, {"train loss": list(0.7 * (0.002 / 0.7) ** (epochs / 39)),
                            "test loss": list(0.04 + 0.6 * np.exp(-epochs / 3)),
                            "accuracy": list(0.98 - 0.4 * np.exp(-epochs / 1.5))},
                        label="run 4: train.py: Conv2d(8, 32, kernel_size=3), Linear(32, 1), view(-1, 32)...")]
    label = "this run: train.py: Conv2d(8, 16, kernel_size=3), Linear(16, 1), view(-1, 16)..."
    losses = CurvePanel(ax, [TRAIN, TEST], epochs=40, earlier=runs, this_label=label, decades=3)
    accuracy = CurvePanel(ax.twinx(), [ACCURACY], epochs=40, earlier=runs, scale="linear",
                          limits=lambda values: (0.5, 1.01), twin_of=losses)
    draw_curves([losses, accuracy], this, final=True)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = accuracy.ax.get_legend()
    box = legend.get_window_extent(renderer)
    assert inside(box, ax.get_window_extent(renderer)) and len(legend.get_texts()) == 5
    assert curve_points_in(box, [ax, accuracy.ax]) == 0
    plt.close(fig)


@pytest.mark.parametrize("width", [6, 8, 12])
def test_a_long_header_is_wrapped_to_the_figures_width(width):
    """Flags and a code change in two files: the header stays inside the figure, on two lines at most."""
    header = ("train.py: epochs 30, lr 0.002, train-size 3000, figures/training.py: 120; train.py: "
              "DataLoader(test_dataset, batch_size=500), train_loss += loss.item() * len(label)...")
    fig, ax = plt.subplots(figsize=(width, 4))
    title = fig.suptitle(fit_header(fig, header))
    fig.tight_layout()
    fig.canvas.draw()
    assert inside(title.get_window_extent(fig.canvas.get_renderer()), fig.bbox)
    assert title.get_text().count("\n") <= 1 and title.get_text().startswith("train.py: epochs 30, lr 0.002")
    assert fit_header(fig, "train.py (default settings)") == "train.py (default settings)"
    plt.close(fig)


def test_the_last_frame_returns_no_legend_that_is_gone():
    """The live view draws the artists draw_curves returns over the figure: at the last frame,
    the legend placed for the whole curves, not the one placed before training as well."""
    fig, ax = plt.subplots(figsize=(6, 4))
    runs = [earlier_run(1, {"accuracy": list(np.linspace(94, 96.4, 4))}, first=1)]
    panel = CurvePanel(ax, [ACCURACY], epochs=3, first_epoch=1, earlier=runs, this_label="this run: lr 0.003",
                       scale="linear", limits=lambda values: (90, 100))
    place_texts([panel], {})  # before training: placed clear of the earlier run only
    before = ax.get_legend()
    values = {"accuracy": [98.0, 98.3, 98.7]}
    assert before not in draw_curves([panel], {"accuracy": values["accuracy"][:2]})  # (with the background)
    drawn = draw_curves([panel], values, final=True)
    shown = [artist for artist in drawn if isinstance(artist, Legend)]
    assert shown == [ax.get_legend()] and before not in drawn
    plt.close(fig)


def test_an_annotation_takes_either_kind_of_arrow():
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [0.3, 0.2, 0.25])
    for arrow in [{"arrowstyle": "->"}, {"width": 1, "headwidth": 4}, None]:
        note = annotate_clear(ax, "lowest 0.2000 (epoch 1)", (1, 0.2), arrowprops=arrow)
        fig.canvas.draw()
        assert note.get_text() == "lowest 0.2000 (epoch 1)"
        note.remove()
    plt.close(fig)
