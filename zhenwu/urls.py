"""Top-level URLs: pages per app, the API under /api/, and Django's admin for the administrator."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from zhenwu.api import api
from zhenwu.core import views as core_views
from zhenwu.org import views as org_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", core_views.login_view, name="login"),
    path("logout/", core_views.logout_view, name="logout"),
    path("password/", core_views.password_change_view, name="password_change"),
    # Django's set_language (POST, CSRF): switches the interface between 中文 and English.
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin signs in through our login page, so lockout and auditing apply there too; a
    # signed-in account that is no administrator is told why instead (org.views).
    path("admin/login/", org_views.admin_login_view),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("zhenwu.core.urls")),
    path("", include("zhenwu.org.urls")),
    path("", include("zhenwu.ledger.urls")),
    path("", include("zhenwu.suggestions.urls")),
    path("", include("zhenwu.evaluation.urls")),
    path("", include("zhenwu.bulletins.urls")),
]

if settings.ZHENWU_BENCH:

    def hello(request: HttpRequest) -> HttpResponse:
        """The bench's yardstick: the same server, no database, no template."""
        return HttpResponse("hello")

    urlpatterns.append(path("bench/hello", hello))
