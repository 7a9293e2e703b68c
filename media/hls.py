"""Pure: read the HLS playlists ffmpeg wrote (RFC 8216), to record and to check the ladder."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ATTRIBUTE = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')


@dataclass(frozen=True)
class Variant:
    uri: str
    bandwidth: int
    codecs: str
    resolution: str  # "1280x720", or "" for the audio-only variant


@dataclass(frozen=True)
class MediaPlaylist:
    segment_seconds: tuple[float, ...]
    target_duration: int
    init_uri: str
    segments: tuple[str, ...]
    ended: bool

    @property
    def duration_seconds(self) -> float:
        return sum(self.segment_seconds)


def _attributes(text: str) -> dict[str, str]:
    return {name: value.strip('"') for name, value in _ATTRIBUTE.findall(text)}


def parse_master(text: str) -> list[Variant]:
    """The variant streams of a master playlist, in its order."""
    variants = []
    lines = [line.strip() for line in text.splitlines()]
    for index, line in enumerate(lines):
        if not line.startswith("#EXT-X-STREAM-INF:"):
            continue
        attributes = _attributes(line.partition(":")[2])
        uri = next((u for u in lines[index + 1 :] if u and not u.startswith("#")), "")
        variants.append(
            Variant(
                uri=uri,
                bandwidth=int(attributes.get("BANDWIDTH", "0")),
                codecs=attributes.get("CODECS", ""),
                resolution=attributes.get("RESOLUTION", ""),
            )
        )
    return variants


def parse_media(text: str) -> MediaPlaylist:
    """Segments, their durations and the init section of a media playlist."""
    durations: list[float] = []
    segments: list[str] = []
    target, init, ended = 0, "", False
    for line in (line.strip() for line in text.splitlines()):
        if line.startswith("#EXTINF:"):
            durations.append(float(line.partition(":")[2].split(",")[0]))
        elif line.startswith("#EXT-X-TARGETDURATION:"):
            target = int(line.partition(":")[2])
        elif line.startswith("#EXT-X-MAP:"):
            init = _attributes(line.partition(":")[2]).get("URI", "")
        elif line == "#EXT-X-ENDLIST":
            ended = True
        elif line and not line.startswith("#"):
            segments.append(line)
    return MediaPlaylist(
        segment_seconds=tuple(durations),
        target_duration=target,
        init_uri=init,
        segments=tuple(segments),
        ended=ended,
    )
