"""Camera clips of a card held up to a camera, for Chromium's fake camera (Y4M files).

Chromium reads ``--use-file-for-fake-video-capture=FILE.y4m`` as its camera and loops it.
The clip shows a member card as a person holds it: tilted in depth, swaying and turning a
little, lit more from one side than the other, with sensor noise. Optional blank frames
before the card let a test or benchmark know when the card comes into view.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

# The frame rate Chromium's fake camera plays a Y4M file at (its header's F field).
FPS = 15
SIZE = (640, 480)


def _backdrop(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    # A dim room behind the person: a soft vertical gradient with a little texture.
    ramp = np.linspace(70, 40, height, dtype=np.float32)[:, None]
    room = np.repeat(ramp, width, axis=1)
    room += rng.normal(0, 4, (height, width)).astype(np.float32)
    return np.clip(np.dstack([room * 0.95, room, room * 1.1]), 0, 255)


def _card_corners(t: float, width: int, height: int, card_w: int, card_h: int) -> np.ndarray:
    # Where the card's corners land at time t (seconds): tilted in depth (the far edge
    # shorter), turned about 12°, swaying across the frame.
    cx = width / 2 + 40 * math.sin(2 * math.pi * t / 3.1)
    cy = height / 2 + 20 * math.sin(2 * math.pi * t / 2.3)
    angle = math.radians(12 + 6 * math.sin(2 * math.pi * t / 4.0))
    half_w, half_h = card_w / 2, card_h / 2
    depth = 0.18 + 0.05 * math.sin(2 * math.pi * t / 2.7)  # how much the right edge recedes
    local = np.array(
        [
            [-half_w, -half_h],
            [half_w, -half_h * (1 - depth)],
            [half_w, half_h * (1 - depth)],
            [-half_w, half_h],
        ]
    )
    turn = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    return (local @ turn.T + [cx, cy]).astype(np.float32)


def card_frames(
    card: np.ndarray,
    seconds: float,
    *,
    blank_seconds: float = 0.0,
    size: tuple[int, int] = SIZE,
    card_width: int = 330,
    seed: int = 17,
    fps: int = FPS,
) -> list[np.ndarray]:
    """BGR frames: ``blank_seconds`` of an empty room, then the card held up for ``seconds``."""
    width, height = size
    rng = np.random.default_rng(seed)
    gray_card = card if card.ndim == 2 else cv2.cvtColor(card, cv2.COLOR_BGR2GRAY)
    card_bgr = cv2.cvtColor(gray_card, cv2.COLOR_GRAY2BGR).astype(np.float32)
    card_height = round(card_width * gray_card.shape[0] / gray_card.shape[1])
    source = np.array(
        [
            [0, 0],
            [gray_card.shape[1], 0],
            [gray_card.shape[1], gray_card.shape[0]],
            [0, gray_card.shape[0]],
        ],
        dtype=np.float32,
    )
    # Light from the left: the far side of the card is in shade.
    light = np.linspace(1.05, 0.55, width, dtype=np.float32)[None, :, None]
    frames = []
    blank = round(blank_seconds * fps)
    for index in range(blank + round(seconds * fps)):
        frame = _backdrop(width, height, rng)
        if index >= blank:
            t = (index - blank) / fps
            corners = _card_corners(t, width, height, card_width, card_height)
            matrix = cv2.getPerspectiveTransform(source, corners)
            warped = cv2.warpPerspective(card_bgr, matrix, (width, height))
            mask = cv2.warpPerspective(
                np.ones(gray_card.shape, np.float32), matrix, (width, height)
            )[:, :, None]
            frame = frame * (1 - mask) + warped * 0.92 * mask
        frame = frame * light + rng.normal(0, 5, frame.shape)
        frames.append(np.clip(frame, 0, 255).astype(np.uint8))
    return frames


def write_y4m(frames: list[np.ndarray], path: Path, fps: int = FPS) -> Path:
    """Write BGR frames as a YUV 4:2:0 Y4M file, the format Chromium's fake camera plays."""
    height, width = frames[0].shape[:2]
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for frame in frames:
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
    return path
