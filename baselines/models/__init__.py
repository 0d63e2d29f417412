"""Deep baselines: FlowNetS, FlowNetSD and StrainNet.

:mod:`config` names them and holds a training run's settings (no torch), :mod:`registry`
builds them (:func:`~registry.get_model`), :mod:`flownet` defines them, :mod:`train` and
:mod:`predict` train and run them.
"""
