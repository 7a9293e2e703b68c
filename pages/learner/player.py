# TEMPORARY: replaced by the lesson player page.
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def lesson(request: HttpRequest, lesson_id: UUID) -> HttpResponse:
    return render(request, "pages/home.html", {})
