"""The book's 4-vs-9 classifier: a tiny CNN trained on 2,000 images of 4s and 9s.

main, load_data, Mnist and train_model follow the book (same names, same steps, same order).
What the book does not show is elsewhere: digits/mnist_data.py (MNIST as tensors),
figures/training.py (the figures, the live view, GIF, the misclassified gallery),
figures/layers.py (--layers), flags/chapter.py (this chapter's flags) and the booktools
package that every chapter shares (flags, seed, device, Ctrl-C, every run recorded in runs/;
--compare draws earlier runs behind this one).
"""

from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset

from booktools.cli import Parser, exit_now, fail, keep_results_on_ctrl_c, positive_float, positive_int
from booktools.describe import print_model
from booktools.records import add_compare_flags, start_record
from booktools.torch_setup import one_cpu_thread, pick_device, seed_everything
from digits.mnist_data import load_mnist
from figures.layers import show_layers
from figures.training import show_curves, show_mistakes, start_live_view
from flags.chapter import add_common_flags

PARTNERS = {"train": "train_with_linear.py", "train_with_linear": "train.py"}  # --compare draws both

DIGITS = (4, 9)  # label 0 = "4", label 1 = "9"


def main(argv=None):
    args = parse_args(argv)  # 本との違い: the flags (--epochs ...), seed and device
    train_data, test_data = load_data(args)

    model = Mnist().to(args.device, memory_format=torch.channels_last)  # 本との違い: faster on a CPU (NOTES.md: 速さ)
    print_model(model)  # 本との違い: the model and its parameter count
    live = start_live_view(model, args)  # 本との違い: curves that grow while training (window / --gif)
    train_losses, test_losses, test_accuracies = train_model(
        model, train_data, test_data, args.epochs, args.lr, live
    )
    show_results(train_losses, test_losses, test_accuracies, model, args, live)
    show_mistakes(model, test_data, args, DIGITS)  # 本との違い: only with --mistakes N
    show_layers(model, test_data, args)  # 本との違い: only with --layers


def parse_args(argv=None, lr=0.004, name="train"):
    """The flags; train_with_linear.py passes its own learning rate and figure name."""
    parser = Parser(Path(__file__).with_name(f"{name}.py"),  # the script run: train.py or train_with_linear.py
                    description="Tell handwritten 4s from 9s (train.py: a small CNN, "
                                "train_with_linear.py: fully connected layers).")
    parser.add_argument("--epochs", type=positive_int, default=40, help="passes over the training images")
    parser.add_argument("--lr", type=positive_float, default=lr, help="Adam learning rate")
    parser.add_argument("--batch-size", type=positive_int, default=100, help="images per update (the book: 100)")
    parser.add_argument("--train-size", type=train_size, default=2000,
                        help="number of training 4s and 9s to use (random subset), or 'all'")
    parser.add_argument("--mistakes", type=positive_int, default=None,
                        help="also show up to N misclassified test images (with --save: saved as <name>_mistakes.png)")
    if name == "train":  # train_with_linear.py has no convolutions to show
        parser.add_argument("--layers", action="store_true", help="also show a test 4 and a test 9 through every "
                            "layer of the CNN (with --save: saved as <name>_layers.png)")
    add_common_flags(parser, live=True)
    add_compare_flags(parser, partner=PARTNERS[name])
    parser.set_defaults(name=name)
    args = parser.parse_args(argv)
    seed_everything(args.seed)
    args.device = pick_device(args.device)
    one_cpu_thread(args.device)
    args.record = start_record(args, none_text={"train_size": "all"})  # runs/: with the figure
    return args


def train_size(text):
    """argparse type for --train-size: a positive number or 'all'."""
    return None if text == "all" else positive_int(text)


def load_data(args):
    """The 4s and 9s of MNIST, in batches: a seeded random subset of the training ones."""
    train_x, train_y = select_digits(*load_mnist(args.data_dir, train=True, digits=DIGITS))
    test_x, test_y = select_digits(*load_mnist(args.data_dir, train=False, digits=DIGITS))
    if args.train_size is not None:
        if args.train_size > len(train_x):
            fail(f"--train-size {args.train_size} is more than the {len(train_x)} training 4s and 9s (use 'all')")
        pick = torch.randperm(len(train_x), generator=torch.Generator().manual_seed(args.seed))[:args.train_size]
        train_x, train_y = train_x[pick], train_y[pick]
    print(f"Training images: {len(train_x):,}, test images: {len(test_x):,}", flush=True)

    # 本との違い: the images are tensors already (digits/mnist_data.py), not converted one by one every epoch
    train_dataset = TensorDataset(train_x.to(args.device), train_y.to(args.device))
    test_dataset = TensorDataset(test_x.to(args.device), test_y.to(args.device))
    batch_size = args.batch_size  # 100, as in the book (--batch-size changes it)
    train_data = DataLoader(train_dataset, batch_size=batch_size, shuffle=True)
    test_data = DataLoader(test_dataset, batch_size=250)  # 250 images stay in the CPU cache: fastest to test
    return train_data, test_data


def select_digits(images, labels):
    """Labels 0 (a 4) and 1 (a 9); load_mnist has already left out the other digits."""
    return images, (labels == DIGITS[1]).float()


class Mnist(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 4, kernel_size=3)
        self.conv2 = torch.nn.Conv2d(4, 8, kernel_size=3)
        self.conv3 = torch.nn.Conv2d(8, 16, kernel_size=3)

        self.fc = torch.nn.Linear(16, 1)

    def forward(self, data):
        data = self.conv1(data)  # 28x28 -> 26x26
        data = torch.relu(data)
        data = torch.max_pool2d(data, kernel_size=2)  # -> 13x13
        data = self.conv2(data)  # -> 11x11
        data = torch.relu(data)
        data = torch.max_pool2d(data, kernel_size=2)  # -> 5x5
        data = self.conv3(data)  # -> 3x3
        data = torch.relu(data)
        data = torch.max_pool2d(data, kernel_size=2)  # -> 1x1
        data = data.view(-1, 16)
        data = self.fc(data)
        data = torch.sigmoid(data)
        return data.squeeze(1)  # 本との違い: squeeze(1): a batch of one stays shape (1,)


@keep_results_on_ctrl_c("live")  # 本との違い: Ctrl-C returns the curves so far
def train_model(model, train_data, test_data, epochs, lr, live):  # 本との違い: epochs, lr from the flags
    loss_fn = torch.nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    train_losses, test_losses, test_accuracies = [], [], []
    for epoch in range(epochs):
        model.train()
        train_loss = 0.0
        for data, label in train_data:
            optimizer.zero_grad()
            outputs = model(data)
            loss = loss_fn(outputs, label)
            loss.backward()
            optimizer.step()
            train_loss += loss.item() * len(label)
        train_losses.append(train_loss / len(train_data.dataset))

        model.eval()
        with torch.no_grad():
            test_loss, correct = 0.0, 0
            for data, label in test_data:
                outputs = model(data)
                test_loss += loss_fn(outputs, label).item() * len(label)
                correct += ((outputs > 0.5).float() == label).sum().item()
            test_losses.append(test_loss / len(test_data.dataset))
            test_accuracies.append(correct / len(test_data.dataset))

        print(f"Epoch: {epoch}, Train Loss: {train_losses[-1]:.4f}, "
              f"Test Loss: {test_losses[-1]:.4f}, Test Accuracy: {test_accuracies[-1]:.4f}", flush=True)
        live.update(epoch, train_losses[-1], test_losses[-1], test_accuracies[-1])  # 本との違い: the figure so far

    return train_losses, test_losses, test_accuracies


def show_results(train_losses, test_losses, test_accuracies, model, args, live):
    live.finish()  # the live figure: --gif is written now
    # The final figure, titled with the model and the optimizer that ran; recorded in runs/
    show_curves(train_losses, test_losses, test_accuracies, model, live.optimizer, args)


if __name__ == "__main__":
    main()
    exit_now()  # skips about 1 s of clean-up at exit (NOTES.md: 速さ)
