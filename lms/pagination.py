"""Pagination for every list endpoint. Its own module: DRF imports it while loading its generic
views, so it must not import them back."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
