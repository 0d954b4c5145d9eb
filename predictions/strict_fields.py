"""Whole-number and name fields for the start form and the REST API that read numbers one way
(`predictions.inputs.numbers`: ASCII digits only, at most 18) and never look up text a column
could not hold.

Django's and DRF's own integer fields call `int()`, which also reads "٥٠" (Arabic-Indic) or "５０"
(full-width) as 50; these refuse them, naming the field's rule.
"""

from __future__ import annotations

from typing import Any

from django import forms
from rest_framework import serializers

from predictions.inputs.numbers import MAX_DIGITS, whole_number

NOT_A_WHOLE_NUMBER = f"not a whole number of at most {MAX_DIGITS} ASCII digits"


def strict_whole_number(value: Any) -> int | None:
    """`value` as an int when it is an int (not a bool) or 1 to 18 ASCII digits (an optional
    leading '-'), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    negative = text.startswith("-")
    number = whole_number(text[1:] if negative else text)
    if number is None:
        return None
    return -number if negative else number


class StrictIntegerFormField(forms.IntegerField):
    """A form IntegerField that reads only ASCII digits (see the module docstring)."""

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        number = strict_whole_number(value if isinstance(value, int) else str(value))
        if number is None:
            raise forms.ValidationError(f"{_shown(value)} is {NOT_A_WHOLE_NUMBER}", code="invalid")
        return number


class StrictIntegerSerializerField(serializers.IntegerField):
    """A DRF IntegerField that reads only ints and ASCII digits (no floats, no other scripts)."""

    def to_internal_value(self, data: Any) -> int:
        number = strict_whole_number(data)
        if number is None:
            raise serializers.ValidationError(f"{_shown(data)} is {NOT_A_WHOLE_NUMBER}", code="invalid")
        return number


class NamedSlugRelatedField(serializers.SlugRelatedField):  # type: ignore[type-arg]
    """A SlugRelatedField that refuses text its column cannot hold (NUL, or longer than
    `max_length`) before the lookup: Postgres answers such a query with a DataError (a 500)."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            if "\x00" in data:
                raise serializers.ValidationError("Null characters are not allowed.", code="null_characters")
            if len(data) > self.max_length:
                raise serializers.ValidationError(
                    f"is {len(data):,} characters; names are at most {self.max_length}", code="max_length"
                )
        return super().to_internal_value(data)


class BoundedListField(serializers.ListField):  # type: ignore[type-arg]
    """A ListField that refuses a list longer than `max_length` before validating its items: DRF
    validates every item first, so 600,000 bad ontology terms took 25 s and a 36 MB answer."""

    def to_internal_value(self, data: Any) -> Any:
        if self.max_length is not None and isinstance(data, list | tuple) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


def _shown(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:39] + "…")
