#!/usr/bin/env python
"""Django's manage.py, for developers; the ``streetbrain`` console script does the same."""

import sys

from streetbrain.cli import main

if __name__ == "__main__":
    main(sys.argv)
