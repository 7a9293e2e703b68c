"""Copy the front-end packages the pages use from node_modules/ into their static folder.

npm installs them from the registry with the lockfile (``make assets``); this keeps only what the
pages serve, under ``pages/static/pages/vendor/`` (not committed). Bootstrap Italia's fonts are
copied as files: the pages declare them in their own ``fonts.css``, because the library's
``loadFonts`` injects a ``<style>`` element that the Content Security Policy refuses.
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
TARGET = ROOT / "pages" / "static" / "pages" / "vendor"

# (package, file or folder inside it, glob patterns to keep or None for the file itself)
COPIES: list[tuple[str, str, tuple[str, ...] | None]] = [
    ("bootstrap-italia", "dist/css/bootstrap-italia.min.css", None),
    ("bootstrap-italia", "dist/js/bootstrap-italia.bundle.min.js", None),
    ("bootstrap-italia", "dist/svg/sprites.svg", None),
    ("bootstrap-italia", "dist/assets", ("*.svg",)),
    ("bootstrap-italia", "dist/fonts", ("*.woff2", "*.woff", "*.txt")),
    ("bootstrap-italia", "LICENSE", None),
    ("hls.js", "dist/hls.min.js", None),
    ("hls.js", "LICENSE", None),
    ("axe-core", "axe.min.js", None),
    ("axe-core", "LICENSE", None),
]


def main() -> int:
    missing = [package for package, _, _ in COPIES if not (MODULES / package).is_dir()]
    if missing:
        names = ", ".join(sorted(set(missing)))
        sys.stderr.write(f"Missing in node_modules: {names}. Run 'make assets'.\n")
        return 1
    if TARGET.exists():
        shutil.rmtree(TARGET)
    for package, inner, patterns in COPIES:
        source = MODULES / package / inner
        parts = Path(inner).parts
        # dist/css/x.css -> <package>/css/x.css; a file at the package's root keeps its name
        destination = TARGET / package / Path(*(parts[1:] if len(parts) > 1 else parts))
        if patterns is None:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
            continue
        for pattern in patterns:
            for found in source.rglob(pattern):
                target = destination / found.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(found, target)
    sys.stdout.write(f"Copied the front-end packages into {TARGET.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
