"""The learning-curve panel every training figure has, written once: this run's curves,
earlier runs' behind them (--compare), axis ranges that hold them all, one legend that
stays inside its panel whatever the labels say, the last values written where no curve
runs, and one number format for the title and the labels.

    panel = CurvePanel(ax, [Curve("loss", "training loss", "tab:purple")], epochs=args.epochs,
                       earlier=args.record.earlier, this_label=args.record.this_label())
    place_texts([panel], {})         # the layout and the legend, before training
    draw_curves([panel], live.curves)  # while training: returns the artists that changed
    draw_curves([panel], live.curves, final=True)  # at the end: the last values, the legend again

matplotlib is imported inside the functions: `--help` answers without it.
"""
import math
import textwrap
import weakref
from dataclasses import dataclass, field, replace

import numpy as np

from booktools.figures import log_range, plain_log_ticks, zero_based_range

# Earlier runs' colours (--compare) on a panel of one curve; the curve's own colour is skipped.
EARLIER_COLORS = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:brown", "tab:pink", "tab:olive"]
# Earlier runs' line styles on a panel of several curves (each curve keeps its colour).
EARLIER_STYLES = ["--", ":", "-."]
LABEL_ZONE = 0.14  # the part of the x axis right of the last epoch, where the last values are written
TICK_STEPS = [1, 2, 2.5, 5, 10]  # epochs ticked in round steps (200, not 150), as matplotlib's default axis does
LAID_OUT = weakref.WeakSet()  # the figures place_texts has laid out: each once
LEGEND_LINES = 2   # a legend label longer than its panel is wrapped onto this many lines, then cut


def number(value, fmt="{:.4g}"):
    """A value as the figure writes it, in its title and its labels alike."""
    return fmt.format(value) if math.isfinite(value) else str(value)


def fit_header(fig, text):
    """The figure's header (records' header(): the flags and code the reader changed) wrapped to
    the figure's width at its title's font size, on LEGEND_LINES lines at most (then cut with
    "..."): fig.suptitle(fit_header(fig, args.record.header()))."""
    import matplotlib.pyplot as plt
    from matplotlib.font_manager import FontProperties

    size = FontProperties(size=plt.rcParams["figure.titlesize"]).get_size_in_points()
    return wrap(text, max(20, int(fig.get_figwidth() * 72 * 0.94 / (0.6 * size))))


@dataclass
class Curve:
    """One learning curve. name: as recorded in runs/ and kept by the LiveView ("loss");
    label: the legend's text; fmt: how its values are written (title and last value)."""
    name: str
    label: str
    color: str
    fmt: str = "{:.4g}"
    style: dict = field(default_factory=dict)  # more plot keywords (marker="o")


class CurvePanel:
    """The learning curves of one axes. epochs: this run's number of epochs (the x axis holds
    them from the first); first_epoch: the number of the first (0, or 1 where the script
    prints epochs from 1); earlier: the earlier runs to draw behind (records.Recorder.earlier);
    this_label: this run's name in the legend when earlier runs are drawn; scale: "log" or
    "linear" (from 0); limits: a function of all the values giving the y limits, for axes with
    a fixed meaning (accuracy); last_values: write each curve's last value right of its end;
    steady: log limits at whole powers of ten, which stay put while a live view's curves grow
    (False, for a figure drawn once: at 1, 2 or 5 times a power of ten, closer around the curves).
    A panel that shares its x axis (ax.twinx()) passes the first panel as twin_of: the two have
    one legend, placed clear of both panels' curves. lines: the curves' lines where a book's
    function drew them already (in the curves' order): the panel adopts them, with their colours
    and style, and keeps the axes' x label."""

    def __init__(self, ax, curves, epochs, first_epoch=0, earlier=(), this_label="this run", scale="log",
                 ylabel=None, limits=None, last_values=True, twin_of=None, decades=1, steady=True, lines=None):
        if lines is not None:  # the lines' own colours: the earlier runs and the last values take them
            curves = [replace(curve, color=line.get_color()) for curve, line in zip(curves, lines)]
        self.ax, self.curves, self.first_epoch = ax, list(curves), first_epoch
        self.earlier, self.this_label = [run for run in earlier if any(c.name in run[1]["curves"] for c in curves)], this_label
        self.scale, self.limits, self.decades, self.last_values = scale, limits, decades, last_values
        self.log_steps = (1,) if steady else (1, 2, 5)
        self.twin_of, self.twins = twin_of, []
        self.texts = []  # the last values, written by place_texts
        if twin_of is not None:
            twin_of.twins.append(self)
        ax.set_yscale(scale)
        if scale == "log":
            plain_log_ticks(ax.yaxis)
        if ylabel:
            ax.set_ylabel(ylabel)
        if twin_of is None:
            if not ax.get_xlabel():
                ax.set_xlabel("epoch")
            ax.grid(True, which="both", alpha=0.3)
        self.earlier_handles = self.draw_earlier()
        self.lines = ({curve.name: line for curve, line in zip(self.curves, lines)} if lines is not None else
                      {curve.name: ax.plot([], [], color=curve.color, label=curve.label, **curve.style)[0]
                       for curve in self.curves})
        # With earlier runs in the curves' colours, a grey line names this run in the legend.
        self.this_handle = ax.plot([], [], color="gray", label=this_label)[0] if self.earlier_handles else None
        self.last_epoch = max([first_epoch + epochs - 1] + [int(run["curves"][c.name]["epoch"][-1])
                                                            for _, run in self.earlier for c in self.curves
                                                            if len(run["curves"].get(c.name, {}).get("epoch", []))])
        self.set_x_range(ax)
        self.set_data({})

    # --- drawing ---

    def draw_earlier(self):
        """Earlier runs' curves, faded, behind this run's. One curve: each run in a colour of its
        own, labelled with what differs. Several: each run in the curves' colours, in a line
        style of its own, and one grey legend line per run. Returns the legend lines (several)."""
        handles = []
        single = len(self.curves) == 1 and not self.twins and self.twin_of is None
        colors = [color for color in EARLIER_COLORS if color != self.curves[0].color]
        for index, (label, run) in enumerate(self.earlier):
            style = EARLIER_STYLES[index % len(EARLIER_STYLES)]
            for curve in self.curves:
                if curve.name not in run["curves"]:
                    continue
                points = run["curves"][curve.name]
                if single:
                    self.ax.plot(points["epoch"], points["value"], color=colors[index % len(colors)], alpha=0.45,
                                 linewidth=1.2, zorder=1.5, label=label)
                else:
                    self.ax.plot(points["epoch"], points["value"], color=curve.color, alpha=0.5, linewidth=1.3,
                                 linestyle=style, zorder=1.5, label="_nolegend_")
            if not single and self.twin_of is None:  # (a twin's runs are named by the first panel's lines)
                handles.append(self.ax.plot([], [], color="gray", linestyle=style, label=label)[0])
        return handles

    def set_x_range(self, ax):
        """From the first epoch to the last (this run's or a longer earlier run's), and room right of
        it for the last values. Ticks only up to the last epoch: none is cut at the figure's edge."""
        from matplotlib.ticker import MaxNLocator

        span = max(self.last_epoch - self.first_epoch, 1)
        right = self.last_epoch + (LABEL_ZONE * span if self.last_values else 0.02 * span)
        ax.set_xlim(self.first_epoch - 0.02 * span, right)
        ax.xaxis.set_major_locator(ticks_up_to(self.last_epoch, MaxNLocator(integer=True, steps=TICK_STEPS)))

    def set_data(self, values):
        """This run's curves so far ({name: values per epoch}); the y range holds them and the
        earlier runs'. Returns the artists that changed (for the live view's blitting)."""
        shown = [curve for curve in self.curves if curve.name in values]
        for curve in shown:
            series = values[curve.name]
            self.lines[curve.name].set_data(range(self.first_epoch, self.first_epoch + len(series)), series)
        everything = [v for curve in shown for v in values[curve.name]] + [
            v for _, run in self.earlier for c in self.curves if c.name in run["curves"]
            for v in run["curves"][c.name]["value"]]
        if self.limits is not None:
            self.ax.set_ylim(self.limits(everything))
        elif self.scale == "log":
            self.ax.set_ylim(log_range(everything, self.decades, self.log_steps))
        else:
            low, high = zero_based_range([1.02 * v for v in everything], nice_step(everything))
            self.ax.set_ylim(low, high)
        # The legend stays out of the list: draw_curves keeps it clear of the curves, and the
        # live view draws it with the figure's background, again only when it moves.
        return [self.lines[curve.name] for curve in shown]

    def last(self, name, values):
        """The last value of a curve as the figure writes it ("0.1532"), or "" before the first."""
        curve = next(c for c in self.curves if c.name == name)
        return number(values[name][-1], curve.fmt) if values.get(name) else ""

    def legend_entries(self):
        """This panel's legend lines and labels (with its twins'), this run's curves first."""
        handles = [self.lines[curve.name] for curve in self.curves]
        for twin in self.twins:
            handles += [twin.lines[curve.name] for curve in twin.curves]
        if self.this_handle is not None:
            handles += [self.this_handle] + self.earlier_handles
        elif len(self.curves) == 1 and self.earlier:  # one curve: the runs are the curves
            handles = [line for line in self.ax.get_lines() if not line.get_label().startswith("_")
                       and line not in handles] + handles
            self.lines[self.curves[0].name].set_label(self.this_label)
        return handles

    def axes(self):
        return [self.ax] + [twin.ax for twin in self.twins]


def ticks_up_to(last, locator):
    """A tick locator: another locator's ticks, none past `last`."""
    from matplotlib.ticker import Locator

    class UpTo(Locator):
        def __call__(self):
            low, high = self.axis.get_view_interval()
            return [tick for tick in locator.tick_values(low, min(high, last)) if low <= tick <= last + 1e-9]

        def set_axis(self, axis):
            super().set_axis(axis)
            locator.set_axis(axis)

    return UpTo()


def nice_step(values):
    """A step for a linear axis from 0, half a power of ten (0.05 for losses below 1, 0.5 below
    10 ...), a little above the largest value so no curve runs along the frame."""
    finite = [abs(v) for v in values if math.isfinite(v)]
    top = 1.02 * max(finite) if finite else 1.0
    return 10.0 ** math.floor(math.log10(top)) / 2 if top > 0 else 1.0


def draw_curves(panels, values, final=False):
    """Every panel's curves so far; with final (the live view's last frame, or the final
    figure), also the last values and the legends placed for the whole curves. While training,
    the figure is laid out again when a y range changes (its tick labels), and a legend that
    this run's curves have come to run under moves where they do not. Returns the artists that
    changed (for the live view's blitting)."""
    ranges = [panel.ax.get_ylim() for panel in panels]
    changed = [artist for panel in panels for artist in panel.set_data(values)]
    if [panel.ax.get_ylim() for panel in panels] != ranges:
        lay_out(panels[0].ax.figure)  # the new range's tick labels may be wider
    if final:
        return changed + place_texts(panels, values)
    for panel in panels:
        if panel.twin_of is None:
            keep_legend_clear(panel)
    return changed


def keep_legend_clear(panel):
    """Move the panel's legend (placed before the curves were drawn) off this run's curves."""
    legend = panel.axes()[-1].get_legend()
    if legend is None:
        return
    renderer = panel.ax.figure.canvas.get_renderer()
    box = legend.get_window_extent(renderer)
    for owner in [panel] + panel.twins:
        for line in owner.lines.values():
            path = line.get_transform().transform_path(line.get_path())
            if len(line.get_xdata()) and (box.count_contains(path.vertices) or path.intersects_bbox(box, filled=False)):
                legend.set_loc(clearest_place(legend, panel.axes(), renderer))
                return


# --- the panels' text: the last values and the legend ---

def place_texts(panels, values):
    """The panels' text: each curve's last value right of its end (clear of each other), and
    each panel's legend, wrapped to fit its panel and placed clear of the curves and the values.
    The first call lays the figure out (tight_layout, unless it lays itself out): the places
    depend on the panels' sizes; later, draw_curves lays it out again only when a y range
    changes, so a live view's last frame (the final figure, drawn at the GIF's dpi) does not
    jump. Call it when the figure is made (values {}: the legend of the earlier runs) and at the
    end. Returns the artists."""
    fig = panels[0].ax.figure
    if fig not in LAID_OUT:
        lay_out(fig)
        LAID_OUT.add(fig)
    artists = []
    for panel in panels:
        if panel.twin_of is None:
            fewer_ticks_where_they_touch(panel)
            artists += write_last_values([panel] + panel.twins, values)
            legend = place_legend(panel)
            if legend is not None:
                artists.append(legend)
    return artists


def lay_out(fig):
    """tight_layout, unless the figure lays itself out (layout="constrained")."""
    engine = fig.get_layout_engine()
    if engine is None or type(engine).__name__ == "PlaceHolderLayoutEngine":
        fig.tight_layout()
        fig.set_layout_engine(None)  # tight_layout leaves a placeholder, which makes savefig draw twice


def fewer_ticks_where_they_touch(panel):
    """Fewer x ticks while two of their labels would touch (a narrow panel, wide numbers)."""
    from matplotlib.text import Text
    from matplotlib.ticker import MaxNLocator

    ax = panel.ax
    renderer = ax.figure.canvas.get_renderer()
    size = ax.xaxis.get_major_ticks()[0].label1.get_fontsize()
    for bins in (10, 8, 6, 5, 4, 3, 2):
        ax.xaxis.set_major_locator(ticks_up_to(panel.last_epoch, MaxNLocator(nbins=bins, integer=True,
                                                                             steps=TICK_STEPS)))
        ticks = ax.xaxis.get_major_locator()()
        labels = ax.xaxis.get_major_formatter().format_ticks(ticks)
        centres = [ax.transData.transform((tick, 0))[0] for tick in ticks]
        halves = [Text(text=label, fontsize=size, figure=ax.figure).get_window_extent(renderer).width / 2
                  for label in labels]
        gap = 0.5 * size * ax.figure.dpi / 72  # half a letter between two labels
        if all(c1 + h1 + gap <= c2 - h2 for c1, h1, c2, h2 in zip(centres, halves, centres[1:], halves[1:])):
            return


def write_last_values(panels, values):
    """The last value of every curve, in its colour, right of where the curves end; moved up or
    down just enough that no two overlap and all stay inside the panel."""
    fig = panels[0].ax.figure
    entries = []
    for panel in panels:
        for text in panel.texts:
            text.remove()
        panel.texts = []
        for curve in panel.curves:
            series = values.get(curve.name) or []
            if not panel.last_values or not series or not math.isfinite(series[-1]):
                continue
            x = panel.first_epoch + len(series) - 1
            y_px = panel.ax.transData.transform((x, series[-1]))[1]
            entries.append([y_px, panel, curve, x, series[-1]])
    if not entries:
        return []
    height = 11 * fig.dpi / 72  # a 9-point line and a little space, in pixels
    entries.sort(key=lambda entry: entry[0])
    wanted = [entry[0] for entry in entries]
    placed = spread(wanted, height)
    # Kept inside the panel: values near an edge (a loss near 0) move up or down together.
    box = panels[0].ax.bbox
    shift = max(box.y0 + height / 2 - placed[0], 0) or min(box.y1 - height / 2 - placed[-1], 0)
    placed = [y + shift for y in placed]
    texts = []
    widen_for_labels(entries)
    for (y_px, panel, curve, x, value), y in zip(entries, placed):
        end_px = panel.ax.transData.transform((panel.last_epoch, value))[0]
        line = panel.lines[curve.name]
        marker = line.get_markersize() / 2 if line.get_marker() not in (None, "None", "", " ") else 0
        offset_x = (end_px - panel.ax.transData.transform((x, value))[0]) * 72 / fig.dpi + 4 + marker
        text = panel.ax.annotate(number(value, curve.fmt), (x, value), xytext=(offset_x, (y - y_px) * 72 / fig.dpi),
                                 textcoords="offset points", ha="left", va="center", fontsize=9, color=curve.color,
                                 annotation_clip=False)
        panel.texts.append(text)
        texts.append(text)
    return texts


def widen_for_labels(entries):
    """Make the room right of the curves wide enough for the widest last value (the x axis
    reaches further right: the curves keep their places relative to each other)."""
    from matplotlib.text import Text

    for panel in {entry[1] for entry in entries if entry[1].twin_of is None}:
        fig, ax = panel.ax.figure, panel.ax
        renderer = fig.canvas.get_renderer()
        widths = [Text(text=number(value, curve.fmt), fontsize=9, figure=fig).get_window_extent(renderer).width
                  for _, owner, curve, _, value in entries if owner is panel or owner.twin_of is panel]
        room = max(widths) + 10 * fig.dpi / 72  # the text, its 4-point gap and a little more
        box = ax.get_window_extent(renderer)
        left, right = ax.get_xlim()
        end = (panel.last_epoch - left) / (right - left) * box.width  # where the curves end, in pixels
        if box.width - end < room and box.width > room:
            right = left + (panel.last_epoch - left) * box.width / (box.width - room)
            for axes in panel.axes():
                axes.set_xlim(left, right)


def spread(wanted, gap):
    """Positions as near the wanted ones (sorted) as can be with at least `gap` between neighbours."""
    placed = list(wanted)
    for _ in range(len(placed)):
        moved = False
        for i in range(1, len(placed)):
            overlap = gap - (placed[i] - placed[i - 1])
            if overlap > 1e-6:
                placed[i - 1] -= overlap / 2
                placed[i] += overlap / 2
                moved = True
        if not moved:
            break
    return placed


def place_legend(panel, fontsize="small"):
    """One legend for the panel (and its twins), inside it, where it covers the fewest curve
    points and texts. Its labels are wrapped to the panel's width; where that legend finds no
    place clear of the curves, they are wrapped narrower, then the font is made smaller."""
    handles = panel.legend_entries()
    if len(handles) < 2:  # one curve, nothing to tell apart
        return None
    fig = panel.ax.figure
    host = panel.axes()[-1]  # the top axes: its legend is drawn over every curve
    renderer = fig.canvas.get_renderer()
    box = panel.ax.get_window_extent(renderer)
    from matplotlib.font_manager import FontProperties

    first = FontProperties(size=fontsize).get_size_in_points()
    best = None
    for size in (first, first * 0.9, first * 0.8, first * 0.7):
        for share in (0.92, 0.6, 0.45):  # of the panel's width
            char_px = 0.6 * size * fig.dpi / 72
            chars = max(12, int((box.width * share - 3.5 * size * fig.dpi / 72) / char_px))
            labels = [wrap(handle.get_label(), chars) for handle in handles]
            legend = host.legend(handles, labels, fontsize=size, framealpha=0.85)
            if legend.get_window_extent(renderer).height > box.height * 0.9:
                continue  # too tall for the panel
            badness, loc = clearest(legend, panel.axes(), renderer)
            if best is None or badness < best[0]:
                best = (badness, loc, size, labels)
            if badness == 0:
                break
        if best is not None and best[0] == 0:
            break
    if best is None:  # too tall even at the smallest font: the last one tried
        legend.set_loc(clearest(legend, panel.axes(), renderer)[1])
        return legend
    _, loc, size, labels = best
    legend = host.legend(handles, labels, fontsize=size, framealpha=0.85)
    legend.set_loc(loc)
    return legend


def wrap(label, chars):
    """A label on at most LEGEND_LINES lines of `chars` characters; cut with "..." past them."""
    lines = textwrap.wrap(label, chars, break_long_words=True, break_on_hyphens=False) or [""]
    if len(lines) > LEGEND_LINES:
        lines = lines[:LEGEND_LINES]
        lines[-1] = lines[-1][:chars - 3].rstrip(" ,;") + "..."
    return "\n".join(lines)


def clearest_place(legend, axes, renderer):
    """The legend location (1-9, as matplotlib numbers them) over the fewest points of the
    curves and texts of all these axes (a twin axis's curves too)."""
    return clearest(legend, axes, renderer)[1]


def clearest(legend, axes, renderer):
    """(how many curve points and texts the legend covers there, the location) of its clearest place."""
    lines, boxes = [], []
    for ax in axes:
        for line in ax.get_lines():
            if len(line.get_xdata()):
                lines.append(line.get_transform().transform_path(line.get_path()))
        boxes += [text.get_window_extent(renderer) for text in ax.texts]
    best = None
    for loc in (1, 2, 3, 4, 9, 8, 6, 7, 5, 10):
        legend.set_loc(loc)
        box = legend.get_window_extent(renderer)
        badness = (sum(box.count_contains(path.vertices) + path.intersects_bbox(box, filled=False) for path in lines)
                   + 50 * box.count_overlaps(boxes))
        if best is None or badness < best[0]:
            best = (badness, loc)
        if badness == 0:
            break
    return best


def annotate_clear(ax, text, xy, axes=None, **style):
    """An annotation of a point with an arrow (the lowest test loss), put above or below it, its
    text inside the axes, where it covers the fewest curve points and no other text (of these
    axes: a twin axis's too). Beside the axes' edge its text ends (or starts) above the point."""
    from matplotlib.text import Text

    renderer = ax.figure.canvas.get_renderer()
    axes = axes or [ax]
    paths = [line.get_transform().transform_path(line.get_path()) for a in axes for line in a.get_lines()
             if len(line.get_xdata())]
    texts = [other.get_window_extent(renderer) for a in axes for other in a.texts]
    frame = ax.get_window_extent(renderer).padded(-4 * ax.figure.dpi / 72)  # clear of the frame by 4 points
    best = None
    for dy in (26, -26, 40, -40, 56, -56):
        for ha, relpos in (("center", 0.5), ("right", 1), ("left", 0)):
            arrow = style.get("arrowprops")
            if arrow and "arrowstyle" in arrow:  # (only a styled arrow takes relpos: where it leaves the text)
                arrow = {**arrow, "relpos": (relpos, 0 if dy > 0 else 1)}
            note = ax.annotate(text, xy, xytext=(0, dy), textcoords="offset points", ha=ha,
                               va="bottom" if dy > 0 else "top", **{**style, "arrowprops": arrow})
            note.update_positions(renderer)
            box = Text.get_window_extent(note, renderer)  # the text only: the arrow has to cross
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            badness = (sum(box.count_contains(path.vertices) + path.intersects_bbox(box, filled=False)
                           for path in paths) + 50 * box.count_overlaps(texts) + 100 * (not inside))
            if best is None or badness < best[0]:
                if best is not None:
                    best[1].remove()
                best = (badness, note)
            else:
                note.remove()
            if badness == 0:
                return note
    return best[1]
