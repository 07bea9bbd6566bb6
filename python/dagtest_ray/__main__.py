"""`python -m dagtest_ray`: the Ray driver process of dagtest's Ray executor (see driver.py)."""
import sys

from dagtest_ray.driver import main

if __name__ == "__main__":
    sys.exit(main())
