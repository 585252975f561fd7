from __future__ import annotations

import pytest

from rl_compiler.leaderboard.tasks import TaskError, load_task, task_names


def test_every_shipped_task_loads():
    names = task_names()
    assert {"llvm-ic", "llvm-codesize", "llvm-regalloc", "llvm-inline"} <= set(names)
    for name in names:
        task = load_task(name)
        assert task.name == name and task.repetitions >= 1


def test_unknown_task_suggests_a_close_name():
    with pytest.raises(TaskError, match="Did you mean 'llvm-ic'"):
        load_task("llvm-icc")


def test_task_file_missing_a_field_names_it(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nenv: rl_compiler/llvm-ic-v0\n")
    with pytest.raises(TaskError, match="missing field.*dataset"):
        load_task(str(path))


def test_task_overrides_dataset_and_split():
    task = load_task("llvm-ic").with_overrides(dataset="my/manifest.yaml", split="train", repetitions=1)
    assert (task.dataset, task.split, task.repetitions) == ("my/manifest.yaml", "train", 1)
