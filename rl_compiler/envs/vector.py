"""A vector env whose crash-isolated envs step at once: Gymnasium's ``SyncVectorEnv`` with pipelined steps.

``SyncVectorEnv`` steps env 1, waits for its worker's reply, then env 2, and so on: the envs' worker processes
never run at the same time. :class:`PipelinedVectorEnv` first sends every env's step request to its worker
(:meth:`rl_compiler.llvm.session.Session.step_send`), then lets ``SyncVectorEnv.step`` step the envs in order,
each step reading the reply its worker computed meanwhile; on 2 cores two workers run their passes at once.
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

from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from gymnasium.vector.utils import iterate
from gymnasium.wrappers import OrderEnforcing, PassiveEnvChecker, TimeLimit

from rl_compiler.envs.action_sets import action_index
from rl_compiler.envs.passes import PassOrderingEnv

#: Wrappers that pass the action through unchanged although they override ``step`` (``gym.make``'s own).
KEEP_ACTION = (TimeLimit, OrderEnforcing, PassiveEnvChecker)
_PLAIN_STEPS = (gym.Wrapper.step, gym.ObservationWrapper.step, gym.RewardWrapper.step)


class PipelinedVectorEnv(SyncVectorEnv):
    """``SyncVectorEnv`` whose envs' worker processes run their steps at once (see the module docstring).

    Same arguments as :class:`gymnasium.vector.SyncVectorEnv`.
    """

    def __init__(
        self,
        env_fns: Sequence[Callable[[], gym.Env]],
        copy: bool = True,
        observation_mode: str | gym.Space = "same",
        autoreset_mode: str | AutoresetMode = AutoresetMode.NEXT_STEP,
    ) -> None:
        super().__init__(env_fns, copy=copy, observation_mode=observation_mode, autoreset_mode=autoreset_mode)
        #: Per env: the pass-ordering env a step can be sent to ahead (None: it steps whole, in its turn).
        self._senders = [step_sender(env) for env in self.envs]

    def step(self, actions: Any) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Send the step of every env that steps now (not one ``NEXT_STEP`` resets) to its worker, then step
        the envs in order as ``SyncVectorEnv`` does, each reading its worker's reply."""
        sent = []
        if any(self._senders):
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
    """Undo the steps sent to ``envs`` and not received (``Session.step_discard``): after a step raised."""
    for env in envs:
        session = None if env is None else env._session
        if session is not None:
            session.step_discard()


def make_pipelined(
    env_id: str,
    num_envs: int = 1,
    *,
    autoreset_mode: str | AutoresetMode = AutoresetMode.NEXT_STEP,
    copy: bool = True,
    observation_mode: str | gym.Space = "same",
    **kwargs: Any,
) -> PipelinedVectorEnv:
    """A :class:`PipelinedVectorEnv` of ``num_envs`` envs ``gym.make(env_id, **kwargs)``.

    :raises ValueError: if ``num_envs`` is less than 1.
    """
    if num_envs < 1:
        raise ValueError(f"num_envs must be at least 1, got {num_envs}")

    def make() -> gym.Env:
        return gym.make(env_id, **kwargs)

    return PipelinedVectorEnv(
        [make] * num_envs, copy=copy, observation_mode=observation_mode, autoreset_mode=autoreset_mode
    )
