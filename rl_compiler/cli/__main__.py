import sys

from rl_compiler.cli import main

sys.exit(main())
