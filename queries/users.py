"""`python -m queries.users ...`: the documented entry point; the work is in queries.accounts.cli."""
import sys

from queries.accounts.cli import main

if __name__ == "__main__":
    sys.exit(main())
