from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path

from predictions.rate_limits import login_rate_limited
from predictions.views.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Both login forms count attempts (GENOMEAPP_LOGIN_RATE_LIMIT_PER_MINUTE); these come first.
    path("admin/login/", login_rate_limited(admin.site.login)),
    path("accounts/login/", login_rate_limited(LoginView.as_view()), name="login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("predictions.urls")),
]
