"""What watches train.py's loop: the training and test loss after each epoch, printed,
and kept for the figure and the run record.
"""

import math

import torch

from booktools.cli import fail


class Watch:
    """Called by train_model after each epoch: the MSE on all training and all test rows
    (standardized rent), printed at epoch 1 and every tenth of the run, kept for the figure.
    epochs_done and state: what booktools' keep_results_on_ctrl_c reads after Ctrl-C."""

    def __init__(self, model, data, epochs):
        self.model, self.data = model, data
        self.print_every = max(1, epochs // 10)
        self.history = {"epoch": [], "train": [], "test": []}

    def __call__(self, epoch):
        train_loss = self.loss("train")
        test_loss = self.loss("test")
        if not math.isfinite(train_loss):
            fail(f"training diverged at epoch {epoch} (loss is {train_loss}); try a smaller --lr")
        self.history["epoch"].append(epoch)
        self.history["train"].append(train_loss)
        self.history["test"].append(test_loss)
        if epoch == 1 or epoch % self.print_every == 0:
            print(f"Epoch {epoch}, Train Loss: {train_loss:.4f}, Test Loss: {test_loss:.4f}")

    def loss(self, part):
        with torch.no_grad():
            y = self.model(self.data[f"X_{part}"])
            return torch.nn.functional.mse_loss(y, self.data[f"t_{part}"]).item()

    @property
    def epochs_done(self):
        return len(self.history["epoch"])

    @property
    def state(self):
        return self.history
