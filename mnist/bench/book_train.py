"""Baseline for the speed benchmark: the book's 4-vs-9 loop written the plain way.

DataLoader over torchvision's MNIST (one PIL image -> ToTensor() per item, every epoch),
batch 100, shuffle, sigmoid + BCELoss, Adam lr 0.004, 40 epochs, the same 2,000-image
subset and test set as ../src/train.py, and like the book it ends with the learning-curve
figure (saved, never shown, so a benchmark cannot block). Only for timing; readers run src/train.py.
"""

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms


def main():
    parser = argparse.ArgumentParser(description="The book's 4-vs-9 training loop (DataLoader over PIL).")
    parser.add_argument("--data-dir", default="./data", help="folder holding MNIST/raw/")
    parser.add_argument("--epochs", type=int, default=40, help="passes over the training images")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same subset as train.py)")
    parser.add_argument("--save", default=str(Path(__file__).resolve().parent.parent / "outputs" / "book_train.png"),
                        help="where to write the learning-curve figure")
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    train_loader, test_loader = load_data(args.data_dir, args.seed)
    model = Mnist()
    criterion = torch.nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.004)
    train_losses, test_losses, test_accuracies = [], [], []
    for epoch in range(args.epochs):
        model.train()
        train_loss = 0.0
        for data, label in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(data), label)
            loss.backward()
            optimizer.step()
            train_loss += loss.item() * len(label)
        model.eval()
        test_loss, correct = 0.0, 0
        with torch.no_grad():
            for data, label in test_loader:
                output = model(data)
                test_loss += criterion(output, label).item() * len(label)
                correct += ((output > 0.5).float() == label).sum().item()
        n_train, n_test = len(train_loader.dataset), len(test_loader.dataset)
        train_losses.append(train_loss / n_train)
        test_losses.append(test_loss / n_test)
        test_accuracies.append(correct / n_test)
        print(f"Epoch: {epoch}, Train Loss: {train_losses[-1]:.4f}, "
              f"Test Loss: {test_losses[-1]:.4f}, Test Accuracy: {test_accuracies[-1]:.4f}", flush=True)
    show_results(train_losses, test_losses, test_accuracies, Path(args.save))


def load_data(data_dir, seed):
    transform = transforms.ToTensor()
    target_transform = lambda t: torch.tensor(float(t == 9))  # 4 -> 0, 9 -> 1
    train = datasets.MNIST(data_dir, train=True, download=True, transform=transform,
                           target_transform=target_transform)
    test = datasets.MNIST(data_dir, train=False, download=True, transform=transform,
                          target_transform=target_transform)
    train_idx = ((train.targets == 4) | (train.targets == 9)).nonzero().flatten()
    test_idx = ((test.targets == 4) | (test.targets == 9)).nonzero().flatten()
    # The same seeded choice of 2,000 images as src/train.py.
    pick = torch.randperm(len(train_idx), generator=torch.Generator().manual_seed(seed))[:2000]
    train_loader = DataLoader(Subset(train, train_idx[pick].tolist()), batch_size=100, shuffle=True)
    test_loader = DataLoader(Subset(test, test_idx.tolist()), batch_size=100)
    return train_loader, test_loader


def show_results(train_losses, test_losses, test_accuracies, save_path):
    fig, ax = plt.subplots()
    ax.plot(train_losses, color="blue", label="Train Loss")
    ax.plot(test_losses, color="green", label="Test Loss")
    ax2 = ax.twinx()
    ax2.plot(test_accuracies, color="red", label="Test Accuracy")
    ax.set_xlabel("Epoch")
    ax.set_title("book_train.py")
    save_path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(save_path)
    print(f"Saved figure to {save_path}", flush=True)


class Mnist(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 4, kernel_size=3)
        self.conv2 = torch.nn.Conv2d(4, 8, kernel_size=3)
        self.conv3 = torch.nn.Conv2d(8, 16, kernel_size=3)
        self.fc = torch.nn.Linear(16, 1)

    def forward(self, data):
        data = torch.max_pool2d(torch.relu(self.conv1(data)), kernel_size=2)
        data = torch.max_pool2d(torch.relu(self.conv2(data)), kernel_size=2)
        data = torch.max_pool2d(torch.relu(self.conv3(data)), kernel_size=2)
        data = data.view(-1, 16)
        return torch.sigmoid(self.fc(data)).squeeze(1)


if __name__ == "__main__":
    main()
