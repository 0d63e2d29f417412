"""Measurement protocols shared by the tests and ``benchmarks/``: overfitting a batch, learning
held-out translations, a correlator's response to a step. They measure the library; they are
not part of it."""
