"""Transcoding with real ffmpeg on generated clips; the ladder is checked with ffprobe."""

import json
import subprocess
from pathlib import Path

import pytest
from django.core.files import File

from media.hls import parse_master, parse_media
from media.models import VideoAsset
from media.services import video_asset_transcode
from tests.media.factories import VideoAssetFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("storage")]


def asset_from(clip: Path, **fields) -> VideoAsset:
    with clip.open("rb") as handle:
        return VideoAssetFactory(source=File(handle, name=clip.name), **fields)


def ffprobe(path: Path) -> dict:
    result = subprocess.run(  # noqa: S603
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],  # noqa: S607
        check=True,
        capture_output=True,
    )
    return json.loads(result.stdout)


def ladder_dir(storage: Path, asset: VideoAsset) -> Path:
    return storage / asset.hls_prefix


def test_transcode_makes_a_ladder_up_to_the_source_height_with_audio_only_rendition(clips, storage):
    asset = asset_from(clips.get("landscape.mp4"))

    asset = video_asset_transcode(asset_id=asset.pk)

    assert asset.status == VideoAsset.Status.READY
    assert asset.progress_percent == 100
    assert asset.duration_seconds == 14
    assert (asset.width, asset.height) == (1280, 720)
    assert [r["name"] for r in asset.renditions] == ["720p", "480p", "360p", "audio"]
    master = parse_master((ladder_dir(storage, asset) / "master.m3u8").read_text())
    assert [(v.uri, v.resolution) for v in master] == [
        ("720p/index.m3u8", "1280x720"),
        ("480p/index.m3u8", "854x480"),
        ("360p/index.m3u8", "640x360"),
        ("audio/index.m3u8", ""),
    ]
    assert all(v.bandwidth > 0 for v in master)
    assert [v.codecs.split(",")[0][:4] for v in master[:3]] == ["avc1"] * 3
    assert all(v.codecs.endswith("mp4a.40.2") for v in master)
    assert master[3].codecs == "mp4a.40.2"


def test_transcode_cuts_six_second_segments_with_keyframes_aligned_across_renditions(
    clips, storage
):
    asset = video_asset_transcode(asset_id=asset_from(clips.get("landscape.mp4")).pk)

    folder = ladder_dir(storage, asset)
    for name in ("720p", "480p", "360p", "audio"):
        playlist = parse_media((folder / name / "index.m3u8").read_text())
        assert playlist.ended
        assert playlist.target_duration == 6
        assert [round(s, 1) for s in playlist.segment_seconds] == [6.0, 6.0, 2.0]
        assert playlist.init_uri.startswith("init")
        assert (folder / name / playlist.init_uri).exists()
    keyframes = {}
    for name in ("720p", "480p", "360p"):
        # every segment starts on a keyframe, 6 s apart: probe the segments' first frames
        playlist = parse_media((folder / name / "index.m3u8").read_text())
        init = (folder / name / playlist.init_uri).read_bytes()
        starts = []
        for segment in playlist.segments:
            joined = folder / name / f"joined-{segment}.mp4"
            joined.write_bytes(init + (folder / name / segment).read_bytes())
            frames = subprocess.run(  # noqa: S603
                [  # noqa: S607 - the system's ffprobe
                    "ffprobe",
                    "-v",
                    "error",
                    "-select_streams",
                    "v:0",
                    "-show_frames",
                    "-read_intervals",
                    "%+#1",
                    "-show_entries",
                    "frame=key_frame,pts_time",
                    "-of",
                    "json",
                    str(joined),
                ],
                check=True,
                capture_output=True,
            )
            first = json.loads(frames.stdout)["frames"][0]
            assert first["key_frame"] == 1
            starts.append(round(float(first["pts_time"]), 1))
        keyframes[name] = starts
    # the same instants in every rendition (all shifted alike by the encoder's start offset)
    assert keyframes["720p"] == keyframes["480p"] == keyframes["360p"]
    assert [round(t - keyframes["720p"][0], 1) for t in keyframes["720p"]] == [0.0, 6.0, 12.0]


def test_transcode_segments_are_h264_and_aac_in_fragmented_mp4(clips, storage):
    asset = video_asset_transcode(asset_id=asset_from(clips.get("landscape.mp4")).pk)

    folder = ladder_dir(storage, asset)
    info = ffprobe(folder / "720p" / "index.m3u8")
    codecs = sorted(s["codec_name"] for s in info["streams"])
    assert codecs == ["aac", "h264"]
    assert float(info["format"]["duration"]) == pytest.approx(14, abs=0.2)
    assert (folder / "720p" / "seg_00000.m4s").read_bytes()[4:8] in (b"styp", b"moof")


def test_transcode_keeps_a_portrait_video_upright(clips, storage):
    asset = video_asset_transcode(asset_id=asset_from(clips.get("portrait.mp4")).pk)

    assert (asset.width, asset.height) == (720, 1280)
    assert [(r["width"], r["height"]) for r in asset.renditions[:-1]] == [
        (720, 1280),
        (480, 854),
        (360, 640),
    ]


def test_transcode_honours_rotation_metadata(clips, storage):
    asset = video_asset_transcode(asset_id=asset_from(clips.get("rotated.mp4")).pk)

    assert (asset.width, asset.height) == (720, 1280)
    info = ffprobe(ladder_dir(storage, asset) / "720p" / "index.m3u8")
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (720, 1280)
    # upright pixels, no rotation left for the player to apply a second time
    assert not any("rotation" in side for side in video.get("side_data_list", []))


def test_transcode_of_a_4k_frame_tops_the_ladder_at_1080p(clips, storage):
    asset = video_asset_transcode(asset_id=asset_from(clips.get("uhd.mp4")).pk)

    assert [(r["name"], r["width"], r["height"]) for r in asset.renditions] == [
        ("1080p", 1920, 1080),
        ("720p", 1280, 720),
        ("480p", 854, 480),
        ("360p", 640, 360),
        ("audio", None, None),
    ]


def test_transcode_of_a_source_below_the_lowest_rung_keeps_its_size(clips, storage):
    asset = video_asset_transcode(asset_id=asset_from(clips.get("small.mp4")).pk)

    assert asset.status == VideoAsset.Status.READY
    assert [(r["name"], r["width"], r["height"]) for r in asset.renditions] == [("240p", 320, 240)]


def test_transcode_writes_poster_and_preview_frames(clips, storage):
    asset = video_asset_transcode(asset_id=asset_from(clips.get("landscape.mp4")).pk)

    folder = ladder_dir(storage, asset)
    assert (folder / "poster.jpg").read_bytes()[:3] == b"\xff\xd8\xff"
    assert (folder / "thumbnails_001.jpg").exists()
    vtt = (folder / "thumbnails.vtt").read_text()
    assert vtt.startswith(
        "WEBVTT\n\n00:00:00.000 --> 00:00:10.000\nthumbnails_001.jpg#xywh=0,0,160,90"
    )
    assert "00:00:10.000 --> 00:00:14.000\nthumbnails_001.jpg#xywh=160,0,160,90" in vtt


@pytest.mark.parametrize(
    ("clip", "reason"),
    [
        ("audio_only.mp4", "The file has sound but no picture: upload a video, not audio."),
        ("empty.mp4", "The file is empty (0 bytes)."),
        ("text.mp4", "This is a text file, not a video."),
        (
            "cut.mp4",
            "The file is incomplete: its end is missing (an interrupted upload or copy). "
            "Upload it again.",
        ),
        (
            "cut_faststart.mp4",
            "The video stops at 0:0",  # the exact stop depends on where the cut fell
        ),
    ],
)
def test_transcode_fails_with_a_reason_a_trainer_understands(clips, storage, clip, reason):
    asset = asset_from(clips.get(clip))

    asset = video_asset_transcode(asset_id=asset.pk)

    assert asset.status == VideoAsset.Status.FAILED
    assert asset.failure_message.startswith(reason)
    assert asset.hls_prefix == ""
    assert asset.claim is None


def test_transcode_reports_progress_while_ffmpeg_runs(clips, storage, monkeypatch):
    import media.services.transcoding as transcoding

    seen = []
    real = transcoding._still_mine

    def spy(asset_id, claim, **changes):
        if "progress_percent" in changes:
            seen.append(changes["progress_percent"])
        real(asset_id, claim, **changes)

    monkeypatch.setattr(transcoding, "PROGRESS_EVERY_SECONDS", 0)
    monkeypatch.setattr(transcoding, "_still_mine", spy)

    video_asset_transcode(asset_id=asset_from(clips.get("landscape.mp4")).pk)

    during_ffmpeg = [p for p in seen if 0 < p < transcoding.TRANSCODE_SHARE]
    assert len(during_ffmpeg) >= 3  # a report every half second of a several-second run
    assert seen == sorted(seen)
