import os

# Headless: set before any test imports matplotlib.pyplot.
os.environ["MPLBACKEND"] = "Agg"
