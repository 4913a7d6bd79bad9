"""pytest plugin loaded by rubberduck for its own runs of a project's tests (-p rd_complete).

The user's command may stop at the first failure (-x, --maxfail, --stepwise), from the command
line, from a wrapper script, or from pytest.ini / setup.cfg addopts that rubberduck cannot
rewrite. Every run the debugger compares must be complete, so this plugin turns those options
off after pytest has parsed them, before the session starts.
"""
import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    option = config.option
    if getattr(option, "maxfail", 0):
        option.maxfail = 0
    for name in ("stepwise", "stepwise_skip"):
        if getattr(option, name, False):
            setattr(option, name, False)
