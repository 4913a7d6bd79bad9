"""Rubberduck key-variable tracer: a pytest plugin (`python3 -m pytest -p rd_vars`).

Runs ONE test (the others are deselected) and records, at each executed line of the target
functions, the repr() of their local variables (before the line runs), plus the locals and the
return value when a target function returns, and the exception the test ended with.

Environment:
  RD_VARS_OUT      output JSON file
  RD_VARS_ROOT     project root (target files are relative to it)
  RD_VARS_TEST     pytest node id of the test to run
  RD_VARS_TESTS    instead: a JSON list of node ids (e.g. the passing tests, traced together)
  RD_VARS_TARGETS  JSON list of {"file", "name", "startLine", "endLine"}
  RD_VARS_HEAD / RD_VARS_TAIL  steps kept from the start / the end (default 150 / 50)
  RD_VARS_WIDTH    characters per value (default 80)
"""
import collections
import json
import os
import reprlib
import signal
import sys
import types

_OUT = os.environ.get("RD_VARS_OUT")
_ROOT = os.path.realpath(os.environ.get("RD_VARS_ROOT") or os.getcwd())
_TEST = os.environ.get("RD_VARS_TEST", "")
_TESTS = json.loads(os.environ.get("RD_VARS_TESTS") or "[]")
_FIELDS = 10  # self.<attr> values recorded per step (the repair templates read their types)
_TARGETS = json.loads(os.environ.get("RD_VARS_TARGETS") or "[]")
_HEAD = int(os.environ.get("RD_VARS_HEAD") or 150)
_TAIL = int(os.environ.get("RD_VARS_TAIL") or 50)
_WIDTH = int(os.environ.get("RD_VARS_WIDTH") or 80)

_by_file = collections.defaultdict(list)
for _t in _TARGETS:
    _by_file[os.path.realpath(os.path.join(_ROOT, _t["file"]))].append(_t)

_repr = reprlib.Repr()
_repr.maxlevel = 3
_repr.maxlist = _repr.maxtuple = _repr.maxset = _repr.maxfrozenset = _repr.maxdeque = 12
_repr.maxdict = 8
_repr.maxstring = _WIDTH
_repr.maxother = _WIDTH
_repr.maxlong = 40

_head = []
_tail = collections.deque(maxlen=_TAIL)
_total = 0
_outcome = None
_matched = False
_code_cache = {}
_SKIP_TYPES = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)


def _short(v):
    try:
        s = _repr.repr(v)
    except Exception as e:  # a broken __repr__ must not break the test
        s = "<repr failed: %s>" % type(e).__name__
    return s if len(s) <= _WIDTH else s[: _WIDTH - 1] + "…"


def _target_of(code):
    try:
        return _code_cache[code]
    except KeyError:
        pass
    hit = None
    fn = code.co_filename
    if fn and not fn.startswith("<"):
        real = os.path.realpath(fn)
        for t in _by_file.get(real, ()):
            if t["startLine"] <= code.co_firstlineno <= t["endLine"]:
                rel = os.path.relpath(real, _ROOT).replace(os.sep, "/")
                name = getattr(code, "co_qualname", code.co_name)
                hit = (rel, t["name"] if code.co_name == t["name"].split(".")[-1] else name)
                break
    _code_cache[code] = hit
    return hit


def _fields(obj, out):
    try:
        attrs = vars(obj)
    except TypeError:
        return
    n = 0
    for k, v in attrs.items():
        if n >= _FIELDS or k.startswith("__") or isinstance(v, _SKIP_TYPES):
            continue
        out["self." + k] = _short(v)
        n += 1


def _locals(frame, extra=None):
    out = {}
    for k, v in frame.f_locals.items():
        if k.startswith("__") or isinstance(v, _SKIP_TYPES):
            continue
        out[k] = _short(v)
    # Fields last, so the explanation's first values stay the function's own.
    if "self" in frame.f_locals:
        _fields(frame.f_locals["self"], out)
    if extra:
        out.update(extra)
    return out


def _step(frame, target, extra=None):
    global _total
    _total += 1
    step = {"file": target[0], "line": frame.f_lineno, "function": target[1], "locals": _locals(frame, extra)}
    if len(_head) < _HEAD:
        _head.append(step)
    else:
        _tail.append(step)


def _local_tracer(target):
    def tracer(frame, event, arg):
        if event == "line":
            _step(frame, target)
        elif event == "return":
            _step(frame, target, {"<return>": _short(arg)})
        elif event == "exception":
            _step(frame, target, {"<exception>": _short(arg[1])})
        return tracer
    return tracer


def _global_tracer(frame, event, arg):
    if event != "call":
        return None
    target = _target_of(frame.f_code)
    if target is None:
        return None
    return _local_tracer(target)


def _dump():
    if not _OUT:
        return
    steps = _head + list(_tail)
    data = {"test": _TEST, "matched": _matched, "steps": steps,
            "truncated": _total > len(steps), "outcome": _outcome}
    tmp = _OUT + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(tmp, _OUT)


def _on_term(signum, frame):
    global _outcome
    sys.settrace(None)
    if _outcome is None:
        _outcome = "Timeout: the test was stopped (killed while running)"
    try:
        _dump()
    finally:
        os._exit(128 + signum)


import pytest  # noqa: E402


def pytest_configure(config):
    try:
        signal.signal(signal.SIGTERM, _on_term)
    except (ValueError, OSError):
        pass


def _matches_one(nodeid, test):
    return nodeid == test or nodeid.endswith("/" + test) or test.endswith("/" + nodeid)


def _matches(nodeid):
    if _TESTS:
        return any(_matches_one(nodeid, t) for t in _TESTS)
    if not _TEST:
        return True
    return _matches_one(nodeid, _TEST)


def pytest_collection_modifyitems(session, config, items):
    global _matched
    keep = [i for i in items if _matches(i.nodeid)]
    if not keep and _TEST and not _TESTS:
        # Parametrized ids or ids given as file::name: fall back to a prefix match.
        keep = [i for i in items if i.nodeid.startswith(_TEST.split("[")[0])]
    if keep:
        _matched = True
        deselected = [i for i in items if i not in keep]
        items[:] = keep
        if deselected:
            config.hook.pytest_deselected(items=deselected)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    sys.settrace(_global_tracer)
    try:
        yield
    finally:
        sys.settrace(None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    global _outcome
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and _outcome is None and call.excinfo is not None:
        try:
            text = call.excinfo.exconly()
        except Exception:
            text = repr(call.excinfo.value)
        _outcome = text if len(text) <= 2000 else text[:2000] + "…"


def pytest_sessionfinish(session, exitstatus):
    _dump()
