"""The lecture's 10-class MNIST classifier (slides 第五回): an MLP 784-128-64-10, trained on a
training split, watched on a validation split, and tested once at the end."""

from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

from booktools.cli import fail, keep_results_on_ctrl_c
from booktools.describe import print_model
from booktools.records import start_record
from booktools.torch_setup import one_cpu_thread, pick_device, seed_everything
from digits.mnist_data import Augmented, load_mnist
from figures.training import show_learning_curves, start_curves_live_view
from flags.chapter import training_parser

VAL_FRACTION = 12  # 1/12 for validation: 60,000 training images -> 55,000 train + 5,000 val
DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "mnist_model.pth"


def main(argv=None):
    args = parse_args(argv)
    seed_everything(args.seed)
    device = pick_device(args.device)
    one_cpu_thread(device)
    train_loader, val_loader, test_loader = load_data(args)

    model = MNISTClassifier(args.dropout, args.batchnorm).to(device)
    print_model(model)
    live = start_curves_live_view(plot_learning_curves, model, args)
    history = train_model(model, device, train_loader, val_loader, args, live)
    live.finish()  # the live figure: --gif is written now
    # The test set is used once, at the very end (the "real exam").
    test_loss, accuracy = evaluate(model, device, test_loader, nn.CrossEntropyLoss())
    print(f"Test Loss: {test_loss:.4f}, Test Accuracy: {accuracy:.2f}%", flush=True)
    save_model(model, "mlp", args.save_model, accuracy, args, dropout=args.dropout, batchnorm=args.batchnorm)
    fig = plot_learning_curves(*history)
    finals = {"test accuracy": accuracy, "test loss": test_loss}  # as printed, for runs/
    show_learning_curves(fig, history, model, live.optimizer, args, "train_mlp.png", finals)


def parse_args(argv):
    parser = training_parser(__file__, "Train an MLP (784-128-64-10) on all ten MNIST digits.",
                             epochs=10, lr=0.001, batch_size=64, model_file=DEFAULT_MODEL, partner="train_cnn.py")
    parser.add_argument("--dropout", type=float, default=0.0, help="dropout probability after each hidden layer (0 = off)")
    parser.add_argument("--batchnorm", action="store_true", help="add BatchNorm1d after each hidden layer")
    args = parser.parse_args(argv)
    if not 0.0 <= args.dropout < 1.0:
        fail(f"--dropout must be at least 0 and below 1, got {args.dropout}")
    args.record = start_record(args, first_epoch=1)  # runs/: written with the final figure
    return args


def load_data(args):
    """DataLoaders for the three splits: train (shuffled, batch_size), validation and test."""
    images, labels = load_mnist(args.data_dir, train=True)
    test_images, test_labels = load_mnist(args.data_dir, train=False)
    val_size = len(images) // VAL_FRACTION
    if val_size == 0:
        fail(f"the training set has only {len(images)} images; too few to split off validation")
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(args.seed))
    train_idx, val_idx = order[val_size:], order[:val_size]
    if args.subset is not None:
        if args.subset > len(train_idx):
            fail(f"--subset {args.subset} is more than the {len(train_idx)} training images")
        train_idx = train_idx[:args.subset]
    print(f"Train: {len(train_idx):,}, Val: {len(val_idx):,}, Test: {len(test_images):,}", flush=True)
    train_dataset = TensorDataset(images[train_idx], labels[train_idx])
    val_dataset = TensorDataset(images[val_idx], labels[val_idx])
    test_dataset = TensorDataset(test_images, test_labels)
    lonely = len(train_dataset) % args.batch_size == 1 and len(train_dataset) > 1  # BatchNorm cannot learn from 1 image
    train_loader = DataLoader(train_dataset, batch_size=args.batch_size, shuffle=True, drop_last=lonely)
    if args.augment:
        train_loader = Augmented(train_loader)  # new random variants of every batch, every epoch
    val_loader = DataLoader(val_dataset, batch_size=1000)  # no learning: big batches are fine
    test_loader = DataLoader(test_dataset, batch_size=1000)
    return train_loader, val_loader, test_loader


@keep_results_on_ctrl_c("live")  # Ctrl-C: the test and the figure still come, with the model so far
def train_model(model, device, train_loader, val_loader, args, live):
    """The slides' complete training script: epochs of train() and evaluate(), with curves."""
    criterion = nn.CrossEntropyLoss()
    if args.optimizer == "adam":
        optimizer = optim.Adam(model.parameters(), lr=args.lr)  # 本との違い: Adam (SGD: --optimizer sgd)
    else:
        optimizer = optim.SGD(model.parameters(), lr=args.lr)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)  # 本との違い: lr decays to 0

    for epoch in range(1, args.epochs + 1):
        train_loss = train(model, device, train_loader, optimizer, criterion, epoch)
        val_loss, accuracy = evaluate(model, device, val_loader, criterion)  # 本との違い: validation, not test
        if not args.no_schedule:
            scheduler.step()  # 本との違い: the cosine schedule, one step per epoch
        print(f"Epoch {epoch}: Train Loss: {train_loss:.4f}, "
              f"Val Loss: {val_loss:.4f}, Val Accuracy: {accuracy:.2f}%", flush=True)
        live.update(epoch, train_loss, val_loss, accuracy)  # 本との違い: keeps the curves, draws them so far
    return live.state  # the curves kept: train losses, val losses, accuracies


def train(model, device, train_loader, optimizer, criterion, epoch):
    model.train()  # training mode: dropout and BatchNorm learn
    total_loss = 0
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()
        total_loss += loss.item()
    return total_loss / len(train_loader)


def evaluate(model, device, test_loader, criterion):
    model.eval()  # evaluation mode: no dropout, BatchNorm uses its running averages
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += criterion(output, target).item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader)
    accuracy = 100. * correct / len(test_loader.dataset)
    return test_loss, accuracy


def save_model(model, kind, path, accuracy, args, **options):
    path.parent.mkdir(parents=True, exist_ok=True)
    # 本との違い: the file also says which model it holds (so predict.py can rebuild it), its test
    # accuracy and the flags it was trained with (predict.py prints them)
    with open(path, "wb") as f:  # (a file object: torch.save to a path fails on some Windows paths, e.g. Japanese)
        torch.save({"model": kind, "state_dict": model.state_dict(), "test_accuracy": accuracy,
                    "flags": args.changed, **options}, f)
    print(f"Saved model to {path}", flush=True)


def plot_learning_curves(train_losses, val_losses, accuracies):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
    epochs = range(1, len(train_losses) + 1)  # (ours: epochs counted from 1, as printed)
    ax1.plot(epochs, train_losses, color="blue", marker="o", label="Train Loss")
    ax1.plot(epochs, val_losses, color="green", marker="o", label="Val Loss")
    ax1.set_xlabel("Epoch")
    ax1.set_ylabel("Loss (cross-entropy)")
    ax1.legend()
    ax1.set_title("Loss Curves")
    ax2.plot(epochs, accuracies, color="red", marker="o", label="Val Accuracy")
    ax2.set_xlabel("Epoch")
    ax2.set_ylabel("Accuracy (%)")
    ax2.legend()
    ax2.set_title("Accuracy Curve")
    fig.tight_layout()
    return fig


class MNISTClassifier(nn.Module):
    def __init__(self, dropout=0.0, batchnorm=False):
        super().__init__()
        self.layer1 = nn.Linear(28 * 28, 128)  # 784 -> 128
        self.layer2 = nn.Linear(128, 64)  # 128 -> 64
        self.layer3 = nn.Linear(64, 10)  # 64 -> 10 (classes)
        # The slides' extras, off by default (--dropout, --batchnorm); Identity does nothing.
        self.dropout = nn.Dropout(p=dropout) if dropout > 0 else nn.Identity()
        self.bn1 = nn.BatchNorm1d(128) if batchnorm else nn.Identity()
        self.bn2 = nn.BatchNorm1d(64) if batchnorm else nn.Identity()

    def forward(self, x):
        x = x.view(-1, 28 * 28)  # 1. flatten each image into 784 numbers
        x = F.relu(self.layer1(x))  # 2. layer1, then ReLU
        x = self.bn1(x)
        x = self.dropout(x)
        x = F.relu(self.layer2(x))  # 3. layer2, then ReLU
        x = self.bn2(x)
        x = self.dropout(x)
        x = self.layer3(x)  # 4. output layer: raw scores (CrossEntropyLoss applies softmax)
        return x


if __name__ == "__main__":
    main()
