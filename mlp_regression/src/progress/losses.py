"""What watches train.py's loop: the training and test loss after each epoch, kept by
booktools' LiveView (for the figure, the run record and Ctrl-C), and printed."""
import math

import torch
import torch.nn.functional as F

from booktools.cli import fail
from booktools.live import LiveView


def watch_losses(model, data, epochs):
    """A LiveView that measures, after each epoch, the MSE on all training and all test rows
    (standardized rent). It draws nothing: this chapter's figure is made at the end."""
    def loss_on(part):
        def measure():
            with torch.no_grad():  # measuring must not change what is learned
                return F.mse_loss(model(data[f"X_{part}"]), data[f"t_{part}"]).item()
        return measure

    return LiveView(["train loss", "test loss"], epochs, first_epoch=1,
                    measure={"train loss": loss_on("train"), "test loss": loss_on("test")})


def after_epoch(live, epoch):
    """Measure and keep both losses; stop on divergence; print epoch 1 and every tenth of the run."""
    live.update(epoch)
    train_loss, test_loss = live.curves["train loss"][-1], live.curves["test loss"][-1]
    if not math.isfinite(train_loss):
        fail(f"training diverged at epoch {epoch} (loss is {train_loss}); try a smaller --lr")
    if epoch == 1 or epoch % max(1, live.epochs // 10) == 0:
        print(f"Epoch {epoch}, Train Loss: {train_loss:.4f}, Test Loss: {test_loss:.4f}")
