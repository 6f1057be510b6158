"""``preview:DIR``: badges written as PNG files, for a kiosk without a printer and for demos."""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from pathlib import Path

from PIL import Image

from printer.errors import PrinterUnavailable
from printer.transports.base import PrinterStatus, Transport

# Badge previews show names, companies and guest cards: they are kept a week, then deleted
# as new ones are written (erasing a member deletes theirs at once).
KEEP_SECONDS = 7 * 24 * 3600


class PreviewTransport(Transport):
    """Writes each printed image to ``DIR/<time>-<label>.png``; the ESC/POS bytes to ``.bin``."""

    kind = "preview"
    _counter = itertools.count(1)

    def __init__(self, directory: str | Path) -> None:
        super().__init__(f"preview:{directory}")
        self.directory = Path(directory)

    def _name(self, label: str, suffix: str) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        safe = "".join(ch for ch in label if ch.isalnum() or ch in "-_") or "badge"
        return self.directory / f"{stamp}-{next(self._counter):04d}-{safe}{suffix}"

    def _write(self, path: Path, data: bytes) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # Written under a temporary name and renamed, so a viewer never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
            self.prune()
        except OSError as exc:
            raise PrinterUnavailable(
                f"cannot write badge previews to {self.directory}: {exc}"
            ) from exc

    def prune(self, keep_seconds: float = KEEP_SECONDS) -> int:
        """Delete previews older than ``keep_seconds``; return how many went."""
        cutoff = time.time() - keep_seconds
        deleted = 0
        for path in self.directory.iterdir():
            if path.suffix in {".png", ".bin"} and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                deleted += 1
        return deleted

    def print_image(self, image: Image.Image, label: str = "") -> None:
        """Save ``image`` as a PNG file."""
        import io

        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        self._write(self._name(label, ".png"), buffer.getvalue())

    def send(self, data: bytes) -> None:
        """Save raw bytes (only used when something sends bytes directly)."""
        self._write(self._name("raw", ".bin"), data)

    def status(self) -> PrinterStatus:
        """Ready while the folder can be written."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return PrinterStatus("offline", f"cannot create {self.directory}: {exc}")
        if not os.access(self.directory, os.W_OK):
            return PrinterStatus("offline", f"cannot write to {self.directory}")
        return PrinterStatus("ready", f"badge previews are written to {self.directory}")
