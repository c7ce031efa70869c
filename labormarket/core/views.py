from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from labormarket.accounts.context_processors import navigation_for


def home(request: HttpRequest) -> HttpResponse:
    """The public home page; a signed-in user also sees the workspaces their roles open."""
    return render(request, "home.html", {"workspaces": navigation_for(request.user)})
