import os

# Headless: set before any test imports matplotlib.
os.environ["MPLBACKEND"] = "Agg"
