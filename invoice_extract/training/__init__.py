"""Training-time code: synthetic data, model training and export.

Imports from here may need the ``train`` (or, for the synthetic invoices, ``dev``) extra;
nothing in the runtime path imports this package.
"""
