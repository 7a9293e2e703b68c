"""Media clips the tests make with ffmpeg's lavfi sources (never committed), once per run."""

import subprocess
from pathlib import Path

import pytest


def _ffmpeg(*args: str) -> None:
    subprocess.run(  # noqa: S603 - fixed arguments
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args],  # noqa: S607
        check=True,
        stdin=subprocess.DEVNULL,
    )


def _lecture(path: Path, *, size: str, seconds: float, rate: int = 25, audio: bool = True) -> Path:
    inputs = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}"]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    codecs = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    codecs += ["-c:a", "aac", "-shortest"] if audio else []
    _ffmpeg(*inputs, *codecs, str(path))
    return path


class Clips:
    """``clips.get(name)``: the path of a generated clip (made on first use)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def get(self, name: str) -> Path:
        path = self.folder / name
        if not path.exists():
            getattr(self, "_" + name.replace(".", "_").replace("-", "_"))(path)
        return path

    def _landscape_mp4(self, path: Path) -> None:
        _lecture(path, size="1280x720", seconds=14)

    def _portrait_mp4(self, path: Path) -> None:
        _lecture(path, size="720x1280", seconds=7)

    def _uhd_mp4(self, path: Path) -> None:
        _lecture(path, size="3840x2160", seconds=2, rate=10)

    def _long_mp4(self, path: Path) -> None:
        _lecture(path, size="1280x720", seconds=60)

    def _small_mp4(self, path: Path) -> None:
        _lecture(path, size="320x240", seconds=3, audio=False)

    def _rotated_mp4(self, path: Path) -> None:
        # A phone held upright: the picture is stored 1280x720, the metadata turns it by 90°.
        plain = _lecture(self.folder / "rotated-plain.mp4", size="1280x720", seconds=4)
        _ffmpeg("-i", str(plain), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(path))

    def _audio_only_mp4(self, path: Path) -> None:
        _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=5", "-c:a", "aac", str(path))

    def _cut_mp4(self, path: Path) -> None:
        # The index (moov) of a plain MP4 is at the end: cut in the middle, it is lost.
        whole = self.get("landscape.mp4").read_bytes()
        path.write_bytes(whole[: len(whole) // 2])

    def _cut_faststart_mp4(self, path: Path) -> None:
        # With the index first, the file still opens but the pictures stop half-way.
        whole = self.folder / "faststart.mp4"
        _ffmpeg(
            "-i",
            str(self.get("landscape.mp4")),
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            str(whole),
        )
        data = whole.read_bytes()
        path.write_bytes(data[: len(data) // 2])

    def _empty_mp4(self, path: Path) -> None:
        path.write_bytes(b"")

    def _late_picture_mkv(self, path: Path) -> None:
        # Matroska whose picture starts 21 ms after its sound (as a camera's recording can).
        _ffmpeg(
            "-f", "lavfi", "-i", "sine=frequency=440:duration=4",
            "-itsoffset", "0.021",
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=4",
            "-map", "0:a", "-map", "1:v",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
            str(path),
        )  # fmt: skip

    def _brief_mp4(self, path: Path) -> None:
        _lecture(path, size="320x240", seconds=0.52)

    def _text_mp4(self, path: Path) -> None:
        path.write_text("Verbale della riunione del 3 marzo.\nNon è un video.\n" * 50)


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> Clips:
    return Clips(tmp_path_factory.mktemp("clips"))


@pytest.fixture
def storage(settings, tmp_path) -> Path:
    """Django's storage and ffmpeg's scratch folder in this test's own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "storage"
    settings.MEDIA_WORK_DIR = str(tmp_path / "work")
    return Path(settings.MEDIA_ROOT)
