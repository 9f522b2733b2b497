from django.urls import path, re_path

from planner import views

app_name = "planner"
urlpatterns = [
    path("", views.page, name="home"),
    path("plan/", views.plan, name="plan"),
    path("legs/", views.legs, name="legs"),
    path("save/", views.save, name="save"),
    path("currency/", views.set_currency, name="currency"),
    path("p/<str:token>/", views.saved, name="saved"),
    path("p/<str:token>/calendar.ics", views.saved_calendar, name="saved-calendar"),
    path("calendar/", views.calendar, name="calendar"),
    re_path(r"^planning/(?P<token>[0-9a-f]{64})/$", views.planning, name="planning"),
]
