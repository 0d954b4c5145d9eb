"""`list_api_keys` and `revoke_api_key`: the operator's side of gRPC/REST keys."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from predictions.models import ApiKey


@pytest.mark.django_db
def test_list_then_revoke_by_prefix(owner):
    key, raw = ApiKey.issue(owner, "notebook")
    listing = io.StringIO()
    call_command("list_api_keys", stdout=listing)
    assert key.prefix in listing.getvalue() and raw not in listing.getvalue()
    call_command("revoke_api_key", key.prefix, stdout=io.StringIO())
    key.refresh_from_db()
    assert key.revoked is not None
    assert ApiKey.objects.authenticate(raw) is None
    with pytest.raises(CommandError, match="no active key"):
        call_command("revoke_api_key", key.prefix, stdout=io.StringIO())
