"""The book's 4-vs-9 classifier: a tiny CNN trained on 2,000 images of 4s and 9s."""

import matplotlib.pyplot as plt
import torch

from common import (LiveView, Parser, add_common_flags, can_show, count_parameters, fail, log_range,
                    pick_device, positive_float, positive_int, seed_everything, show_or_save)
from mnist_data import load_mnist

DIGITS = (4, 9)  # label 0 = "4", label 1 = "9"
TRAIN_SIZE = 2000


def main(argv=None, model_class=None, lr=0.004, name="train"):
    """train_with_linear.py calls this too, with its own model, learning rate and figure name."""
    args = parse_args(argv, lr)
    seed_everything(args.seed)
    device = pick_device(args.device)
    train_data, test_data = load_data(args.data_dir, args.train_size, args.seed, device)

    model = (model_class or Mnist)().to(device)
    print(model)
    print(f"Parameters: {count_parameters(model):,}", flush=True)
    live = start_live_view(args, name)
    train_losses, test_losses, test_accuracies = train_model(
        model, train_data, test_data, args.epochs, args.batch_size, args.lr, live
    )
    live.finish()
    show_results(train_losses, test_losses, test_accuracies, args, name)
    if args.mistakes:
        show_mistakes(model, test_data, args, name)


def parse_args(argv, lr=0.004):
    parser = Parser(description="Tell handwritten 4s from 9s (train.py: a small CNN, "
                                "train_with_linear.py: fully connected layers).")
    parser.add_argument("--epochs", type=positive_int, default=40, help="passes over the training images")
    parser.add_argument("--lr", type=positive_float, default=lr, help="Adam learning rate")
    parser.add_argument("--batch-size", type=positive_int, default=100, help="images per update")
    parser.add_argument("--train-size", type=train_size, default=TRAIN_SIZE,
                        help="number of training 4s and 9s to use (random subset), or 'all'")
    parser.add_argument("--mistakes", type=positive_int, default=None,
                        help="also show up to N misclassified test images (with --save: saved as <name>_mistakes.png)")
    add_common_flags(parser, live=True)
    return parser.parse_args(argv)


def train_size(text):
    """argparse type for --train-size: a positive number or 'all'."""
    return None if text == "all" else positive_int(text)


def load_data(data_dir, size, seed, device):
    """Keep only 4s and 9s; a seeded random subset of the training ones."""
    train_x, train_y = select_digits(*load_mnist(data_dir, train=True))
    test_x, test_y = select_digits(*load_mnist(data_dir, train=False))
    if size is not None:
        if size > len(train_x):
            fail(f"--train-size {size} is more than the {len(train_x)} training 4s and 9s (use 'all')")
        pick = torch.randperm(len(train_x), generator=torch.Generator().manual_seed(seed))[:size]
        train_x, train_y = train_x[pick], train_y[pick]
    print(f"Training images: {len(train_x):,}, test images: {len(test_x):,}", flush=True)
    return (train_x.to(device), train_y.to(device)), (test_x.to(device), test_y.to(device))


def select_digits(images, labels):
    keep = (labels == DIGITS[0]) | (labels == DIGITS[1])
    return images[keep], (labels[keep] == DIGITS[1]).float()


def train_model(model, train_data, test_data, epochs, batch_size, lr, live=None):
    train_x, train_y = train_data
    test_x, test_y = test_data
    criterion = torch.nn.BCEWithLogitsLoss()  # sigmoid + BCELoss in one stable step
    # fused=True: one call updates all weights (instead of one per tensor): faster on the CPU.
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, fused=True)
    train_losses, test_losses, test_accuracies = [], [], []
    live = live or LiveView()  # LiveView() draws nothing
    try:
        for epoch in range(epochs):
            model.train()
            order = torch.randperm(len(train_x), device=train_x.device)  # a fresh shuffle each epoch
            total = 0.0
            for start in range(0, len(order), batch_size):
                batch = order[start:start + batch_size]
                optimizer.zero_grad()
                loss = criterion(model(train_x[batch]), train_y[batch])
                loss.backward()
                optimizer.step()
                total += loss.item() * len(batch)
            train_losses.append(total / len(train_x))

            model.eval()
            with torch.no_grad():
                logits = predict_logits(model, test_x)
                test_losses.append(criterion(logits, test_y).item())
                test_accuracies.append(((logits > 0).float() == test_y).float().mean().item())
            print(f"Epoch: {epoch}, Train Loss: {train_losses[-1]:.4f}, "
                  f"Test Loss: {test_losses[-1]:.4f}, Test Accuracy: {test_accuracies[-1]:.4f}",
                  flush=True)
            live.update(epoch, train_losses, test_losses, test_accuracies)  # redraws the curves now and then
    except KeyboardInterrupt:
        print(f"Interrupted after {len(test_losses)} epochs; showing what was learned so far.", flush=True)
    return train_losses, test_losses, test_accuracies


def predict_logits(model, images):
    # Chunks of 250 stay in the CPU cache: measured 2x faster than all 1,991 images at once.
    return torch.cat([model(chunk) for chunk in images.split(250)])


def start_live_view(args, name="train"):
    """The figure of show_results, its curves growing epoch by epoch (in a window and/or a GIF)."""
    window = can_show() and not args.no_show and not args.no_live
    if not window and args.gif is None:
        return LiveView()
    fig = plot_curves([], [], [], name)
    ax, ax2 = fig.axes
    title = ax.get_title()
    last = max(args.epochs - 1, 1)
    ax.set_xlim(-0.05 * last, 1.05 * last)  # the final figure's epoch axis, fixed from the start
    ax.set_ylim(0.001, 1)  # losses start near 0.69 (a coin toss) and fall
    ax2.set_ylim(0.5, 1.02)
    fig.tight_layout()

    def redraw(epoch, train_losses, test_losses, test_accuracies):
        train_line, test_line, accuracy_line = ax.get_lines() + ax2.get_lines()
        for line, values in [(train_line, train_losses), (test_line, test_losses), (accuracy_line, test_accuracies)]:
            line.set_data(range(len(values)), values)
        if epoch < args.epochs - 1:
            # Ranges that change only if a curve leaves them: each change costs a full redraw.
            ax.set_ylim(log_range(train_losses + test_losses, decades=3))
            ax2.set_ylim(min(0.5, min(test_accuracies)), 1.02)
            ax.set_title(f"{title} (epoch {epoch})")
            return [train_line, test_line, accuracy_line, ax.title]
        # The last frame: the ranges, title and layout of the final figure, and its drawing order.
        for axes in (ax, ax2):
            axes.set_autoscale_on(True)
            axes.relim()
            axes.autoscale_view()
        ax.set_title(title)
        fig.tight_layout()
        return [train_line, test_line, ax.get_legend(), accuracy_line, ax.title]

    return LiveView(fig, redraw, args.epochs, window=window, gif=args.gif)


def show_results(train_losses, test_losses, test_accuracies, args, name="train"):
    fig = plot_curves(train_losses, test_losses, test_accuracies, name)
    fig.tight_layout()
    show_or_save(fig, args.save, args.no_show, f"{name}.png")


def plot_curves(train_losses, test_losses, test_accuracies, name):
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.plot(train_losses, color="blue", label="Train Loss")
    ax.plot(test_losses, color="green", label="Test Loss")
    ax.set_xlabel("Epoch")
    ax.set_ylabel("Loss (binary cross-entropy, log scale)")
    ax.set_yscale("log")  # on a linear scale the late rise of the test loss is invisible
    ax2 = ax.twinx()  # accuracy lives on its own 0-1 scale
    ax2.plot(test_accuracies, color="red", label="Test Accuracy")
    ax2.set_ylabel("Test Accuracy")
    lines = ax.get_lines() + ax2.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="lower center")
    ax.set_title(f"4 vs 9 ({name}.py): learning curves")
    return fig


def show_mistakes(model, test_data, args, name="train"):
    """Misclassified test images, titled with the true digit and P(prediction)."""
    test_x, test_y = test_data
    model.eval()
    with torch.no_grad():
        prob_nine = torch.sigmoid(predict_logits(model, test_x))
    wrong = ((prob_nine > 0.5).float() != test_y).nonzero().flatten()[:args.mistakes].cpu()
    print(f"Misclassified test images: {int(((prob_nine > 0.5).float() != test_y).sum())}, "
          f"showing {len(wrong)}", flush=True)
    cols = max(1, min(8, len(wrong)))
    rows = max(1, -(-len(wrong) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.6 * cols, 1.9 * rows + 0.6), squeeze=False,
                             layout="constrained")  # room for titles and suptitle
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong.tolist()):
        p = prob_nine[i].item()
        guess, conf = (DIGITS[1], p) if p > 0.5 else (DIGITS[0], 1 - p)
        ax.imshow(test_x[i, 0].cpu().numpy(), cmap="gray")
        ax.set_title(f"true {DIGITS[int(test_y[i])]}\npred {guess} ({conf:.2f})", fontsize=8, color="red")
    fig.suptitle(f"Misclassified test images ({len(wrong)} shown)")
    save = None if args.save is None else args.save.with_name(args.save.stem + "_mistakes.png")
    show_or_save(fig, save, args.no_show, f"{name}_mistakes.png")


class Mnist(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 4, kernel_size=3)
        self.conv2 = torch.nn.Conv2d(4, 8, kernel_size=3)
        self.conv3 = torch.nn.Conv2d(8, 16, kernel_size=3)
        self.fc = torch.nn.Linear(16, 1)

    def forward(self, data):
        data = torch.max_pool2d(torch.relu(self.conv1(data)), kernel_size=2)  # 28 -> 26 -> 13
        data = torch.max_pool2d(torch.relu(self.conv2(data)), kernel_size=2)  # 13 -> 11 -> 5
        data = torch.max_pool2d(torch.relu(self.conv3(data)), kernel_size=2)  # 5 -> 3 -> 1
        data = data.view(-1, 16)
        return self.fc(data).view(-1)  # logits; sigmoid happens in the loss / when predicting


if __name__ == "__main__":
    main()
