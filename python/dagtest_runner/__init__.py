"""dagtest's Python runner: the part of dagtest that runs inside the user's interpreter.

Standard library only, Python 3.9+, because it must work in whatever environment the user's
pipeline scripts need, without installing anything into it. See ``__main__.py`` for how it is
invoked and which modes exist.

This file stays empty of imports on purpose: every mode pays for it at start-up.
"""
