"""Logging: -q shows errors only, the default shows INFO on stdout, a run's log file keeps DEBUG."""

from __future__ import annotations

import logging
import threading

from rl_compiler.log import configure_console, quiet, run_log


def _emit(logger):
    logger.debug("debug record")
    logger.info("info record")
    logger.warning("warning record")
    logger.error("error record")


def test_console_levels(capsys):
    logger = logging.getLogger("rl_compiler.tests")
    try:
        configure_console(-1)
        assert quiet()
        _emit(logger)
        out, err = capsys.readouterr()
        assert out == "" and err == "error: error record\n"
        configure_console(0)
        _emit(logger)
        out, err = capsys.readouterr()
        assert out == "info record\n" and "warning: warning record" in err and "debug" not in out + err
        configure_console(1)
        _emit(logger)
        assert "debug record" in capsys.readouterr().out
    finally:
        configure_console(0)


def test_run_log_keeps_debug_even_when_quiet_and_only_its_thread(tmp_path, capsys):
    logger = logging.getLogger("rl_compiler.tests")
    configure_console(-1)
    try:
        with run_log(tmp_path) as path:
            _emit(logger)
            other = threading.Thread(target=logger.info, args=("from another thread",))
            other.start()
            other.join()
        logger.info("after the run")
        text = path.read_text()
        assert "DEBUG rl_compiler.tests: debug record" in text and "error record" in text
        assert "another thread" not in text and "after the run" not in text
        assert capsys.readouterr().out == ""
    finally:
        configure_console(0)
