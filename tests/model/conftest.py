"""Run-time checks of the jaxtyping shape annotations in `model/`, for the tests under tests/model only.

How it is switched on:

* pyproject.toml's pytest `addopts` passes `--jaxtyping-packages=model,<typechecker>` to jaxtyping's
  pytest plugin, which installs jaxtyping's import hook before any conftest or test module is imported.
  That must happen that early: in a whole-suite run (`pytest tests`) tests/grpc and tests/predictions
  import `model` during collection, long before this file would be loaded, and the hook only
  instruments modules imported after it is installed. Every function (and dataclass `__init__`) in
  `model` is then wrapped in `jaxtyping.jaxtyped(typechecker=typechecker)` below (beartype).
* `<typechecker>` is `importlib.import_module("tests.model.conftest").typechecker`: importing this
  module switches the checks OFF process-wide (`jaxtyping_disable`), so the Django, gRPC and
  integration tests run `model` code unchecked (a disabled wrapper only reads one flag, then calls the
  function).
* `pytest_runtest_protocol` below (a conftest hook, so pytest only calls it for items under
  tests/model) switches them ON for the setup, call and teardown of each model test.

tests/model/test_shapes_checked.py fails if the checks are not really running. To run without them (e.g.
to time the overhead), pass an empty `--jaxtyping-packages=`: the hook is then not installed.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import beartype
import jaxtyping
import pytest

jaxtyping.config.update("jaxtyping_disable", True)


def typechecker(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The checker jaxtyping's import hook applies to every function in `model` (see the docstring above)."""
    return beartype.beartype(fn)


def checks_enabled() -> bool:
    return not jaxtyping.config.jaxtyping_disable


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    jaxtyping.config.update("jaxtyping_disable", False)
    try:
        return (yield)
    finally:
        jaxtyping.config.update("jaxtyping_disable", True)
