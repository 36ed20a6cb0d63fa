"""bias-review: find race-based medicine in course materials."""

__version__ = "0.1.0"
