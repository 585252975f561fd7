from rl_compiler.cli import entry

entry()
