"""predict.py's two figures: a grid of test images with the model's answers, and your own
image beside each digit's probability."""

import numpy as np

from booktools.figures import show_or_save


def show_test_grid(images, labels, prediction, confidence, args):
    """predict.py: test images with the predicted digit and its probability, mistakes in red."""
    import matplotlib.pyplot as plt
    count = len(images)
    correct = (prediction == labels).sum().item()
    cols = min(count, int(np.ceil(np.sqrt(count))))
    rows = int(np.ceil(count / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols + 0.4, 1.5 * rows + 0.6), squeeze=False,
                             layout="constrained")  # room for titles and suptitle
    for ax in axes.flat:
        ax.axis("off")
    for i, ax in enumerate(axes.flat[:count]):
        ax.imshow(images[i, 0].numpy(), cmap="gray")
        wrong = prediction[i] != labels[i]
        text = f"pred {prediction[i].item()} ({confidence[i].item():.2f})"
        if wrong:
            text += f"\ntrue {labels[i].item()}"
        ax.set_title(text, fontsize=8, color="red" if wrong else "black")
    fig.suptitle(f"Test images: prediction (confidence), mistakes in red: {correct}/{count} correct")
    show_or_save(fig, args, "predict.png")


def show_own_image(original, image, probabilities, model_name, args):
    """predict.py --image: the picture, the 28x28 the model sees, and each digit's probability."""
    import matplotlib.pyplot as plt
    prediction = int(probabilities.argmax())
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(11, 3.6))
    ax1.imshow(original, cmap="gray", vmin=0, vmax=255)
    ax1.set_title("Your image (greyscale)")
    ax2.imshow(image[0].numpy(), cmap="gray", vmin=0, vmax=1)
    ax2.set_title("What the model sees (28x28)")
    for ax in (ax1, ax2):
        ax.set_xlabel("x (pixels)")
        ax.set_ylabel("y (pixels)")
    ax3.bar(range(10), probabilities.numpy(), color=["red" if d == prediction else "blue" for d in range(10)])
    ax3.set_xticks(range(10))
    ax3.set_ylim(0, 1)
    ax3.set_xlabel("Digit")
    ax3.set_ylabel("Probability (softmax)")
    ax3.set_title(f"{model_name}: {prediction} ({probabilities[prediction].item():.2f})")
    fig.tight_layout()
    show_or_save(fig, args, "predict_image.png")
