# TEMPORARY: replaced by the learner pages (catalogue, course, progress, ledger).
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/home.html", {})


@login_required
def course(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "pages/home.html", {})


@login_required
def progress(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/home.html", {})


@login_required
def lesson_ledger(request: HttpRequest, lesson_id: UUID) -> HttpResponse:
    return render(request, "pages/home.html", {})
