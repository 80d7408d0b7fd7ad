"""`python -m queries.demo ...`: generate demo data (see queries.demo.generate)."""
import sys

from queries.demo.generate import main

sys.exit(main())
