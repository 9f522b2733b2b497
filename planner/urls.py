from django.urls import path

from planner import views

app_name = "planner"
urlpatterns = [
    path("", views.home, name="home"),
    path("save/", views.save, name="save"),
    path("currency/", views.set_currency, name="currency"),
    path("p/<str:token>/", views.saved, name="saved"),
    path("p/<str:token>/calendar.ics", views.saved_calendar, name="saved-calendar"),
    path("calendar/", views.calendar, name="calendar"),
]
