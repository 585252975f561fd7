"""Training curves: Monitor files of several envs merge in wall-clock order; the PNG has the size asked for."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rl_compiler.agents.rl.plots import PlotError, plot_runs, png_size, read_monitors, read_run, smooth


def _monitor(path, t_start, rows):
    lines = ["#" + json.dumps({"t_start": t_start, "env_id": "x"}), "r,l,t"]
    lines += [",".join(str(value) for value in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")


def _run(tmp_path, name="run"):
    run = tmp_path / name
    run.mkdir()
    _monitor(run / "0.monitor.csv", 100.0, [(0.5, 4, 1.0), (0.7, 4, 3.0)])
    _monitor(run / "1.monitor.csv", 100.5, [(0.6, 4, 1.0)])  # ends at 101.5: between env 0's two episodes
    (run / "evaluations.csv").write_text("timesteps,geomean_ir_instruction_count_oz,seconds\n4,1.01,0.5\n12,1.02,0.5\n")
    return run


def test_monitor_files_merge_by_wall_clock(tmp_path):
    steps, returns = read_monitors(_run(tmp_path))
    assert list(steps) == [4, 8, 12] and list(returns) == [0.5, 0.6, 0.7]
    curves = read_run(tmp_path / "run")
    assert curves.metric == "geomean_ir_instruction_count_oz" and list(curves.eval_scores) == [1.01, 1.02]
    assert list(smooth(np.array([1.0, 3.0, 5.0]), 2)) == [1.0, 2.0, 4.0]


@pytest.mark.parametrize("size, dpi", [((12.0, 4.5), 100), ((6.0, 3.0), 80)])
def test_png_has_the_size_asked_for(tmp_path, size, dpi):
    runs = [_run(tmp_path, "a"), _run(tmp_path, "b")]
    out = plot_runs(runs, tmp_path / "curves.png", size=size, dpi=dpi, labels=["first", "second"])
    assert png_size(out) == (round(size[0] * dpi), round(size[1] * dpi))


def test_nothing_to_plot_is_named(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(PlotError, match="nothing to plot"):
        plot_runs([tmp_path / "empty"], tmp_path / "x.png")
    with pytest.raises(PlotError, match="does not exist"):
        plot_runs([tmp_path / "missing"], tmp_path / "x.png")
    with pytest.raises(PlotError, match=".png"):
        plot_runs([_run(tmp_path)], tmp_path / "x.jpg")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "0.monitor.csv").write_text("r,l,t\n1,2,3\n")
    with pytest.raises(PlotError, match="not a Monitor file"):
        read_run(tmp_path / "bad")
