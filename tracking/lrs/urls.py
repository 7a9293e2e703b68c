from django.urls import re_path

from tracking.lrs import apis

# xAPI resources have no trailing slash; one is tolerated.
urlpatterns = [
    re_path(r"^about/?$", apis.AboutApi.as_view(), name="xapi-about"),
    re_path(r"^statements/?$", apis.StatementsApi.as_view(), name="xapi-statements"),
    re_path(r"^activities/state/?$", apis.StateApi.as_view(), name="xapi-state"),
    re_path(
        r"^activities/profile/?$", apis.ActivityProfileApi.as_view(), name="xapi-activity-profile"
    ),
    re_path(r"^activities/?$", apis.ActivitiesApi.as_view(), name="xapi-activities"),
    re_path(r"^agents/profile/?$", apis.AgentProfileApi.as_view(), name="xapi-agent-profile"),
    re_path(r"^agents/?$", apis.AgentsApi.as_view(), name="xapi-agents"),
]
