"""A vector env whose crash-isolated envs step at once: Gymnasium's ``SyncVectorEnv`` with pipelined steps.

``SyncVectorEnv`` steps env 1, waits for its worker's reply, then env 2, and so on: the envs' worker processes
never run at the same time. :class:`PipelinedVectorEnv` first sends every env's step request to its worker
(:meth:`rl_compiler.llvm.session.Session.step_send`), then lets ``SyncVectorEnv.step`` step the envs in order,
each step reading the reply its worker computed meanwhile.

Its isolated envs share ``workers`` worker processes (env ``i`` opens its modules in worker ``i % workers``;
default: one per CPU beyond the caller's, at most one per env, :func:`default_workers`). A worker answers the
steps sent to it in order, each found already waiting when it finishes the one before, while the caller handles
the replies before it: on 2 cores one worker and the caller overlap, and adding envs adds no process to wake.
A worker's crash or timeout is recovered for every env on it (each session replays its own history).
Everything else is ``SyncVectorEnv``'s own code, so observations, rewards, infos, autoreset (``NEXT_STEP`` by
default), seeding, ``render`` and ``close`` are exactly its. A step that cannot be sent ahead (an in-process env,
an observation or reward the worker's native fast lane does not compute, a wrapper that may change the action,
another env class) is done whole in its turn, as ``SyncVectorEnv`` does; a crash or timeout is recovered by the
env's step exactly as without pipelining (the sent request's loss is the step's first attempt).

The pass-ordering ids register :class:`rl_compiler.envs.registration.VectorEntryPoint` as their
``vector_entry_point``, so that
``gym.make_vec(id, n)`` (``vectorization_mode`` None or ``"vector_entry_point"``) builds this class;
``vectorization_mode="sync"`` / ``"async"`` still give Gymnasium's classes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from gymnasium.vector.utils import iterate
from gymnasium.wrappers import OrderEnforcing, PassiveEnvChecker, TimeLimit

from rl_compiler.envs.action_sets import action_index
from rl_compiler.envs.passes import PassOrderingEnv
from rl_compiler.llvm.session import Worker

#: Wrappers that pass the action through unchanged although they override ``step`` (``gym.make``'s own).
KEEP_ACTION = (TimeLimit, OrderEnforcing, PassiveEnvChecker)
_PLAIN_STEPS = (gym.Wrapper.step, gym.ObservationWrapper.step, gym.RewardWrapper.step)
#: Environment variable: the number of worker processes a pipelined vector env's isolated envs share, when
#: ``workers`` is not given (unset or empty: :func:`default_workers`).
WORKERS_ENV = "RL_COMPILER_VECTOR_WORKERS"


def default_workers(num_envs: int) -> int:
    """Workers for ``num_envs`` isolated envs: one per CPU this process may run on, less the caller's (at least
    one, at most one per env). More workers than free CPUs only take turns on them, each turn a wake-up."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return min(num_envs, max(1, cpus - 1))


def resolve_workers(num_envs: int, workers: int | None) -> int:
    """``workers`` (else :data:`WORKERS_ENV`, else :func:`default_workers`), at most ``num_envs``.

    :raises ValueError: if it is not a whole number of at least 1.
    """
    source = "workers"
    if workers is None:
        text = os.environ.get(WORKERS_ENV, "").strip()
        if not text:
            return default_workers(num_envs)
        source = WORKERS_ENV
        try:
            workers = int(text)
        except ValueError:
            raise ValueError(f"{WORKERS_ENV} must be a whole number of workers, got {text!r}") from None
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"{source} must be a whole number of at least 1, got {workers!r}")
    return min(workers, num_envs)


class PipelinedVectorEnv(SyncVectorEnv):
    """``SyncVectorEnv`` whose envs' steps are all sent before the first reply is read (see the module docstring).

    Same arguments as :class:`gymnasium.vector.SyncVectorEnv`, and ``workers``: how many worker processes the
    isolated pass-ordering envs share (:func:`resolve_workers`; the number of envs: one each).

    :raises ValueError: for a ``workers`` that is not a whole number of at least 1.
    """

    def __init__(
        self,
        env_fns: Sequence[Callable[[], gym.Env]],
        copy: bool = True,
        observation_mode: str | gym.Space = "same",
        autoreset_mode: str | AutoresetMode = AutoresetMode.NEXT_STEP,
        workers: int | None = None,
    ) -> None:
        #: The worker processes the isolated envs share (started by their first reset), env i on ``i % len``.
        self.workers: list[Worker] = []  # set first: ``close`` (also from ``__del__``) may run on a failed init
        count = resolve_workers(len(env_fns), workers)  # checked before any env is made
        super().__init__(env_fns, copy=copy, observation_mode=observation_mode, autoreset_mode=autoreset_mode)
        self.workers = share_workers(self.envs, count)
        #: Per env: the pass-ordering env a step can be sent to ahead (None: it steps whole, in its turn).
        self._senders = [step_sender(env) for env in self.envs]
        # A lone env's step has nothing to overlap with: sent ahead it only adds calls (8% fewer steps/s, README
        # "Vectorized envs"). It is stepped whole, as SyncVectorEnv does.
        self._send_ahead = sum(env is not None for env in self._senders) > 1

    def step(self, actions: Any) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Send the step of every env that steps now (not one ``NEXT_STEP`` resets) to its worker (when there are
        several such envs), then step the envs in order as ``SyncVectorEnv`` does, each reading its worker's reply."""
        sent = []
        if self._send_ahead:
            resetting = self._autoreset_envs if self.autoreset_mode == AutoresetMode.NEXT_STEP else None
            for i, action in enumerate(iterate(self.action_space, actions)):
                env = self._senders[i]
                if env is not None and (resetting is None or not resetting[i]) and send_step(env, action):
                    sent.append((i, action))
        try:
            return super().step(actions)
        except BaseException:
            # As in SyncVectorEnv, the envs after the one that raised do not step: undo their sent steps.
            discard_sent([self._senders[i] for i, _ in sent])
            raise

    def close_extras(self, **kwargs: Any) -> None:
        """Close the envs (``SyncVectorEnv``), then end the shared workers (their last sessions closed with the
        envs; this ends any worker an env's copy, e.g. ``env.fork()``, still holds)."""
        super().close_extras(**kwargs)
        for worker in self.workers:
            worker.shutdown()


def share_workers(envs: Sequence[gym.Env], count: int) -> list[Worker]:
    """Give the isolated pass-ordering envs among ``envs`` (before their first reset) ``count`` workers: env ``i``
    opens its modules in worker ``i % count`` (envs of another memory limit in workers of their own)."""
    workers: dict[tuple[int, int | None], Worker] = {}
    for i, env in enumerate(envs):
        base = env.unwrapped
        if isinstance(base, PassOrderingEnv) and base.isolated and base._session is None:
            key = (i % count, base.memory_limit)
            if key not in workers:
                workers[key] = Worker(base.memory_limit)
            base.shared_worker = workers[key]
    return list(workers.values())


def send_step(env: PassOrderingEnv, action: Any) -> bool:
    """Send ``action``'s pass to ``env``'s worker and return at once; ``env.step(action)`` then completes that
    step (``Session.step`` reads the reply of the request ``Session.step_send`` sent with the same arguments).

    Returns whether a request went out: not before ``reset()``, for an invalid or terminal action, in-process
    (``isolated=False``), for a step the worker's native fast lane cannot carry, or for a subclass whose step
    does more than ``PassOrderingEnv.step`` (``CoresetEnv`` starts each step on a new module).
    """
    program = env._program
    if program is None or env._closed or type(env).step is not PassOrderingEnv.step:
        return False
    try:
        index = action_index(action, int(env.action_space.n))
    except ValueError:
        return False
    if index >= len(env._action_set):  # the terminal action
        return False
    # The arguments PassOrderingEnv._run gives Session.step.
    return program.session.step_send(env._action_set.pipelines[index], ("fingerprint", *env._step_queries))


def step_sender(env: gym.Env, keep_action: tuple[type, ...] = KEEP_ACTION) -> PassOrderingEnv | None:
    """The pass-ordering env under ``env`` if every wrapper between passes the action through unchanged (it
    does not override ``step``, or its class is in ``keep_action``), else None: ``send_step`` to it is the
    first half of ``env.step``."""
    while isinstance(env, gym.Wrapper):
        if type(env).step not in _PLAIN_STEPS and not isinstance(env, keep_action):
            return None
        env = env.env
    return env if isinstance(env, PassOrderingEnv) and type(env).step is PassOrderingEnv.step else None


def discard_sent(envs: Sequence[PassOrderingEnv | None]) -> None:
    """Undo the steps sent to ``envs`` and not received (``Session.step_discard``): after a step raised. Each is
    undone even if one raises (a discard waits for its reply: a second Ctrl-C there kills the worker and raises)."""
    error: BaseException | None = None
    for env in envs:
        session = None if env is None else env._session
        if session is not None:
            try:
                session.step_discard()
            except BaseException as exc:
                error = error or exc
    if error is not None:
        raise error


def make_pipelined(
    env_id: str,
    num_envs: int = 1,
    *,
    autoreset_mode: str | AutoresetMode = AutoresetMode.NEXT_STEP,
    copy: bool = True,
    observation_mode: str | gym.Space = "same",
    workers: int | None = None,
    **kwargs: Any,
) -> PipelinedVectorEnv:
    """A :class:`PipelinedVectorEnv` of ``num_envs`` envs ``gym.make(env_id, **kwargs)`` sharing ``workers``
    worker processes (:func:`resolve_workers`).

    :raises ValueError: if ``num_envs`` is less than 1, or ``workers`` is not a whole number of at least 1.
    """
    if num_envs < 1:
        raise ValueError(f"num_envs must be at least 1, got {num_envs}")

    def make() -> gym.Env:
        return gym.make(env_id, **kwargs)

    return PipelinedVectorEnv(
        [make] * num_envs, copy=copy, observation_mode=observation_mode, autoreset_mode=autoreset_mode, workers=workers
    )
