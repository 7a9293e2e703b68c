from django.urls import path

from media import apis

urlpatterns = [
    path("uploads/", apis.UploadCollectionApi.as_view(), name="upload-list"),
    path("uploads/<uuid:upload_id>/", apis.UploadDetailApi.as_view(), name="upload-detail"),
    path("videos/", apis.VideoCollectionApi.as_view(), name="video-list"),
    path("videos/<uuid:video_id>/", apis.VideoDetailApi.as_view(), name="video-detail"),
    path(
        "videos/<uuid:video_id>/transcode/",
        apis.VideoTranscodeApi.as_view(),
        name="video-transcode",
    ),
    path(
        "videos/<uuid:video_id>/playback/",
        apis.VideoPlaybackApi.as_view(),
        name="video-playback",
    ),
    path(
        "videos/<uuid:video_id>/captions/",
        apis.VideoCaptionCollectionApi.as_view(),
        name="video-caption-list",
    ),
    path(
        "videos/<uuid:video_id>/captions/<str:language>/",
        apis.VideoCaptionDetailApi.as_view(),
        name="video-caption-detail",
    ),
    path("documents/", apis.DocumentCollectionApi.as_view(), name="document-list"),
    path(
        "documents/<uuid:document_id>/",
        apis.DocumentDetailApi.as_view(),
        name="document-detail",
    ),
    path(
        "documents/<uuid:document_id>/file/",
        apis.DocumentFileApi.as_view(),
        name="document-file",
    ),
]

# The signed playback path: /hls/<user>/<expires>/<signature>/<asset>/<file under the asset>.
playback_urlpatterns = [
    path(
        "<uuid:user_id>/<int:expires>/<str:signature>/<uuid:asset_id>/<path:path>",
        apis.PlaybackFileApi.as_view(),
        name="playback-file",
    ),
]
