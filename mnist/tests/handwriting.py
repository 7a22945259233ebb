"""Photos of handwriting that is not MNIST's training set, made the ways a reader's phone or
paint program would, or draw.py's pen. Three sources:

- "digits": scikit-learn's `load_digits` (handwriting of about 40 other people, scanned by UCI
  and shipped inside the scikit-learn package, 8x8 pixels with 17 grey levels);
- "photos": MNIST *test* digits (never trained on) printed and photographed again;
- "pen": digits drawn as strokes (the ways people write them, European 1s, 4s, 7s and 9s included),
  slanted, turned, of any size and pen width, rendered by draw.py as a reader would draw them.

Each digit of the first two is blown up and smoothed into strokes, then put on a page: any size, off-centre
with wide margins, dark ink on light paper or chalk on a board, coloured, with a shadow
across the page, paper texture, blur, JPEG noise, thin strokes or thick marker strokes, or a
transparent background.

`uv run python tests/handwriting.py OUT_DIR [MODEL.pth ...]` writes 100 pictures of each source and a figure of them.
"""

import io
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageFilter


def digit_strokes(image, size, thickness):
    """A small digit image (8x8 from scikit-learn, 28x28 from MNIST) as a smooth stroke image
    (0 = paper, 1 = ink), size x size pixels."""
    small = np.asarray(image, dtype=np.float32)
    padded = np.pad(small / max(small.max(), 1e-6), 2 if len(small) == 8 else 0)  # a margin (MNIST has one)
    big = Image.fromarray((padded * 255).astype(np.uint8)).resize((size, size), Image.BICUBIC)
    big = big.filter(ImageFilter.GaussianBlur(size / 40))
    field = np.asarray(big, dtype=np.float32) / 255
    field /= max(field.max(), 1e-6)  # (an empty 8x8 gives an empty page)
    # The stroke's edge is where the smooth field crosses a level: a high level gives thin
    # strokes, a low one thick strokes. A soft ramp keeps the edges anti-aliased.
    level = {"thin": 0.68, "normal": 0.5, "thick": 0.3, "marker": 0.12}[thickness]
    return np.clip((field - level) / 0.04 + 0.5, 0, 1)


def make_photo(image, rng, style):
    """One page with the digit on it, as a PIL image (RGB, L or RGBA)."""
    width = int(rng.integers(80, 900))
    height = int(width * rng.uniform(0.6, 1.6))
    side = int(min(width, height) * rng.uniform(0.3, 0.8))  # the digit's box; the rest is margin
    ink = np.zeros((height, width), dtype=np.float32)
    top, left = int(rng.integers(0, height - side + 1)), int(rng.integers(0, width - side + 1))
    ink[top:top + side, left:left + side] = digit_strokes(image, side, style["thickness"])

    if style["transparent"]:  # a paint program: black ink, the page itself transparent
        rgba = np.zeros((height, width, 4), dtype=np.uint8)
        rgba[..., 3] = (ink * 255).astype(np.uint8)
        return Image.fromarray(rgba, "RGBA")

    paper = np.array(style["paper"], dtype=np.float32)
    pen = np.array(style["pen"], dtype=np.float32)
    page = paper + ink[..., None] * (pen - paper)
    if style["shadow"]:  # light falls off across the page in a random direction
        angle = rng.uniform(0, 2 * np.pi)
        ys, xs = np.mgrid[0:height, 0:width]
        along = (np.cos(angle) * xs / width + np.sin(angle) * ys / height)
        along = (along - along.min()) / (np.ptp(along) + 1e-6)
        page = page * (1 - style["shadow"] * along)[..., None]
    if style.get("texture"):  # paper fibres and blotches: smooth noise at two scales
        for cells, amount in [(12, style["texture"]), (60, style["texture"] / 2)]:
            noise = Image.fromarray(rng.uniform(0, 255, (cells, cells)).astype(np.uint8)).resize((width, height), Image.BICUBIC)
            page = page * (1 - amount * np.asarray(noise, dtype=np.float32)[..., None] / 255)
    page = page + rng.normal(0, 6, page.shape)  # sensor noise
    img = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8), "RGB")
    if style.get("blur"):  # out of focus: blur radius as a fraction of the digit's size
        img = img.filter(ImageFilter.GaussianBlur(style["blur"] * side))
    if style["jpeg"]:
        buffer = io.BytesIO()
        img.save(buffer, "JPEG", quality=style["jpeg"])
        img = Image.open(io.BytesIO(buffer.getvalue()))
        img.load()
    return img.convert("L") if style["grey"] else img


PLAIN = dict(paper=(255, 255, 255), pen=(0, 0, 0), thickness="normal", shadow=0.0, jpeg=0, grey=True,
             transparent=False)  # black on white: the easy case
STYLES = [  # cycled over the 30 images, so each kind of trouble appears several times
    dict(paper=(245, 245, 240), pen=(20, 20, 30), thickness="normal", shadow=0.0, jpeg=0, grey=True, transparent=False),
    dict(paper=(235, 230, 200), pen=(20, 40, 160), thickness="thin", shadow=0.45, jpeg=40, grey=False, transparent=False),
    dict(paper=(30, 60, 40), pen=(235, 235, 225), thickness="thick", shadow=0.3, jpeg=60, grey=False, transparent=False),
    dict(paper=(250, 250, 250), pen=(0, 0, 0), thickness="normal", shadow=0.0, jpeg=0, grey=False, transparent=True),
    dict(paper=(220, 215, 210), pen=(170, 20, 20), thickness="thick", shadow=0.5, jpeg=30, grey=False, transparent=False),
    dict(paper=(240, 240, 240), pen=(60, 60, 60), thickness="thin", shadow=0.2, jpeg=70, grey=True, transparent=False),
]


PHOTO_STYLES = [  # MNIST test digits printed and photographed: blur, JPEG, paper, marker, off-centre
    dict(paper=(240, 236, 225), pen=(25, 25, 35), thickness="normal", shadow=0.3, jpeg=50, grey=False,
         transparent=False, texture=0.25, blur=0.02),
    dict(paper=(250, 250, 245), pen=(10, 10, 10), thickness="marker", shadow=0.0, jpeg=35, grey=False,
         transparent=False, texture=0.15, blur=0.0),
    dict(paper=(230, 225, 205), pen=(30, 50, 150), thickness="thin", shadow=0.4, jpeg=60, grey=True,
         transparent=False, texture=0.3, blur=0.01),
    dict(paper=(245, 245, 245), pen=(60, 30, 30), thickness="thick", shadow=0.2, jpeg=25, grey=False,
         transparent=False, texture=0.2, blur=0.035),
    dict(paper=(215, 220, 225), pen=(0, 0, 0), thickness="marker", shadow=0.5, jpeg=70, grey=False,
         transparent=False, texture=0.35, blur=0.015),
]


def arc(cx, cy, rx, ry, start, end, steps=24):
    """Points on an ellipse from angle start to end (degrees; 0 = right, 90 = down, as on a page)."""
    angles = np.radians(np.linspace(start, end, steps))
    return list(zip(cx + rx * np.cos(angles), cy + ry * np.sin(angles)))


# Each digit as pen strokes in a unit box (x right, y down), in the ways people write them,
# European ones included: a 1 with a flag (and a foot), a 7 with a crossbar, an open 4, a 9 with a straight stem.
PEN_DIGITS = {
    0: [[arc(0.5, 0.5, 0.32, 0.46, -90, 275)]],
    1: [[[(0.5, 0.02), (0.5, 0.98)]],
        [[(0.25, 0.28), (0.56, 0.02), (0.56, 0.98)]],
        [[(0.25, 0.28), (0.56, 0.02), (0.56, 0.98)], [(0.28, 0.98), (0.84, 0.98)]]],
    2: [[arc(0.5, 0.3, 0.32, 0.28, 200, 385) + [(0.14, 0.97), (0.88, 0.97)]],
        [arc(0.5, 0.3, 0.32, 0.28, 200, 385) + [(0.2, 0.9)] + arc(0.3, 0.9, 0.1, 0.08, 180, 0) + [(0.9, 0.95)]]],
    3: [[arc(0.47, 0.27, 0.3, 0.24, 200, 450) + arc(0.47, 0.73, 0.34, 0.26, -90, 155)]],
    4: [[[(0.6, 0.02), (0.12, 0.66), (0.9, 0.66)], [(0.66, 0.3), (0.66, 0.98)]],
        [[(0.2, 0.02), (0.18, 0.58), (0.86, 0.58)], [(0.72, 0.02), (0.72, 0.98)]]],
    5: [[[(0.82, 0.03), (0.26, 0.03), (0.22, 0.45)] + arc(0.48, 0.68, 0.34, 0.3, -125, 150)]],
    6: [[[(0.72, 0.02)] + arc(0.5, 0.72, 0.33, 0.27, 190, 550)]],
    7: [[[(0.12, 0.03), (0.88, 0.03), (0.4, 0.98)]],
        [[(0.12, 0.03), (0.88, 0.03), (0.4, 0.98)], [(0.36, 0.5), (0.82, 0.5)]]],
    8: [[arc(0.5, 0.26, 0.26, 0.23, 90, 450) + arc(0.5, 0.72, 0.3, 0.26, -90, 270)]],
    9: [[arc(0.48, 0.3, 0.3, 0.27, 0, 360) + [(0.78, 0.3), (0.72, 0.98)]],
        [arc(0.48, 0.3, 0.3, 0.27, 0, 360) + [(0.78, 0.3), (0.78, 0.98)]]],
}


def pen_drawing(label, rng, pen=None):
    """One digit drawn with the mouse in draw.py's area: a random way of writing it, slant, size,
    width, a little wobble and pen width, rendered by draw.py's own renderer (white paper, black ink)."""
    from draw import CANVAS, PEN_WIDTH, render_strokes

    strokes = PEN_DIGITS[label][rng.integers(len(PEN_DIGITS[label]))]
    height = rng.uniform(0.35, 0.9) * CANVAS
    width = height * rng.uniform(0.45, 0.9)
    slant = rng.uniform(-0.2, 0.45)  # most people lean right, some left
    turn = np.radians(rng.uniform(-12, 12))
    centre = CANVAS / 2 + rng.uniform(-0.08, 0.08, 2) * CANVAS
    drawn = []
    for stroke in strokes:
        points = np.array(stroke, dtype=float)
        # A hand is not a ruler: a slow wave along the stroke, ends that over- or undershoot.
        along = np.linspace(0, 1, len(points))[:, None]
        points += 0.04 * np.sin(2 * np.pi * (along * rng.uniform(0.5, 2, 2) + rng.uniform(0, 1, 2)))
        points += rng.normal(0, 0.03, 2) * (np.arange(len(points)) == len(points) - 1)[:, None]
        x = (points[:, 0] - 0.5) * width + (0.5 - points[:, 1]) * slant * height
        y = (points[:, 1] - 0.5) * height
        x, y = x * np.cos(turn) - y * np.sin(turn) + centre[0], x * np.sin(turn) + y * np.cos(turn) + centre[1]
        drawn.append(list(zip(x, y)))
    pen = pen or max(4, round(PEN_WIDTH * rng.uniform(0.4, 1.7)))  # thinner and thicker pens than draw.py's
    return Image.fromarray(render_strokes(drawn, pen).astype(np.uint8), "L")


def handwriting_set(count=30, seed=0, source="digits", data_dir=None):
    """`count` (image, label) pairs, the same number of each digit, each with its own page style."""
    if source == "pen":
        rng = np.random.default_rng(seed)
        return [(pen_drawing(i % 10, rng), i % 10) for i in range(count)]
    if source == "digits":
        from sklearn.datasets import load_digits  # a dev dependency: only the tests need it

        digits = load_digits()
        images, labels, styles = digits.images, digits.target, STYLES
    else:
        from digits.mnist_data import load_mnist

        test_images, test_labels = load_mnist(data_dir, train=False)
        images, labels, styles = test_images[:, 0].numpy(), test_labels.numpy(), PHOTO_STYLES
    rng = np.random.default_rng(seed)
    pairs = []
    for i in range(count):
        label = i % 10
        choice = rng.choice(np.flatnonzero(labels == label))
        pairs.append((make_photo(images[choice], rng, styles[i % len(styles)]), label))
    return pairs


def write_set(folder, count=30, seed=0, source="digits", data_dir=None):
    """Save the set as files a reader could have made; returns [(path, label)]."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for i, (img, label) in enumerate(handwriting_set(count, seed, source, data_dir)):
        ext = "png" if img.mode == "RGBA" or i % 2 == 0 else "jpg"
        path = folder / f"{source}{i:03d}_digit{label}.{ext}"
        img.save(path, quality=90) if ext == "jpg" else img.save(path)
        saved.append((path, label))
    return saved


def guesses(model_file, pictures):
    """What a saved model (a file, or one loaded already) reads on each picture, through predict.py's own pipeline."""
    import predict

    model = model_file
    if not isinstance(model, torch.nn.Module):
        model = predict.load_model(Path(model_file), torch.device("cpu"))
    digits = torch.stack([predict.prepare_image(path)[1] for path, _ in pictures])
    with torch.no_grad():
        return model(digits).argmax(dim=1).tolist()


def count_correct(model_file, pictures):
    """How many pictures a saved model reads right."""
    return sum(guess == label for guess, (_, label) in zip(guesses(model_file, pictures), pictures))


SOURCES = {"digits": "scikit-learn's digits", "photos": "MNIST test digits re-photographed",
           "pen": "digits drawn with draw.py's pen"}


def draw_pictures(pictures, title, path, notes=None):
    """A figure: each picture above what predict.py gives the model (28x28); notes under each."""
    from types import SimpleNamespace

    import matplotlib.pyplot as plt

    import predict
    from booktools.figures import show_or_save

    rows = max(1, -(-len(pictures) // 10))
    fig, axes = plt.subplots(2 * rows, 10, figsize=(12, 2.9 * rows + 0.4), layout="constrained", squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for i, entry in enumerate(pictures):
        if entry is None:  # an empty place (a row has fewer than 10)
            continue
        picture, label = entry
        top, bottom = axes[2 * (i // 10), i % 10], axes[2 * (i // 10) + 1, i % 10]
        with Image.open(picture) as img:
            shown = img.convert("RGBA")
        checker = Image.new("RGBA", shown.size, (200, 170, 200, 255))  # where the picture is transparent
        top.imshow(Image.alpha_composite(checker, shown))
        top.set_title(f"{Path(picture).suffix[1:]}, label {label}", fontsize=8)
        bottom.imshow(predict.prepare_image(picture)[1][0].numpy(), cmap="gray", vmin=0, vmax=1)
        if notes:
            bottom.set_title(notes[i], fontsize=7, color="red")
    fig.suptitle(title)
    show_or_save(fig, SimpleNamespace(save=Path(path), no_show=True), Path(path).name)


def main(folder, data_dir, model_files, count=100):
    """Write `count` pictures of each source into `folder` and a figure of the first 10 of each;
    with model files: how many each reads right, and a figure of the pictures each gets wrong."""
    import predict

    folder = Path(folder)
    sets = {source: write_set(folder / source, count, 0, source, data_dir) for source in SOURCES}
    print(f"Wrote {count} pictures of each source into {folder}/digits, {folder}/photos and {folder}/pen", flush=True)
    draw_pictures(sets["digits"][:10] + sets["photos"][:10] + sets["pen"][:10],
                  "Rows: scikit-learn's digits, MNIST test digits re-photographed, digits drawn with draw.py's pen.\n"
                  "Below each: what predict.py gives the model", folder / "handwriting.png")
    wrong = []
    for model_file in model_files:
        rates, mistakes = [], []
        name = Path(model_file).stem.replace("mnist_model", "").strip("_")  # mlp, mlp_augment, cnn, ...
        name = name if "cnn" in name else f"mlp_{name}".strip("_")
        model = predict.load_model(Path(model_file), torch.device("cpu"))  # (prints its "Model:" line once)
        for source, pictures in sets.items():
            read = guesses(model, pictures)
            rates.append(f"{source} {sum(g == l for g, (_, l) in zip(read, pictures))}/{len(pictures)}")
            mistakes += [((path, label), f"{name}: {g}") for g, (path, label) in zip(read, pictures) if g != label]
        print(f"{model_file}: " + ", ".join(rates), flush=True)
        shown = mistakes[:10] + [(None, "")] * (10 - min(10, len(mistakes)))  # one row (up to 10) per model
        wrong += shown
    if model_files:
        draw_pictures([w[0] for w in wrong], "Pictures read wrong: one row per model (at most 10 each); "
                      "in red: model, its answer", folder / "mistakes.png", [w[1] for w in wrong])


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if len(sys.argv) < 2:
        sys.exit("usage: uv run python tests/handwriting.py OUT_DIR [MODEL.pth ...]  (MNIST in ./data or MNIST_DATA_DIR)")
    import os

    main(sys.argv[1], os.environ.get("MNIST_DATA_DIR", Path(__file__).resolve().parent.parent / "data"), sys.argv[2:])
