"""Experiments on the co-production model: the ``coprod`` command line and its helpers."""
