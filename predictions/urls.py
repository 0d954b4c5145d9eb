from django.urls import path

from predictions.views import pages

urlpatterns = [
    path("", pages.home, name="home"),
]
