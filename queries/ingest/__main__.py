"""`python -m queries.ingest FILE...`: check and store monthly files from the command line."""
import sys

from queries.ingest.check import main

sys.exit(main())
