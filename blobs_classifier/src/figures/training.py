"""train.py's figure: the decision regions beside the losses, live while training runs and at
the end. The loss panel (earlier runs behind this run's, --compare), the live view, the grid
and the end of the run are booktools' figure kit; here is what only this chapter draws: the
class shading and its key, the rings round mistakes, the --predict stars, the points.
"""
import numpy as np
import torch

from booktools.curves import Curve, CurvePanel, draw_curves, place_texts
from booktools.describe import activations, layer_sizes, optimizer_text
from booktools.figures import finish_run
from booktools.live import LiveView, wanted
from booktools.regions import Grid, NeuronMaps, linear_layers, neurons_on_grid
from figures.points import class_rgb, legend_handles, plane, plot_points, points_title, set_labels

GRID_SIZE = 300  # the decision regions are drawn on a 300 x 300 grid
MAP_SIZES = 64, 100  # --neurons: each neuron's map while training, and at the end
FIGSIZE = (11.5, 5.2)
# The shading: the class the model picks, the stronger the surer it is (softmax probability
# from 1/classes, a pure guess, to 1), in steps that read like contour lines (and keep the
# GIF's colours few).
SHADE_WEAKEST, SHADE_STRONGEST, SHADE_STEPS = 0.06, 0.42, 8
# Four decimals, as train.py prints the losses.
CURVES = [Curve("training loss", "training", "tab:blue", fmt="{:.4f}"),
          Curve("validation loss", "validation", "tab:orange", fmt="{:.4f}")]


def start_live_view(model, loss_function, data, args):
    """What watches train_model: every epoch it keeps the training loss it is given and the
    validation loss it measures (watched only, never trained on), and, in a window and/or a
    GIF, redraws the figure of show_results while training runs."""
    val_x, val_y = torch.from_numpy(data.val_x), torch.from_numpy(data.val_y)

    def validation_loss():
        with torch.no_grad():
            return loss_function(model(val_x), val_y).item()

    live = LiveView([curve.name for curve in CURVES], args.epochs, measure={"validation loss": validation_loss})
    if args.neurons and len(linear_layers(model)) == 1:
        print(f"--neurons: the linear model has no hidden layer; its only neurons are the {data.classes} "
              "outputs (the class scores, drawn at the right).", flush=True)
    window, gif = wanted(args)
    if not window and gif is None:
        return live
    fig, ax_plane, panel, maps = make_figure(model, data, live, args)
    map_grid = region_grid(data, ax_plane, MAP_SIZES[0]) if maps else None
    grid = region_grid(data, ax_plane)
    changing = []
    if grid:  # the shading as an image: new image data is much cheaper than a new contourf
        image = ax_plane.imshow(np.ones((GRID_SIZE, GRID_SIZE, 3)), origin="lower", extent=grid.extent,
                                aspect="auto", interpolation="nearest")
        changing.append(image)
    rings = draw_mistakes(ax_plane, data, np.zeros(len(data.val_y), dtype=bool))
    # Drawn again after the image, so the points and the legend stay on top of it.
    changing += [*ax_plane.collections, ax_plane.get_legend(), ax_plane.title, *ax_plane.spines.values()]
    words = model_words(model, data)

    def redraw(epoch):
        if grid:
            image.set_data(shade_grid(model, grid, data.classes))
        if maps:
            changing_maps = maps.update(*neurons_on_grid(model, map_grid), map_grid)
        wrong = misclassified(model, data)
        rings.set_offsets(np.column_stack(plane(data.raw_val[wrong], data.val_y[wrong])))
        ax_plane.set_title(plane_title(words, data, wrong))
        final = live.is_last_frame(epoch)  # the last frame is the final figure
        panel.ax.set_title(loss_title(live, panel, None if final else epoch + 1))
        return (changing + (changing_maps if maps else []) + draw_curves([panel], live.curves, final)
                + [panel.ax.title])

    live.draw(fig, redraw, window=window, gif=gif)
    return live


def show_results(model, data, live, predictions, args):
    """Left: the class the model picks over the plane, the points, the misclassified validation
    points ringed, the --predict stars. Right: both losses of every epoch (and earlier runs')."""
    fig, ax_plane, panel, maps = make_figure(model, data, live, args, predictions)
    if maps:
        map_grid = region_grid(data, ax_plane, MAP_SIZES[1])
        maps.update(*neurons_on_grid(model, map_grid), map_grid)
        if maps.dead_text():
            print(maps.dead_text(), flush=True)
    grid = region_grid(data, ax_plane)
    if grid:
        ax_plane.imshow(shade_grid(model, grid, data.classes), origin="lower", extent=grid.extent,
                        aspect="auto", interpolation="nearest")
    wrong = misclassified(model, data)
    draw_mistakes(ax_plane, data, wrong)
    ax_plane.set_title(plane_title(model_words(model, data), data, wrong))
    draw_curves([panel], live.curves, final=True)
    losses = live.curves
    finals = {"loss": losses["training loss"][-1], "validation loss": losses["validation loss"][-1],
              "accuracy": 1 - wrong.mean()} if losses["training loss"] else {}
    finish_run(fig, args, losses, finals, "train.png")


def make_figure(model, data, live, args, predictions=()):
    """What the live and the final figure share: the plane with its points, stars and the key
    of its shading, the loss panel (earlier runs' curves with --compare), the titles, and with
    --neurons the neurons' maps below (else None)."""
    import matplotlib.pyplot as plt
    from mpl_toolkits.axes_grid1 import make_axes_locatable

    maps_height = NeuronMaps.height(model) if args.neurons else 0
    fig = plt.figure(figsize=(FIGSIZE[0], FIGSIZE[1] + maps_height))
    cells = fig.add_gridspec(2 if args.neurons else 1, 2, height_ratios=[FIGSIZE[1], maps_height] if args.neurons else None)
    ax_plane, ax_loss = fig.add_subplot(cells[0, 0]), fig.add_subplot(cells[0, 1])
    fig.suptitle(args.record.header())  # the flags and code the reader changed
    if data.features <= 2:  # (no regions to shade with more features: no key)
        draw_key(make_axes_locatable(ax_plane).append_axes("right", size=f"{3.5 * data.classes}%", pad=0.08),
                 data.classes)
    draw_plane(ax_plane, data, predictions, args.predict)
    ax_plane.set_title(plane_title(model_words(model, data), data, np.zeros(len(data.val_y), dtype=bool)))
    panel = CurvePanel(ax_loss, CURVES, epochs=args.epochs, first_epoch=1, earlier=args.record.earlier,
                       this_label=args.record.this_label(), scale="linear", ylabel="cross-entropy loss")
    ax_loss.set_title(loss_title(live, panel))
    maps = NeuronMaps(fig, cells[1, :], model, [f"class {k} score" for k in range(data.classes)]) \
        if args.neurons else None
    place_texts([panel], {})  # the layout, and the legend of the earlier runs (--compare)
    return fig, ax_plane, panel, maps


def loss_title(live, panel, epoch=None):
    """"Loss (SGD lr=0.01)", read from the optimizer the loop stepped (the reader may edit it);
    while training, the epoch and its training loss too."""
    optimizer = optimizer_text(live.optimizer)
    title = f"Loss ({optimizer})" if optimizer else "Loss"
    if epoch is None or not live.curves["training loss"]:
        return title
    return f"{title}, epoch {epoch}: {panel.last('training loss', live.curves)}"


def model_words(model, data):
    """The model that runs, from its layers: "linear model (2-3)", "1 hidden layer (2-16-3, ReLU)"."""
    sizes = layer_sizes(model)
    hidden = sizes.count("-") - 1 if sizes else 0
    if sizes is None or hidden == 0:
        return f"linear model ({sizes})" if sizes else type(model).__name__
    found = activations(model, torch.from_numpy(data.val_x[:1]))
    return f"{hidden} hidden layer{'s' * (hidden > 1)} ({sizes}, {', '.join(found) or 'no activation'})"


def plane_title(words, data, wrong):
    if data.features <= 2:
        title = f"Decision regions: {words}"
    else:
        title = points_title(f"No decision regions ({words}, {data.features} features)", data.features)
    return f"{title}\nvalidation: {wrong.sum()} of {len(wrong)} misclassified (ringed)"


def draw_plane(ax, data, predictions, predict):
    """The points, the --predict stars, axis labels and ranges (holding the stars), the legend."""
    from matplotlib.lines import Line2D

    plot_points(ax, data.raw_train, data.train_y, data.raw_val, data.val_y, data.classes)
    handles = legend_handles(data.classes)
    handles.append(Line2D([], [], linestyle="", marker="o", markersize=11, markerfacecolor="none",
                          markeredgecolor="black", markeredgewidth=1.6, label="misclassified"))
    for point, k, p in predictions:
        px, py = plane(point[None, :], np.array([k]))
        ax.scatter(px, py, s=260, marker="*", color="yellow", edgecolor="black", zorder=3)
        ax.annotate(f"class {k} (p={p:.2f})", (px[0], py[0]), xytext=(8, 8), textcoords="offset points",
                    fontsize="small", bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8})
    if predictions:
        handles.append(Line2D([], [], linestyle="", marker="*", markersize=12, color="yellow",
                              markeredgecolor="black", label="--predict"))
    xlim, ylim = plot_limits(data, predict)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    set_labels(ax, data.features, "original units")
    ax.legend(handles=handles, fontsize="small", framealpha=0.9)


def misclassified(model, data):
    """True for each validation point the model gets wrong now."""
    with torch.no_grad():
        return model(torch.from_numpy(data.val_x)).argmax(dim=1).numpy() != data.val_y


def draw_mistakes(ax, data, wrong):
    """A black ring around each misclassified validation point."""
    px, py = plane(data.raw_val[wrong], data.val_y[wrong])
    return ax.scatter(px, py, s=130, facecolors="none", edgecolors="black", linewidths=1.6, zorder=2.5)


def plot_limits(data, predict):
    """Axis ranges that hold every point, the --predict stars included, with a margin."""
    stars = np.reshape(predict or [], (-1, data.features))
    x = np.concatenate([data.raw_train, data.raw_val, stars])
    # With 1 feature the vertical axis is the class: a star's class lies in the labels' range.
    y = np.concatenate([data.train_y, data.val_y, np.zeros(len(stars))])
    limits = []
    for v in plane(x, y):
        margin = 0.1 * (v.max() - v.min()) + 0.5
        limits.append((v.min() - margin, v.max() + margin))
    return limits


def region_grid(data, ax, size=GRID_SIZE):
    """The grid over the plane, in the model's inputs (standardized as the data); None with 3+
    features. With one feature the vertical axis is the class, not an input: vertical bands."""
    if data.features > 2:
        return None
    return Grid(ax.get_xlim(), ax.get_ylim(), size,
                to_inputs=lambda points: data.scaler.transform(points[:, :data.features]))


def shade_grid(model, grid, classes):
    """The picture of the plane (RGB): the class the model picks at each grid point, in that
    class's colour, the stronger the higher its softmax probability."""
    scores = grid.outputs(model)
    probability = np.exp(scores - scores.max(axis=-1, keepdims=True))
    probability /= probability.sum(axis=-1, keepdims=True)
    return shade(probability.argmax(axis=-1), probability.max(axis=-1), classes)


def shade(chosen, probability, classes):
    """Class colours blended into white: a pure guess (1/classes) faint, certainty strong."""
    sure = np.clip((probability - 1 / classes) / (1 - 1 / classes), 0, 1)
    sure = np.minimum(np.floor(sure * SHADE_STEPS), SHADE_STEPS - 1) / (SHADE_STEPS - 1)
    strength = SHADE_WEAKEST + (SHADE_STRONGEST - SHADE_WEAKEST) * sure
    return 1 - strength[..., None] * (1 - class_rgb(classes)[chosen])


def draw_key(ax, classes):
    """The colour bar of the shading: one column per class, probability upwards."""
    p = np.linspace(1 / classes, 1, 400)
    columns = [shade(np.full(len(p), k), p, classes) for k in range(classes)]
    ax.imshow(np.stack(columns, axis=1), origin="lower", aspect="auto", extent=(-0.5, classes - 0.5, 1 / classes, 1))
    ax.set_xticks(range(classes))
    ax.set_xlabel("class")
    ax.yaxis.tick_right()
    ax.yaxis.set_label_position("right")
    ax.set_ylabel("shading = probability of the chosen class")
