"""Publishing builds on the Hugging Face Hub: the repository's card, and ``quakebench push``."""
