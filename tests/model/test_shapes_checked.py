"""The jaxtyping shape annotations in `model/` are checked at run time in these tests.

tests/model/conftest.py (with pyproject.toml's `--jaxtyping-packages`) wraps every function in `model`
in `jaxtyping.jaxtyped(typechecker=beartype)` and switches the checks on for tests/model only. These
tests fail if that set-up stops working: a wrongly shaped array must be rejected, not computed with.
"""

from __future__ import annotations

import jax.numpy as jnp
import jaxtyping
import pytest

from model import kernels, layers


def test_checks_are_on_in_model_tests():
    assert not jaxtyping.config.jaxtyping_disable
    # The import hook wrapped the function (jaxtyped keeps the original as `__wrapped__`).
    assert hasattr(layers.pool, "__wrapped__")


def test_wrong_rank_is_rejected():
    # `pool` takes `Float[Array, "B S C"]`; a rank-2 array must fail the check, before the reshape.
    with pytest.raises(jaxtyping.TypeCheckError, match="pool"):
        layers.pool(jnp.zeros((8, 4), jnp.float32), 2)


def test_wrong_dtype_is_rejected():
    with pytest.raises(jaxtyping.TypeCheckError):
        layers.pool(jnp.zeros((1, 8, 4), jnp.int32), 2)


def test_inconsistent_axes_across_arguments_are_rejected():
    # `pointwise(x: "N I", w: "I O")`: the shared axis I must agree between the arguments.
    x = jnp.zeros((3, 5), jnp.float32)
    with pytest.raises(jaxtyping.TypeCheckError, match="pointwise"):
        kernels.pointwise(x, jnp.zeros((4, 2), jnp.float32))
    assert kernels.pointwise(x, jnp.zeros((5, 2), jnp.float32)).shape == (3, 2)


def test_checks_switch_off_outside_model_tests():
    # What the Django, gRPC and integration tests get (conftest switches the checks off for them).
    jaxtyping.config.update("jaxtyping_disable", True)
    try:
        with pytest.raises(ValueError, match="not enough values"):  # unchecked: fails in the body instead
            layers.pool(jnp.zeros((8, 4), jnp.float32), 2)
    finally:
        jaxtyping.config.update("jaxtyping_disable", False)
