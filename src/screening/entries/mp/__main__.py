"""``python -m screening.entries.mp fetch|export ...`` (the same as ``screening mp ...``)."""

from screening.entries.mp.cli import main

raise SystemExit(main())
