"""Page numbers read as every number is (`predictions.inputs.numbers`): ASCII digits only."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from predictions.inputs.numbers import number_problem, whole_number


class StrictPageNumberPagination(PageNumberPagination):
    """`?page=` as 1 to 18 ASCII digits (or `last`); Django's paginator alone reads "٣" as 3."""

    def get_page_number(self, request: Request, paginator: Paginator) -> Any:
        page = super().get_page_number(request, paginator)
        if page in self.last_page_strings or isinstance(page, int):
            return page
        if whole_number(str(page)) is None:
            raise NotFound(f"Invalid page: {number_problem(str(page), 'page')}.")
        return page
