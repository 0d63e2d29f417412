"""quakebench: a benchmark for sub-pixel earthquake displacement from optical satellite images."""

__version__ = "0.4.0"
