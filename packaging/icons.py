"""Renders the app's and the file type's SVG icons into Windows .ico and macOS .icns files.

The SVGs in src/ssmclient/gui/icons are the one source (the window, the Linux
hicolor theme); the installers of the other platforms need raster containers,
which are built from them at build time rather than kept in the repository
where they could drift. Qt renders (its SVG renderer is the one the window
uses), Pillow writes the containers (every size in one .ico; the .icns set
macOS asks for, which Pillow writes on any platform).

Called by packaging/ssmclient.spec; by hand: python packaging/icons.py OUT_DIR
"""

import io
import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "src" / "ssmclient" / "gui" / "icons"
SOURCES = {"ssmclient": "ssmclient.svg", "ssmclient-profile": "application-x-ssmclient-profile.svg"}
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)  # what Explorer and the taskbar ask for
ICNS_SIZE = 1024  # Pillow derives the iconset's smaller sizes from it


def _render(svg: Path, size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"icons.py: {svg} is not an SVG Qt can render")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def build(out: Path) -> dict[str, Path]:
    """Writes NAME.ico and NAME.icns for each icon into `out`; returns their paths by file name."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication([])
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, source in SOURCES.items():
        svg = ICONS / source
        # Each size rendered from the vector, not scaled down from one bitmap:
        # the small ones stay sharp.
        sizes = [Image.open(io.BytesIO(_render(svg, size))) for size in ICO_SIZES]
        ico = out / f"{name}.ico"
        sizes[-1].save(ico, sizes=[(s, s) for s in ICO_SIZES], append_images=sizes[:-1])
        icns = out / f"{name}.icns"
        Image.open(io.BytesIO(_render(svg, ICNS_SIZE))).save(icns)
        written[ico.name] = ico
        written[icns.name] = icns
    return written


if __name__ == "__main__":
    for path in build(Path(sys.argv[1])).values():
        print(path)
