from .views import accounts, attempts, dashboard, practice

app_name = "quizzes"

urlpatterns = [
    *accounts.urlpatterns,
    *dashboard.urlpatterns,
    *attempts.urlpatterns,
    *practice.urlpatterns,
]
