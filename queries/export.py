"""`python -m queries.export ...`: the documented entry point; the work is in queries.reports.export."""
import sys

from queries.reports.export import main

if __name__ == "__main__":
    sys.exit(main())
