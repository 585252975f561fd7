"""``rl-compiler shell``: an interactive pass-ordering session (CompilerGym's ``manual_env``).

    $ rl-compiler shell --benchmark benchmark://builtin-v0/crc32
    rl-compiler> list sroa
    rl-compiler> apply function(sroa) -gvn 12
    rl-compiler> diff
    rl-compiler> undo
    rl-compiler> commandline

Commands read from standard input, one per line, so a script can drive it (``rl-compiler shell < cmds``).
"""

from __future__ import annotations

import argparse
import cmd
import difflib
import sys
from typing import Any

from rl_compiler.cli import CLIError

DEFAULT_ENV = "rl_compiler/llvm-ic-v0"
DEFAULT_BENCHMARK = "benchmark://builtin-v0/crc32"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "shell",
        help="an interactive pass-ordering session: list and apply passes, undo, IR diff, counts, commandline",
        description="Apply passes to a benchmark by hand and watch the IR change (type 'help' inside).",
    )
    parser.add_argument("--env", default=DEFAULT_ENV, help=f"a pass-ordering env id (default: {DEFAULT_ENV})")
    parser.add_argument("--benchmark", default=DEFAULT_BENCHMARK, help=f"start on this (default: {DEFAULT_BENCHMARK})")
    parser.set_defaults(func=run)


class Shell(cmd.Cmd):
    """The command loop over one pass-ordering env. Every command prints what it did; errors print a line
    starting with ``error:`` and the session goes on."""

    intro = "rl-compiler shell: type 'help' for the commands, 'exit' to leave."
    prompt = "rl-compiler> "

    def __init__(self, env: Any, stdin: Any = None, stdout: Any = None) -> None:
        super().__init__(stdin=stdin, stdout=stdout)
        self.use_rawinput = stdin is None and sys.stdin.isatty()
        self.env = env
        self.core = env.unwrapped
        self.previous_ir: str | None = None

    # -- helpers ---------------------------------------------------------------------------------------
    def say(self, text: str = "") -> None:
        self.stdout.write(text + "\n")

    def count(self) -> int:
        return int(self.core.observation["IrInstructionCount"])

    def resolve(self, token: str) -> int:
        """An action index from an index, an action name (pipeline) or a CompilerGym flag."""
        from rl_compiler.wrappers.commandline import action_for_flag

        try:
            return action_for_flag(self.env, token)
        except ValueError:
            raise ValueError(f"unknown pass {token!r}: give an index, an action name or a flag (see 'list')") from None

    def onecmd(self, line: str) -> bool:
        try:
            return super().onecmd(line)
        except Exception as error:  # a bad command is reported, never the end of the session
            self.say(f"error: {error}")
            return False

    def emptyline(self) -> bool:
        return False

    def default(self, line: str) -> None:
        self.say(f"error: unknown command {line.split()[0]!r} (type 'help')")

    # -- commands --------------------------------------------------------------------------------------
    def do_benchmark(self, arg: str) -> None:
        """benchmark [URI]: start over on URI (default: the current benchmark)."""
        uri = arg.strip() or self.core.benchmark
        _, info = self.env.reset(options={"benchmark": uri})
        self.previous_ir = None
        self.say(f"{info['benchmark']}: {self.count()} IR instructions")

    def do_list(self, arg: str) -> None:
        """list [TEXT]: the actions (index, name, CompilerGym flag), those containing TEXT if given."""
        flags = self.core.action_flags
        for index, name in enumerate(self.core.action_names):
            flag = flags[index] if index < len(flags) else ""
            if arg.strip() in name or arg.strip() in flag:
                self.say(f"{index:4}  {name}" + (f"  ({flag})" if flag and flag != name else ""))

    def do_apply(self, arg: str) -> None:
        """apply PASS [PASS ...]: apply passes in order (indices, action names or CompilerGym flags)."""
        if not arg.split():
            raise ValueError("apply what? give one or more passes (see 'list')")
        indices = [self.resolve(token) for token in arg.split()]
        for index in indices:
            before, ir = self.count(), self.core.observation["Ir"]
            _, reward, terminated, truncated, info = self.env.step(index)
            self.previous_ir = ir
            after = self.count()
            crash = f"; crashed, state kept: {info['recovered_crash']}" if info.get("recovered_crash") else ""
            self.say(
                f"{self.core.action_names[index]}: {before} -> {after} IR instructions, reward {reward:+.4f}{crash}"
            )
            if terminated or truncated:
                self.say("the episode ended: 'benchmark' starts over")
                break

    do_step = do_apply

    def do_undo(self, arg: str) -> None:
        """undo: take back the last pass (the episode is replayed without it)."""
        state = self.core.state
        if not state.actions:
            raise ValueError("nothing to undo")
        from rl_compiler.envs.state import EpisodeState

        self.core.apply(EpisodeState(state.benchmark, state.actions[:-1]))
        self.previous_ir = None
        self.say(f"undid {state.actions[-1]}: {self.count()} IR instructions")

    def do_diff(self, arg: str) -> None:
        """diff: the IR change made by the last pass, as a unified diff."""
        if self.previous_ir is None:
            raise ValueError("no pass applied since the last start or undo")
        lines = difflib.unified_diff(
            self.previous_ir.splitlines(), self.core.observation["Ir"].splitlines(), "before", "after", lineterm=""
        )
        self.say("\n".join(lines) or "(no change)")

    def do_counts(self, arg: str) -> None:
        """counts: IR instructions now and at -O0/-O3/-Oz, the episode reward and the passes so far."""
        base = self.core.baselines
        self.say(
            f"IR instructions: {self.count()} (start {base.ic_O0}, -O3 {base.ic_O3}, -Oz {base.ic_Oz}); "
            f"episode reward {self.core.episode_reward:+.4f}; {len(self.core.state.actions)} passes"
        )

    def do_ir(self, arg: str) -> None:
        """ir: print the current IR."""
        self.say(self.core.observation["Ir"])

    def do_commandline(self, arg: str) -> None:
        """commandline: the opt command that reproduces the current IR from the benchmark's start."""
        self.say(self.core.commandline())

    def do_exit(self, arg: str) -> bool:
        """exit: leave the shell (so does end of input)."""
        return True

    do_quit = do_exit

    def do_EOF(self, arg: str) -> bool:  # noqa: N802 - the name cmd.Cmd gives end of input
        self.say()
        return True


def run(args: argparse.Namespace) -> int:
    import gymnasium as gym

    if args.env not in gym.registry:
        raise CLIError(f"unknown env {args.env!r}; see rl-compiler envs")
    env = gym.make(args.env)
    try:
        if not hasattr(env.unwrapped, "action_names"):
            raise CLIError(f"{args.env} is not a pass-ordering env")
        shell = Shell(env)
        try:
            shell.do_benchmark(args.benchmark)
        except Exception as error:
            raise CLIError(f"cannot start on {args.benchmark}: {error}") from None
        shell.cmdloop()
    finally:
        env.close()
    return 0
