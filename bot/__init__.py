"""回款陪练 — a practice partner for collecting payment from government clients."""

__version__ = "0.1.0"
