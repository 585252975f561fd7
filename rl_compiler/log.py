"""Logging set-up: the library logs through :mod:`logging` under the ``rl_compiler`` logger; the CLI and
training runs decide where those records go.

The library never configures handlers on import (a research script keeps control: ``logging.basicConfig``
or nothing). :func:`configure_console` is what ``rl-compiler -v/-q`` calls; :func:`run_log` adds a log file
to a run directory for the duration of a training run.

Verbosity levels: ``-q`` shows errors only (no progress bars either), the default shows what a command
reports (INFO), ``-v`` adds the library's DEBUG records.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

#: The package's root logger; every module logs to ``logging.getLogger(__name__)`` below it.
ROOT = "rl_compiler"
#: Name of the log file in a run directory.
RUN_LOG = "train.log"
FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _ConsoleHandler(logging.Handler):
    """INFO and below to standard output as plain text (a command's report); WARNING and above to standard
    error, prefixed with their level.

    The streams are looked up at every record, so a replaced ``sys.stdout`` (pytest's capture, a notebook)
    receives the output.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
            if record.levelno >= logging.WARNING:
                stream = sys.stderr
                message = f"{record.levelname.lower()}: {message}"
            else:
                stream = sys.stdout
            stream.write(message + "\n")
            stream.flush()
        except Exception:  # logging must never raise into the program
            self.handleError(record)


def level_of(verbosity: int) -> int:
    """The logging level for a verbosity count: -1 (``-q``) ERROR, 0 INFO, 1 or more (``-v``) DEBUG."""
    if verbosity < 0:
        return logging.ERROR
    return logging.DEBUG if verbosity > 0 else logging.INFO


def configure_console(verbosity: int = 0) -> logging.Logger:
    """Send the package's records to the console at the level :func:`level_of` ``verbosity`` gives.

    Idempotent: a second call replaces the handler the first one installed. Python warnings are routed
    through logging too, so ``-q`` silences them.
    """
    logger = logging.getLogger(ROOT)
    for handler in list(logger.handlers):
        if isinstance(handler, _ConsoleHandler):
            logger.removeHandler(handler)
    handler = _ConsoleHandler(level_of(verbosity))
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)  # handlers filter: a run's log file keeps DEBUG even under -q
    logger.propagate = False
    logging.captureWarnings(True)
    warnings_logger = logging.getLogger("py.warnings")
    warnings_logger.handlers = [handler]
    warnings_logger.propagate = False
    return logger


def quiet() -> bool:
    """Whether the console shows errors only (``-q``): progress bars stay hidden then."""
    logger = logging.getLogger(ROOT)
    levels = [h.level for h in logger.handlers if isinstance(h, _ConsoleHandler)]
    return bool(levels) and min(levels) > logging.WARNING


@contextlib.contextmanager
def run_log(run_dir: str | Path, level: int = logging.DEBUG) -> Iterator[Path]:
    """Append the package's records (DEBUG and up by default) to ``run_dir/train.log`` while the block runs.

    Only records of the calling thread go there: Optuna's parallel trials (``--n-jobs``) each keep their own
    log.
    """
    path = Path(run_dir) / RUN_LOG
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(FILE_FORMAT))
    thread = threading.get_ident()
    handler.addFilter(lambda record: record.thread == thread)
    logger = logging.getLogger(ROOT)
    previous = logger.level
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    logger.addHandler(handler)
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
        handler.close()
