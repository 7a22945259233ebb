"""The points of the chapter as both scripts draw them: dump_points.py's figure, and the
colours, markers, legend and axis labels that train.py's figure uses too.
"""
from types import SimpleNamespace

import numpy as np

from booktools.figures import show_or_save

# One colour per class (red/blue first as in the book); yellow is kept free for --predict.
CLASS_COLORS = ["tab:red", "tab:blue", "tab:green", "tab:purple", "tab:brown",
                "tab:pink", "tab:gray", "tab:cyan", "tab:olive"]


def plot_data(train_data, val_data, train_labels, val_labels, scaler, classes):
    """The points as numpy arrays for the figures: standardized (x) and in original units (raw)."""
    train_x, val_x = train_data.numpy(), val_data.numpy()
    return SimpleNamespace(classes=classes, features=train_x.shape[1], scaler=scaler,
                           train_x=train_x, val_x=val_x,
                           raw_train=scaler.inverse_transform(train_x),
                           raw_val=scaler.inverse_transform(val_x),
                           train_y=train_labels.numpy(), val_y=val_labels.numpy())


def run_title(script, args):
    """The command that made the figure, with the flags that changed the run."""
    return " ".join([script, *args.changed]) if args.changed else f"{script} (default settings)"


def show_points(data, args):
    """dump_points.py: the data in original units and after StandardScaler."""
    import matplotlib.pyplot as plt
    fig, (ax_raw, ax_scaled) = plt.subplots(1, 2, figsize=(11, 5))
    plot_points(ax_raw, data.raw_train, data.train_y, data.raw_val, data.val_y, data.classes)
    plot_points(ax_scaled, data.train_x, data.train_y, data.val_x, data.val_y, data.classes)
    set_labels(ax_raw, data.features, "original units")
    set_labels(ax_scaled, data.features, "standardized")
    ax_raw.set_title(points_title("make_blobs data", data.features))
    ax_scaled.set_title(points_title("After StandardScaler", data.features))
    ax_raw.legend(handles=legend_handles(data.classes), fontsize="small")
    ax_scaled.legend(handles=legend_handles(data.classes), fontsize="small")
    fig.suptitle(run_title("dump_points.py", args))
    fig.tight_layout()
    show_or_save(fig, args, "dump_points.png")


def plane(x, y):
    """Where each point goes on the 2-D plot: its first two features.
    With a single feature the class label serves as the vertical position."""
    if x.shape[1] >= 2:
        return x[:, 0], x[:, 1]
    return x[:, 0], y.astype(float)


def plot_points(ax, train_x, train_y, val_x, val_y, classes):
    """Training points filled circles, validation points triangles with a black edge."""
    for k in range(classes):
        color = class_color(k)
        px, py = plane(train_x[train_y == k], train_y[train_y == k])
        ax.scatter(px, py, s=18, color=color, alpha=0.8)
        px, py = plane(val_x[val_y == k], val_y[val_y == k])
        ax.scatter(px, py, s=40, marker="^", color=color, edgecolor="black", linewidth=0.8)
    if train_x.shape[1] == 1:
        ax.set_yticks(range(classes))


def legend_handles(classes):
    """A compact legend: one patch per class colour, one marker per split."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    handles = [Patch(color=class_color(k), label=f"class {k}") for k in range(classes)]
    handles.append(Line2D([], [], linestyle="", marker="o", color="gray", label="training"))
    handles.append(Line2D([], [], linestyle="", marker="^", color="gray",
                          markeredgecolor="black", label="validation"))
    return handles


def set_labels(ax, features, units):
    ax.set_xlabel(f"feature 1 ({units})")
    ax.set_ylabel(f"feature 2 ({units})" if features >= 2 else "class (only 1 feature)")


def points_title(title, features):
    if features >= 3:
        return f"{title}\n(first 2 of {features} features shown)"
    return title


def class_color(k):
    return CLASS_COLORS[k % len(CLASS_COLORS)]


def class_rgb(classes):
    """The class colours as an array of RGB rows (0..1)."""
    from matplotlib.colors import to_rgb
    return np.array([to_rgb(class_color(k)) for k in range(classes)])
