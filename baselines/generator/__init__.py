"""Synthetic earthquake surface displacement on the pixel grid, and benchmark samples.

One physical step per module: :mod:`scenario` draws the earthquake (with :mod:`scaling`),
:mod:`fault` and :mod:`random_fields` make its rough surface, :mod:`mesh` triangulates it,
:mod:`slip` puts fractal slip on it (:mod:`rupture` assembles these), :mod:`tde` evaluates the
half-space kernel (through :mod:`treecode`), :mod:`grid`, :mod:`trace_rows` and :mod:`lattice`
bring the field to the pixels, and :mod:`simulate` runs the whole chain. :mod:`scenes`,
:mod:`validity`, :mod:`patches`, :mod:`warp` and :mod:`sample` turn it into benchmark samples on
real images.
"""
