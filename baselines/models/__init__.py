"""Deep baselines: the seed paper's FlowNetS, FlowNetSD and StrainNet, and the correlator
refiner.

:mod:`config` names them and holds a training run's settings (no torch), :mod:`registry`
builds them (:func:`~registry.get_model`), :mod:`flownet` and :mod:`refiner` define them,
:mod:`train` and :mod:`predict` train and run them.
"""
