from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    path("countries/", views.country_index, name="countries"),
    path("countries/<str:code>/", views.country, name="country"),
    path("plans/<slug:slug>/", views.plan, name="plan"),
]
