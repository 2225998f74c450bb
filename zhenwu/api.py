"""The one NinjaAPI (/api/, OpenAPI at /api/docs), assembled above the apps.

The core supplies the authentication, the error shapes and the registries; each app
registers its router from its AppConfig.ready(). This module is imported by the URLconf,
after every app is ready, so the registry is complete when the API is built.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import AppRegistryNotReady
from django.utils.module_loading import import_string

from zhenwu.core.api_base import API_OPTIONS, ROUTERS, ZhenwuAPI, api_auth, install_error_handlers

# Built before every app's ready() has run, the API would silently lack endpoints: refuse.
if not apps.ready:
    raise AppRegistryNotReady(
        "zhenwu.api is built from the apps' registrations: import it after django.setup()"
    )

api = ZhenwuAPI(auth=api_auth(), **API_OPTIONS)
install_error_handlers(api)
for prefix, router in ROUTERS:
    api.add_router(prefix, import_string(router) if isinstance(router, str) else router)
