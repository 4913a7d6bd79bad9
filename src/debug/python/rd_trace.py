"""Rubberduck per-test line coverage: a pytest plugin (`python3 -m pytest -p rd_trace`).

Environment:
  RD_TRACE_OUT   JSON-lines output file (appended to; one record per test, plus partial records)
  RD_TRACE_ROOT  project root; only .py files under it (minus tests, conftest, virtualenvs) count
  RD_TRACE_TEST_TIMEOUT  optional per-test limit in seconds: a test running longer fails (SIGALRM,
                 like pytest-timeout's signal method) and the session goes on with the next test

Each record: {"id": nodeid, "outcome": "passed"|"failed"|"skipped", "partial": bool,
              "lines": {"rel/path.py": [1, 2, ...]}}
A test's final record has partial=false. While a test runs, the tracer flushes a partial record
every so often (and on SIGTERM), so a test that hangs and gets killed still leaves its lines;
the reader treats a test with only partial records as failed.
Standard library only; Python 3.8+ (sys.monitoring on 3.12+, sys.settrace before).
"""
import json
import os
import signal
import sys
import threading
import time

_OUT = os.environ.get("RD_TRACE_OUT")
_ROOT = os.path.realpath(os.environ.get("RD_TRACE_ROOT") or os.getcwd())
_SKIP_DIRS = {"tests", "test", "__tests__", "site-packages", "dist-packages", ".venv", "venv",
              ".tox", ".nox", "node_modules", ".git", "__pycache__", ".eggs", "build"}
_FLUSH_EVERY_S = 0.25
try:
    _TEST_TIMEOUT = float(os.environ.get("RD_TRACE_TEST_TIMEOUT") or 0)
except ValueError:
    _TEST_TIMEOUT = 0.0

_file_cache = {}          # co_filename -> relative path or None
_current = None           # dict: id, lines {rel: set}, dirty, last_flush, outcome
_lock = threading.Lock()


def _rel(filename):
    try:
        return _file_cache[filename]
    except KeyError:
        pass
    rel = None
    if filename and not filename.startswith("<") and filename.endswith(".py"):
        real = os.path.realpath(filename)
        if real == _ROOT or real.startswith(_ROOT + os.sep):
            r = os.path.relpath(real, _ROOT).replace(os.sep, "/")
            parts = r.split("/")
            base = parts[-1]
            if not (set(parts[:-1]) & _SKIP_DIRS) and not base.startswith("test_") \
                    and not base.endswith("_test.py") and base != "conftest.py" and base != "rd_trace.py":
                rel = r
    _file_cache[filename] = rel
    return rel


def _write(record):
    if not _OUT:
        return
    data = json.dumps(record) + "\n"
    # O_APPEND + one write: records from xdist workers do not interleave.
    fd = os.open(_OUT, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data.encode("utf-8"))
    finally:
        os.close(fd)


def _record(cur, partial):
    return {"id": cur["id"], "outcome": cur["outcome"], "partial": partial,
            "lines": {f: sorted(ls) for f, ls in cur["lines"].items()}}


def _maybe_flush():
    cur = _current
    if cur is None or not cur["dirty"]:
        return
    now = time.monotonic()
    if now - cur["last_flush"] < _FLUSH_EVERY_S:
        return
    with _lock:
        cur["dirty"] = False
        cur["last_flush"] = now
        try:
            _write(_record(cur, True))
        except Exception:
            pass


def _add(rel, line):
    cur = _current
    if cur is None:
        return
    s = cur["lines"].get(rel)
    if s is None:
        s = cur["lines"][rel] = set()
    if line not in s:
        s.add(line)
        cur["dirty"] = True


# ---------------------------------------------------------------- sys.settrace (Python < 3.12)
_events = 0


def _local(frame, event, arg):
    global _events
    if event == "line":
        rel = _rel(frame.f_code.co_filename)
        if rel is not None:
            _add(rel, frame.f_lineno)
    _events += 1
    if _events >= 2000:
        _events = 0
        _maybe_flush()
    return _local


def _global(frame, event, arg):
    global _events
    _events += 1
    if _events >= 2000:
        _events = 0
        _maybe_flush()
    if _rel(frame.f_code.co_filename) is None:
        return None
    return _local


# ---------------------------------------------------------------- sys.monitoring (3.12+)
_mon = None if os.environ.get("RD_TRACE_NO_MONITORING") else getattr(sys, "monitoring", None)
_TOOL = None


def _mon_line(code, line):
    rel = _rel(code.co_filename)
    if rel is None:
        return _mon.DISABLE
    _add(rel, line)
    return _mon.DISABLE  # once per test and location; restart_events() re-arms for the next test


def _start():
    global _TOOL, _mon
    if _mon is not None:
        if _TOOL is None:
            for tid in (3, 4, 5):  # free tool ids (0-2 and 5 are conventional; try a few)
                try:
                    _mon.use_tool_id(tid, "rubberduck")
                    _TOOL = tid
                    break
                except ValueError:
                    continue
            if _TOOL is None:
                _mon = None  # no free tool id: fall back to sys.settrace
        if _TOOL is not None:
            try:
                _mon.register_callback(_TOOL, _mon.events.LINE, _mon_line)
                _mon.restart_events()
                _mon.set_events(_TOOL, _mon.events.LINE)
                return
            except Exception:
                try:
                    _mon.set_events(_TOOL, 0)
                    _mon.free_tool_id(_TOOL)
                except Exception:
                    pass
                _TOOL = None
                _mon = None  # fall back to sys.settrace for the rest of the session
    threading.settrace(_global)
    sys.settrace(_global)


def _stop():
    if _mon is not None and _TOOL is not None:
        _mon.set_events(_TOOL, 0)
        return
    sys.settrace(None)
    threading.settrace(None)


def _flusher():
    # Background flush for the sys.monitoring path (no per-event hook to piggyback on) and for
    # tests blocked in C code.
    while True:
        time.sleep(_FLUSH_EVERY_S)
        try:
            _maybe_flush()
        except Exception:
            pass


def _on_term(signum, frame):
    cur = _current
    if cur is not None:
        cur["outcome"] = "failed"
        try:
            _write(_record(cur, True))
        except Exception:
            pass
    os._exit(128 + signum)


# ---------------------------------------------------------------- pytest hooks
import pytest  # noqa: E402


def pytest_configure(config):
    if _OUT:
        for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if sig is not None:
                try:
                    signal.signal(sig, _on_term)
                except (ValueError, OSError):
                    pass
        t = threading.Thread(target=_flusher, name="rd_trace_flush", daemon=True)
        t.start()


def _on_alarm(signum, frame):
    pytest.fail("rd_trace: test timed out after %gs" % _TEST_TIMEOUT, pytrace=False)


def _arm(seconds):
    if _TEST_TIMEOUT <= 0 or not hasattr(signal, "setitimer") \
            or threading.current_thread() is not threading.main_thread():
        return False
    try:
        if seconds > 0:
            signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        return True
    except (ValueError, OSError):
        return False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    _arm(_TEST_TIMEOUT)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    _arm(0)
    _arm(_TEST_TIMEOUT)
    try:
        yield
    finally:
        _arm(0)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    yield
    # the call is over; teardown gets its own budget
    _arm(0)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    global _current
    _current = {"id": item.nodeid, "lines": {}, "dirty": False,
                "last_flush": time.monotonic(), "outcome": "failed"}
    _started = False
    try:
        _start()
        _started = True
    except Exception:
        pass
    try:
        yield
    finally:
        if _started:
            _stop()
        cur = _current
        _current = None
        with _lock:
            try:
                _write(_record(cur, False))
            except Exception:
                pass


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    cur = _current
    if cur is None or cur["id"] != item.nodeid:
        return
    if rep.when == "setup":
        cur["outcome"] = "skipped" if rep.skipped else ("failed" if rep.failed else "passed")
    elif rep.failed:
        cur["outcome"] = "failed"
    elif rep.when == "call" and rep.skipped and cur["outcome"] == "passed":
        cur["outcome"] = "skipped"  # skip() in the body, or xfail
