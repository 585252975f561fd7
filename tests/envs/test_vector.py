"""`PipelinedVectorEnv`, the default `gym.make_vec` of the pass-ordering ids: step for step what Gymnasium's
SyncVectorEnv gives on the same seeds and actions, with every env's step sent to its worker ahead, and a worker
killed between the send and the receive recovered as in a single env, leaving nothing behind."""

from __future__ import annotations

import os
import pickle
import signal

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from process_checks import children, wait_dead

import rl_compiler  # noqa: F401  (registers the ids)
from rl_compiler.envs import vector
from rl_compiler.envs.vector import PipelinedVectorEnv

CRC32 = "benchmark://builtin-v0/crc32"


def _same(a, b) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and bool((a == b).all())
    return type(a) is type(b) and a == b


def _trajectory(envs: gym.vector.VectorEnv, steps: int, seed: int) -> list:
    rng = np.random.default_rng(seed)
    out = [envs.reset(seed=seed)]
    for _ in range(steps):
        out.append(envs.step(rng.integers(envs.single_action_space.n, size=envs.num_envs)))
    return out


def _make(env_id: str, mode: str | None, n: int = 3, **kwargs) -> gym.vector.VectorEnv:
    return gym.make_vec(env_id, n, vectorization_mode=mode, benchmark=CRC32, max_episode_steps=4, **kwargs)


@pytest.fixture
def sends(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """What each ``send_step`` of the vector env returned (whether a request went out ahead)."""
    returned: list[bool] = []
    send = vector.send_step
    monkeypatch.setattr(vector, "send_step", lambda env, action: returned.append(send(env, action)) or returned[-1])
    return returned


@pytest.mark.parametrize(
    "env_id, kwargs, ahead",
    [
        ("rl_compiler/llvm-autophase-ic-v0", {"render_mode": "ansi"}, True),  # the native fast lane
        ("rl_compiler/llvm-autophase-ic-v0", {"isolated": False}, False),  # in-process: stepped in turn
        ("rl_compiler/llvm-autophase-codesize-v0", {}, True),  # a reward that asks the worker again
        ("rl_compiler/llvm-ic-v0", {"terminal_action": True}, True),  # no observation; episodes ended early
    ],
)
def test_steps_are_sync_vector_envs_step_for_step(env_id: str, kwargs: dict, ahead: bool, sends: list[bool]) -> None:
    pipelined, sync = _make(env_id, None, **kwargs), _make(env_id, "sync", **kwargs)
    try:
        assert type(pipelined) is PipelinedVectorEnv and type(sync) is SyncVectorEnv
        assert pipelined.observation_space == sync.observation_space
        assert pipelined.action_space == sync.action_space
        assert pipelined.metadata["autoreset_mode"] is sync.metadata["autoreset_mode"] is AutoresetMode.NEXT_STEP
        assert _same(_trajectory(pipelined, 14, seed=3), _trajectory(sync, 14, seed=3))
        assert _same(pipelined.render(), sync.render())
        assert any(sends) == ahead and len(sends) >= 3 * 10
        assert _same(pipelined.reset(seed=[5, 6, 7]), sync.reset(seed=[5, 6, 7]))
    finally:
        pipelined.close()
        sync.close()


def test_make_vec_modes_and_spec() -> None:
    spec = gym.spec("rl_compiler/llvm-autophase-ic-v0")
    assert pickle.loads(pickle.dumps(spec)) == spec
    envs = gym.make_vec("rl_compiler/llvm-autophase-ic-v0", 2, vectorization_mode="vector_entry_point")
    assert type(envs) is PipelinedVectorEnv and envs.num_envs == 2
    assert envs.spec.kwargs["vectorization_mode"] == "vector_entry_point"
    envs.close()
    envs = _make("rl_compiler/llvm-autophase-ic-v0", None, 2, autoreset_mode="SameStep")
    assert envs.autoreset_mode is AutoresetMode.SAME_STEP
    envs.close()
    # The ids whose step does more than one pass keep Gymnasium's default.
    assert type(gym.make_vec("rl_compiler/llvm-coreset-ic-v0", 1)) is SyncVectorEnv
    with pytest.raises(ValueError, match="at least 1"):
        gym.make_vec("rl_compiler/llvm-autophase-ic-v0", 0)


@pytest.mark.parametrize("workers", [None, 3])  # the default (shared: 1 on 2 CPUs), one worker per env
def test_worker_killed_between_send_and_receive_is_recovered(monkeypatch: pytest.MonkeyPatch, workers) -> None:
    env_id = "rl_compiler/llvm-autophase-ic-v0"
    pipelined, sync = _make(env_id, None, workers=workers), _make(env_id, "sync")
    send, calls, victims, sharers = vector.send_step, [0], [], []

    def send_then_kill(env, action) -> bool:
        calls[0] += 1
        if calls[0] % 7 != 2:  # every 7th send, from the second: an env in the middle of the batch
            return send(env, action)
        victim = env.session.pid
        index = pipelined._senders.index(env)  # env i shares worker i % W with the envs i + k W
        on_worker = sum(other.unwrapped.session.pid == victim for other in pipelined.envs)
        assert on_worker == len(range(index % len(pipelined.workers), pipelined.num_envs, len(pipelined.workers)))
        sharers.append(on_worker)
        os.kill(victim, signal.SIGSTOP)  # it cannot answer before it dies
        sent = send(env, action)
        os.kill(victim, signal.SIGKILL)
        victims.append(victim)
        return sent

    monkeypatch.setattr(vector, "send_step", send_then_kill)
    try:
        pids = set()
        killed, expected = _trajectory(pipelined, 12, seed=1), _trajectory(sync, 12, seed=1)
        for got, want in zip(killed[1:], expected[1:], strict=True):
            assert _same(got[:4], want[:4])
            crashes = got[4].get("recovered_crash", ())  # none in a step where every env resets
            assert _same({k: v for k, v in got[4].items() if "recovered_crash" not in k}, {
                k: v for k, v in want[4].items() if "recovered_crash" not in k
            })  # fmt: skip
            assert all(c is None or "the worker" in c for c in crashes)
        reported = sum(c is not None for step in killed[1:] for c in step[4].get("recovered_crash", ()))
        # Every env on the killed worker lost its module and replays it at its next call, reporting the recovery
        # there: the victim in this step (its request went to a stopped worker); the envs whose replies came
        # before the kill at their next step, unless an episode's end drops the module first.
        assert len(victims) >= 4 and len(victims) <= reported <= sum(sharers)
        assert reported == len(victims) if workers == 3 else reported > len(victims)
        assert len(pipelined.workers) == (3 if workers == 3 else vector.default_workers(3))
        pids = {env.unwrapped.session.pid for env in pipelined.envs}
        assert all(wait_dead(victim) for victim in victims)
    finally:
        pipelined.close()
        sync.close()
    assert all(wait_dead(pid) for pid in pids) and not set(children()) & (pids | set(victims))


def test_a_step_that_raises_leaves_the_later_envs_unstepped(monkeypatch: pytest.MonkeyPatch) -> None:
    envs = _make("rl_compiler/llvm-autophase-ic-v0", None)
    try:
        envs.reset(seed=0)
        names = envs.envs[0].unwrapped.action_names
        middle = envs.envs[1]
        monkeypatch.setattr(middle, "step", lambda action: (_ for _ in ()).throw(RuntimeError("boom")))
        with pytest.raises(RuntimeError, match="boom"):
            envs.step(np.array([1, 2, 3]))
        monkeypatch.undo()
        # As in SyncVectorEnv, the env before the one that raised stepped, the one after did not; the sent steps
        # of both were undone (their workers killed, their modules rebuilt as before, reported as recoveries).
        assert [env.unwrapped.session.history for env in envs.envs] == [[names[1]], [], []]
        _, _, _, _, info = envs.step(np.array([4, 5, 6]))
        assert [env.unwrapped.session.history for env in envs.envs] == [[names[1], names[4]], [names[5]], [names[6]]]
        assert [c is not None for c in info["recovered_crash"]] == [False, True, True]
    finally:
        envs.close()


def test_steps_are_sent_through_wrappers_that_keep_the_action() -> None:
    from rl_compiler.wrappers.commandline import ConstrainedCommandline
    from rl_compiler.wrappers.observations import AutophaseNormalized

    def make() -> gym.Env:
        return AutophaseNormalized(gym.make("rl_compiler/llvm-autophase-ic-v0", benchmark=CRC32, max_episode_steps=3))

    pipelined, sync = PipelinedVectorEnv([make, make]), SyncVectorEnv([make, make])
    try:
        assert all(env is not None for env in pipelined._senders)
        assert _same(_trajectory(pipelined, 7, seed=2), _trajectory(sync, 7, seed=2))
        constrained = ConstrainedCommandline(pipelined.envs[0], ["function(sroa)", "globaldce"])
        assert vector.step_sender(constrained) is None  # it changes the action: stepped whole, in its turn
    finally:
        pipelined.close()
        sync.close()


def test_envs_sharing_a_worker_step_as_envs_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    env_id = "rl_compiler/llvm-autophase-ic-v0"
    shared, separate = _make(env_id, None, 4, workers=1), _make(env_id, None, 4, workers=4)
    sync = _make(env_id, "sync", 4)
    queued: list[int] = []  # after each send: the steps in flight in the env's worker
    send = vector.send_step
    monkeypatch.setattr(
        vector, "send_step", lambda env, a: send(env, a) and not queued.append(len(env.session._slot.worker._in_flight))
    )
    try:
        got = _trajectory(shared, 14, seed=4)
        assert queued.count(4) >= 8  # the four envs' steps queued in the one worker at once
        assert len({env.unwrapped.session.pid for env in shared.envs}) == 1 and len(shared.workers) == 1
        assert _same(got, _trajectory(separate, 14, seed=4))
        assert len({env.unwrapped.session.pid for env in separate.envs}) == 4
        assert _same(got, _trajectory(sync, 14, seed=4))
        irs = [[env.unwrapped.session.ir_sha1() for env in envs.envs] for envs in (shared, separate, sync)]
        assert irs[0] == irs[1] == irs[2]
    finally:
        for envs in (shared, separate, sync):
            envs.close()


def test_a_worker_killed_mid_step_recovers_every_env_on_it() -> None:
    env_id = "rl_compiler/llvm-autophase-ic-v0"
    shared, sync = _make(env_id, None, 4, workers=1), _make(env_id, "sync", 4)
    victims = []

    def kill_then(step, stop_first: bool):
        def stepped(action):
            os.kill(victims[-1], signal.SIGKILL)
            return step(action)

        victims.append(shared.envs[0].unwrapped.session.pid)
        if stop_first:  # the four steps are sent to a stopped worker: all four in flight, unanswered, when it dies
            os.kill(victims[-1], signal.SIGSTOP)
        return stepped

    try:
        expected = _trajectory(sync, 9, seed=8)
        rng = np.random.default_rng(8)
        assert _same(shared.reset(seed=8), expected[0])
        for k in range(1, 10):
            actions = rng.integers(shared.single_action_space.n, size=4)
            # Step 3: killed before env 0 reads its reply; step 7 (an episode later): after it did, with envs
            # 1-3's steps queued or answered (their loss is then met at their next call).
            killer = {3: (0, True), 7: (1, False)}.get(k)
            if killer is not None:
                index, stop_first = killer
                shared.envs[index].step = kill_then(shared.envs[index].step, stop_first)
            got = shared.step(actions)
            if killer is not None:
                del shared.envs[killer[0]].step
                assert wait_dead(victims[-1])
            if k == 3:
                assert all(c is not None and "the worker" in c for c in got[4]["recovered_crash"])
            assert _same(got[:4], expected[k][:4])
        pids = {env.unwrapped.session.pid for env in shared.envs}
        assert len(pids) == 1 and not pids & set(victims)
        assert all(env.unwrapped.session.recoveries == 1 for env in shared.envs)  # step 7's loss, met by step 8
        for mine, theirs in zip(shared.envs, sync.envs, strict=True):
            assert mine.unwrapped.session.history == theirs.unwrapped.session.history
            assert mine.unwrapped.session.ir_sha1() == theirs.unwrapped.session.ir_sha1()
    finally:
        shared.close()
        sync.close()
    assert wait_dead(pids.pop()) and not set(children()) & set(victims)


def test_close_leaves_no_worker_or_file_descriptor() -> None:
    fds = set(os.listdir("/proc/self/fd"))
    envs = _make("rl_compiler/llvm-autophase-ic-v0", None, 4, workers=2)
    _trajectory(envs, 6, seed=0)
    pids = {env.unwrapped.session.pid for env in envs.envs}
    assert len(pids) == 2 and pids <= set(children())
    envs.close()
    assert all(wait_dead(pid) for pid in pids) and not set(children()) & pids
    assert set(os.listdir("/proc/self/fd")) <= fds  # pipes and the workers' unlinked stderr files closed


def test_workers_argument_and_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert vector.resolve_workers(4, 2) == 2 and vector.resolve_workers(2, 8) == 2
    for cpus, envs, expected in ((1, 8, 1), (2, 8, 1), (4, 8, 3), (4, 2, 2), (16, 4, 4)):
        monkeypatch.setattr(vector.os, "sched_getaffinity", lambda _pid, n=cpus: set(range(n)))
        assert vector.default_workers(envs) == expected, (cpus, envs)
    monkeypatch.undo()
    monkeypatch.setenv(vector.WORKERS_ENV, "3")
    assert vector.resolve_workers(4, None) == 3 and vector.resolve_workers(4, 1) == 1
    monkeypatch.setenv(vector.WORKERS_ENV, "many")
    with pytest.raises(ValueError, match="RL_COMPILER_VECTOR_WORKERS must be a whole number"):
        vector.resolve_workers(4, None)
    monkeypatch.delenv(vector.WORKERS_ENV)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="workers must be a whole number of at least 1"):
            _make("rl_compiler/llvm-autophase-ic-v0", None, 2, workers=bad)
    envs = _make("rl_compiler/llvm-autophase-ic-v0", None, 2, isolated=False, workers=1)
    assert envs.workers == []  # in-process envs have no worker
    envs.close()


def test_a_lone_env_is_stepped_whole(sends: list[bool]) -> None:
    envs = _make("rl_compiler/llvm-autophase-ic-v0", None, 1)
    try:
        _trajectory(envs, 5, seed=0)
        assert sends == []  # nothing to overlap its step with: not sent ahead
    finally:
        envs.close()


def test_every_sent_step_is_undone_when_one_undo_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    envs = _make("rl_compiler/llvm-autophase-ic-v0", None, 3, workers=1)
    try:
        envs.reset(seed=0)
        first = envs.envs[0].unwrapped.session
        monkeypatch.setattr(envs.envs[0], "step", lambda action: (_ for _ in ()).throw(RuntimeError("boom")))
        monkeypatch.setattr(first, "step_discard", lambda: (_ for _ in ()).throw(KeyboardInterrupt))
        with pytest.raises(KeyboardInterrupt):  # a second Ctrl-C while the first exception's undo runs
            envs.step(np.array([1, 2, 3]))
        monkeypatch.undo()
        assert [env.unwrapped.session._sent is None for env in envs.envs] == [False, True, True]
        first.step_discard()
        names = envs.envs[0].unwrapped.action_names
        envs.step(np.array([4, 5, 6]))
        assert [env.unwrapped.session.history for env in envs.envs] == [[names[4]], [names[5]], [names[6]]]
    finally:
        envs.close()
