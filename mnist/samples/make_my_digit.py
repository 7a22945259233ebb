"""Draw samples/my_digit.png: a thick, slightly wobbly 7, dark ink on light paper (240 x 240)."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent / "my_digit.png"

img = Image.new("RGB", (240, 240), (245, 242, 235))  # off-white paper
draw = ImageDraw.Draw(img)
ink = (30, 30, 60)  # dark blue-black pen
# Top bar, slightly rising, then the long down-stroke bending a little, like a quick hand.
draw.line([(58, 62), (110, 58), (178, 54)], fill=ink, width=20, joint="curve")
draw.line([(176, 56), (150, 110), (126, 160), (112, 200)], fill=ink, width=20, joint="curve")
for x, y in [(58, 62), (178, 54), (112, 200)]:  # round pen ends
    draw.ellipse([x - 10, y - 10, x + 10, y + 10], fill=ink)
img.save(OUT)
print(f"Saved {OUT}")
