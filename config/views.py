"""The site's own error pages: in its layout and the reader's language, never
Django's English defaults, and each says what the reader can do next."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from planner.engine.bounds import size_text


def _render(request: HttpRequest | None, template: str, status: int, **context) -> HttpResponse:
    # No request for a 500: the context processors would touch the database, which
    # may be what failed.
    body = loader.get_template(template).render(context, request)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = ""
    if isinstance(exception, RequestDataTooBig):
        reason = _(
            "What was sent is larger than the limit of %(limit)s (setting MAX_REQUEST_BYTES)."
        ) % {"limit": size_text(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
    elif isinstance(exception, TooManyFieldsSent):
        reason = _("What was sent has more than %(limit)s fields.") % {
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
    # The request's body is what is wrong: render without reading it again.
    return _render(None, "400.html", 400, reason=reason)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "403.html", 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _render(request, "403.html", 403, csrf=True)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _render(None, "500.html", 500)
