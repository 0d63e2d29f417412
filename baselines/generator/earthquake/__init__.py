"""One synthetic strike-slip earthquake and its surface displacement on the pixel grid.

One physical step per module: :mod:`scenario` draws the earthquake (with :mod:`scaling`),
:mod:`fault` and :mod:`random_fields` make its rough surface, :mod:`mesh` triangulates it,
:mod:`slip` puts fractal slip on it (:mod:`rupture` assembles these), :mod:`tde` evaluates the
half-space kernel (through :mod:`treecode`), :mod:`grid`, :mod:`trace_rows` and :mod:`lattice`
bring the field to the pixels (:mod:`pixels` fixes where they lie), :mod:`fault_zone` spreads
part of the offset over a zone of finite width, and :mod:`simulate` runs the whole chain for a
:mod:`tile`. :mod:`portable_math` keeps the last bits independent of the processor, and
:mod:`figure` draws a field.
"""
