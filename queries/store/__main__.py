"""`python -m queries.store migrate --to postgresql://…`: the documented entry point; the work
is in queries.migrate (a command, above the accounts it also copies)."""
import sys

from queries.migrate import main

if __name__ == "__main__":
    sys.exit(main())
