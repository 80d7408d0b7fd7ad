"""`python -m queries.ingest`: check and store files, undo and redo uploads (queries/ingest/cli.py)."""
import sys

from queries.ingest.cli import main

sys.exit(main())
