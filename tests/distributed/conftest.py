import sys
from pathlib import Path

# the worker scripts and the problems they share live beside the tests
sys.path.insert(0, str(Path(__file__).parent))
