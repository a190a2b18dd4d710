"""``python -m tapeflow``: the same as the ``tapeflow`` command."""
import sys

from tapeflow.cli import main

sys.exit(main())
