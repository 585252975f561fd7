"""A vectorized env that steps its envs together on threads of this process (``vec_env: thread``).

An env's step mostly waits for its LLVM worker process, and Python releases the GIL while it waits, so
``n`` envs on ``n`` threads keep ``n`` workers busy at once: on 2 cores the worker of one env runs its pass
while this process handles the other env and the policy. Unlike SB3's SubprocVecEnv this costs no process
per env (no second interpreter importing torch, no pickled observations); unlike its DummyVecEnv the envs
do not wait for one another. In-process envs (``isolated: false``) run LLVM itself on the threads at once, each
module in its own LLVMContext (what LLVM supports for concurrent compilation), without a worker's crash safety.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from copy import deepcopy
from typing import Any

import numpy as np
from stable_baselines3.common.vec_env import DummyVecEnv


class ThreadVecEnv(DummyVecEnv):
    """SB3's DummyVecEnv whose envs step (and reset when their episode ends) concurrently.

    Env 0 runs in the calling thread, every other env on a thread of its own; an env is only ever used by one
    thread at a time, and observations, rewards and infos come back in env order, as DummyVecEnv gives them.
    """

    def __init__(self, env_fns: list) -> None:
        super().__init__(env_fns)
        self._pool = ThreadPoolExecutor(max_workers=max(self.num_envs - 1, 1), thread_name_prefix="env")
        self._futures: list[Future] = []

    def step_async(self, actions: np.ndarray) -> None:
        self.actions = actions
        self._futures = [self._pool.submit(self._step_one, i, actions[i]) for i in range(1, self.num_envs)]

    def step_wait(self) -> Any:
        futures, self._futures = self._futures, []
        results = [self._step_one(0, self.actions[0])] + [future.result() for future in futures]
        for index, (observation, reward, done, info, reset_info) in enumerate(results):
            self.buf_rews[index], self.buf_dones[index], self.buf_infos[index] = reward, done, info
            if reset_info is not None:
                self.reset_infos[index] = reset_info
            self._save_obs(index, observation)
        return self._obs_from_buf(), np.copy(self.buf_rews), np.copy(self.buf_dones), deepcopy(self.buf_infos)

    def _step_one(self, index: int, action: Any) -> tuple:
        """Step env ``index``; at the end of its episode keep the final observation and reset (DummyVecEnv's
        protocol)."""
        env = self.envs[index]
        observation, reward, terminated, truncated, info = env.step(action)
        info["TimeLimit.truncated"] = truncated and not terminated
        reset_info = None
        if terminated or truncated:
            info["terminal_observation"] = observation
            observation, reset_info = env.reset()
        return observation, reward, terminated or truncated, info, reset_info

    def reset(self) -> Any:
        def reset_one(index: int) -> tuple:
            options = {"options": self._options[index]} if self._options[index] else {}
            return self.envs[index].reset(seed=self._seeds[index], **options)

        futures = [self._pool.submit(reset_one, i) for i in range(1, self.num_envs)]
        results = [reset_one(0)] + [future.result() for future in futures]
        for index, (observation, info) in enumerate(results):
            self.reset_infos[index] = info
            self._save_obs(index, observation)
        self._reset_seeds()
        self._reset_options()
        return self._obs_from_buf()

    def close(self) -> None:
        for future in self._futures:  # a step_async without its step_wait: let it finish before the envs close
            future.result()
        self._futures = []
        self._pool.shutdown(wait=True)
        super().close()
