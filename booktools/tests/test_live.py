"""booktools.live: the figure redrawn while training runs (blitting), off-screen into an
animated GIF; frame_epochs, the schedule of its frames. (A real window: test_window.py.)"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

import train
from booktools.live import GIF_HOLD_MS, LiveView, frame_epochs, save_gif
from conftest import STEPS


def gif_frames(path):
    """All frames of a GIF as RGB arrays, and each frame's duration in ms."""
    assert path.read_bytes()[:6] == b"GIF89a"
    frames, durations = [], []
    with Image.open(path) as gif:
        assert gif.info["loop"] == 0  # loops forever
        for number in range(gif.n_frames):
            gif.seek(number)
            frames.append(np.asarray(gif.convert("RGB"), dtype=int))
            durations.append(gif.info["duration"])
    return frames, durations


def differ(a, b):
    """The share of pixels that differ clearly."""
    return float((np.abs(a - b).max(axis=2) > 40).mean())


def test_short_runs_draw_every_epoch_long_ones_at_most_48_frames():
    assert frame_epochs(0) == [] and frame_epochs(1) == [0]
    assert frame_epochs(5) == [0, 1, 2, 3, 4] and frame_epochs(48) == list(range(48))
    for epochs in [49, 200, 1000, 20001, 10 ** 7]:
        chosen = frame_epochs(epochs)
        assert 25 <= len(chosen) <= 48, epochs  # (duplicates of the geometric spacing are dropped)
        assert chosen[:4] == [0, 1, 2, 3] and chosen[-1] == epochs - 1
        assert all(a < b for a, b in zip(chosen, chosen[1:]))
    gaps = np.diff(frame_epochs(1000))
    assert gaps[-1] > 10 * gaps[0]  # dense early, where the curves change fast
    assert len(frame_epochs(100, frames=10)) <= 10


def test_the_gif_of_a_training_run(run_main, tmp_path):
    gif = tmp_path / "run.gif"
    code, out, err = run_main(train.main, STEPS, "--epochs", "200", "--gif", str(gif),
                              "--save", str(tmp_path / "run.png"))
    assert code == 0 and err == ""
    assert out.splitlines()[-2:] == [f"Saved animation to {gif}", f"Saved figure to {tmp_path / 'run.png'}"]
    frames, durations = gif_frames(gif)
    assert len(frames) == len(frame_epochs(200))  # one frame per scheduled epoch
    assert durations == [80] * (len(frames) - 1) + [GIF_HOLD_MS]  # the result is held on screen
    assert frames[0].shape == (4 * 80, 6 * 80, 3)  # the figure's size at 80 dpi
    # The curve grows from frame to frame ...
    assert all((np.abs(a - b).max(axis=2) > 40).any() for a, b in zip(frames, frames[1:]))
    # ... and white stays white: each frame has its own palette (one shared palette turned
    # it light grey); the quantizer gives 254, no tint.
    for frame in frames[0], frames[-1]:
        corner = frame[:8, :8].reshape(-1, 3)
        assert (corner >= 253).all() and (corner == corner[:, :1]).all()


def test_the_gif_of_an_earlier_run_is_replaced(run_main, tmp_path):
    gif = tmp_path / "run.gif"
    Image.new("RGB", (4, 4)).save(gif)  # an earlier animation may be replaced
    code, _, err = run_main(train.main, STEPS, "--epochs", "3", "--gif", str(gif), "--save", str(tmp_path / "r.png"))
    assert code == 0, err
    with Image.open(gif) as animation:
        assert animation.size == (480, 320) and animation.n_frames == 3


def test_ctrl_c_still_writes_the_gif_up_to_where_training_stopped(run_main, tmp_path, monkeypatch):
    calls = []
    real_step = train.step

    def step(*args):  # Ctrl-C in epoch 38
        calls.append(1)
        if len(calls) == 39:
            raise KeyboardInterrupt
        return real_step(*args)

    monkeypatch.setattr(train, "step", step)
    gif = tmp_path / "stopped.gif"
    code, out, err = run_main(train.main, STEPS, "--epochs", "200", "--gif", str(gif),
                              "--save", str(tmp_path / "stopped.png"))
    assert code == 0, err
    assert "Interrupted after 38 epochs: showing what was learned so far." in out
    # The frames drawn so far, plus one of epoch 37 (the last one trained), which had none.
    scheduled = frame_epochs(200)
    assert 37 not in scheduled
    frames, durations = gif_frames(gif)
    assert len(frames) == len([epoch for epoch in scheduled if epoch <= 37]) + 1
    assert durations[-1] == GIF_HOLD_MS


def draw_numbers(tmp_path, epochs, stop=None, rescale_at=None, climb=False, legend_moves_at=None):
    """A LiveView whose redraw moves a line (returned: blitted) and writes the epoch into a
    text it does not return (drawn only when the whole figure is drawn); the GIF's frames.
    The line's end goes up and down (or climbs: no two frames alike, which the GIF would
    merge into one)."""
    fig, ax = plt.subplots(figsize=(4, 3))
    line, = ax.plot([0, 1], [0, 1], label="loss")
    legend = ax.legend(loc="upper left")
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    note = ax.text(0.7, 0.1, "", transform=ax.transAxes, fontsize=30)

    def redraw(epoch):
        line.set_data([0, 1], [0, 1 + (epoch / 4 if climb else epoch % 2)])
        note.set_text(str(epoch))
        if epoch == rescale_at:
            ax.set_ylim(0, 20)  # an axis range changed: everything is drawn again
        if epoch == legend_moves_at:
            legend.set_loc("lower right")  # the legend moved (draw_curves keeps it off the curves): the same
        return [line]

    live = LiveView(["loss"], epochs)
    live.draw(fig, redraw, gif=tmp_path / "numbers.gif", gif_dpi=50)
    assert not plt.fignum_exists(fig.number)  # off-screen: never a window
    for epoch in range(stop or epochs):
        live.update(epoch, 1 / (1 + epoch))
    live.finish()
    frames, _ = gif_frames(tmp_path / "numbers.gif")
    return fig, line, frames


def test_frames_are_blitted_and_the_last_is_drawn_whole(tmp_path):
    fig, line, frames = draw_numbers(tmp_path, 10, rescale_at=5)
    assert len(frames) == 10 and frames[0].shape == (150, 200, 3)

    def same(a, b):
        return np.abs(frames[a] - frames[b]).max() <= 2

    # Between full draws only the line is drawn again: the text says the epoch of the last full draw.
    assert same(0, 2) and same(1, 3) and not same(0, 1)  # (the line moves every epoch)
    assert not same(2, 6) and same(6, 8)  # epoch 5 changed the y range: drawn whole
    assert not same(7, 9)  # epoch 9, the last: drawn whole (its text says 9)
    # The last frame is the whole final figure.
    line.set_animated(False)
    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(50)
    canvas.draw()
    final = np.asarray(canvas.buffer_rgba())[..., :3].astype(int)
    assert differ(frames[-1], final) < 0.002  # (the GIF's colours are close, not exact)
    assert differ(frames[-2], final) > 0.002


def test_a_legend_that_moves_is_drawn_where_it_went(tmp_path):
    """A legend is drawn with the figure's background, not every frame: when it moves, the whole
    figure is drawn again (the text says that epoch), and no frame shows it in two places."""
    fig, line, frames = draw_numbers(tmp_path, 10, legend_moves_at=4)

    def same(a, b):
        return np.abs(frames[a] - frames[b]).max() <= 2

    assert same(1, 3) and not same(3, 5) and same(5, 7)  # drawn whole at epoch 4, blitted after
    height, width, _ = frames[5].shape
    upper_left = frames[5][: height // 3, : width // 3]
    assert differ(upper_left, frames[1][: height // 3, : width // 3]) > 0.002  # the old place is empty now


def test_a_run_stopped_early_ends_on_a_whole_frame_of_its_last_epoch(tmp_path):
    fig, line, frames = draw_numbers(tmp_path, 200, stop=38, climb=True)
    assert 37 not in frame_epochs(200)
    assert len(frames) == len([epoch for epoch in frame_epochs(200) if epoch <= 37]) + 1
    line.set_animated(False)
    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(50)
    canvas.draw()
    final = np.asarray(canvas.buffer_rgba())[..., :3].astype(int)
    assert differ(frames[-1], final) < 0.002  # its text says 37
    assert differ(frames[-2], final) > 0.002


def test_a_live_view_without_a_figure_keeps_the_curves(capsys):
    """Values passed to update() and values it measures itself (a validation loss), kept as
    plain floats in the order the curves were named; Ctrl-C returns them as they are."""
    measured = iter([0.9, 0.8, 0.7])
    live = LiveView(["validation loss", "loss", "accuracy"], 3, measure={"validation loss": lambda: next(measured)})
    for epoch in range(3):
        live.update(epoch, np.float32(0.5 - epoch / 8), 0.5 + epoch / 10)  # (float32: exact in binary)
    assert live.epochs_done == 3 and live.frames == []
    assert live.curves == {"validation loss": [0.9, 0.8, 0.7], "loss": [0.5, 0.375, 0.25],
                           "accuracy": [0.5, 0.6, 0.7]}
    assert all(type(v) is float for values in live.curves.values() for v in values)
    assert live.state == ([0.9, 0.8, 0.7], [0.5, 0.375, 0.25], [0.5, 0.6, 0.7])
    live.finish()
    assert capsys.readouterr().out == "" and plt.get_fignums() == []


def test_a_figure_with_neither_window_nor_gif_is_never_drawn(tmp_path):
    fig, ax = plt.subplots()
    drawn = []
    live = LiveView(["loss"], 5)
    live.draw(fig, lambda epoch: drawn.append(epoch) or [])
    for epoch in range(5):
        live.update(epoch, 0.1)
    live.finish()
    assert drawn == [] and live.epochs_done == 5 and not plt.fignum_exists(fig.number)
    assert live.curves["loss"] == [0.1] * 5


def test_epochs_counted_from_one_are_drawn_up_to_the_last(tmp_path):
    fig, ax = plt.subplots()
    drawn = []
    live = LiveView(["loss"], 5, first_epoch=1)
    live.draw(fig, lambda epoch: drawn.append(epoch) or [], gif=tmp_path / "a.gif")
    for epoch in range(1, 6):
        live.update(epoch, 0.1)
    live.finish()
    assert drawn == [1, 2, 3, 4, 5] and live.is_last_frame(5)


def test_the_live_view_notes_the_optimizer_the_loop_stepped():
    torch = __import__("pytest").importorskip("torch")
    live = LiveView(["loss"], 2)
    weight = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([weight], lr=0.25)
    assert live.optimizer is None
    for epoch in range(2):
        weight.sum().backward()
        optimizer.step()
        live.update(epoch, 1.0)
    live.finish()
    assert live.optimizer is optimizer
    torch.optim.SGD([weight], lr=0.5).step()  # after finish(): no longer watched
    assert live.optimizer is optimizer


def test_save_gif_gives_each_frame_its_own_palette(tmp_path):
    """A frame of blues, then one of reds, each with a white corner: each frame's colours
    come through (one palette for both would miss half of them), white stays white."""
    ramp = np.linspace(0, 150, 300)
    low, high = np.broadcast_arrays(ramp[None, :] / 3, ramp[:, None])
    full = np.full((300, 300), 255.0)
    blues = np.stack([low, high, full], axis=-1).astype(np.uint8)
    reds = np.stack([full, high, low], axis=-1).astype(np.uint8)
    for frame in blues, reds:
        frame[:20, :20] = 255
    path = tmp_path / "new folder" / "a.gif"  # the folder is made
    save_gif([Image.fromarray(blues), Image.fromarray(reds)], path, frame_ms=50)
    frames, durations = gif_frames(path)
    assert durations == [50, GIF_HOLD_MS]
    for frame, original in zip(frames, [blues, reds]):
        assert np.abs(frame - original).mean() < 4
        corner = frame[:20, :20].reshape(-1, 3)
        assert (corner >= 253).all() and (corner == corner[:, :1]).all()
    # (one palette for both, the first frame's, would miss the reds by far)
    shared = Image.fromarray(reds).quantize(palette=Image.fromarray(blues).quantize(colors=256)).convert("RGB")
    assert np.abs(np.asarray(shared, dtype=int) - reds).mean() > 40


def test_ctrl_c_while_a_curve_is_measured_leaves_every_curve_as_long():
    """Ctrl-C lands in a measure (a validation loss is most of an epoch's work): that epoch
    is kept in no curve, so the curves stay alike in length."""
    calls = []

    def validation_loss():
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return 0.5

    live = LiveView(["training loss", "validation loss"], 5, measure={"validation loss": validation_loss})
    try:
        for epoch in range(5):
            live.update(epoch, 1.0)
    except KeyboardInterrupt:
        pass
    live.finish()
    assert live.curves == {"training loss": [1.0, 1.0], "validation loss": [0.5, 0.5]}
