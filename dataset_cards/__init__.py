"""Templates of the cards (``README.md``) published with each dataset and each trained model."""

from pathlib import Path

DATASET_CARD = Path(__file__).with_name("dataset_card.md")
MODEL_CARD = Path(__file__).with_name("model_card.md")
