"""The training stream: pairs rendered on the fly from a bank of fields simulated once.

:mod:`bank` simulates and stores the fields (its settings in :mod:`config`); :mod:`stream`
crops, orients and warps training-place scenes by them, for as many pairs as training asks.
"""
