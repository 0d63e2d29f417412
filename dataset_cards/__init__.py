"""Templates of the dataset cards (``README.md``) published with each dataset."""

from pathlib import Path

DATASET_CARD = Path(__file__).with_name("dataset_card.md")
