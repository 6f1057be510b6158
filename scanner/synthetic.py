"""Synthetic webcam frames: a QR card placed in a scene and degraded like a real entrance camera.

Used by the simulated source (so ``make run`` scans something on a machine with no camera), by the
tests and by the benchmark. Everything takes a ``numpy.random.Generator`` so frames are
reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import qrcode
from qrcode.constants import ERROR_CORRECT_M

Frame = np.ndarray

#: The conditions the benchmark and the tests render, by name.
CONDITIONS = ("clean", "distance", "motion_blur", "low_light", "glare", "tilt")


def render_code(text: str, module_px: int = 8, border: int = 4) -> Frame:
    """Render ``text`` as a black-on-white grayscale QR image, ``module_px`` pixels a module."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=border)
    code.add_data(text)
    code.make(fit=True)
    matrix = np.array(code.get_matrix(), dtype=bool)
    image = np.where(matrix, 0, 255).astype(np.uint8)
    return cv2.resize(image, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)


def background(width: int, height: int, rng: np.random.Generator) -> Frame:
    """A plausible entrance: a soft gradient, a few rectangles (door, poster) and sensor grain."""
    x = np.linspace(0, 1, width, dtype=np.float32)
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    base = 90 + 60 * x[None, :] + 30 * y
    frame = np.repeat(base[:, :, None], 3, axis=2)
    for _ in range(4):
        x0, y0 = int(rng.integers(0, width - 40)), int(rng.integers(0, height - 40))
        x1 = int(min(width, x0 + rng.integers(40, width // 2)))
        y1 = int(min(height, y0 + rng.integers(40, height // 2)))
        colour = rng.integers(40, 200, size=3).astype(np.float32)
        frame[y0:y1, x0:x1] = colour
    frame += rng.normal(0, 3, frame.shape).astype(np.float32)
    return np.clip(frame, 0, 255).astype(np.uint8)


def place(
    scene: Frame,
    card: Frame,
    center: tuple[float, float],
    size: float,
    rotation_deg: float = 0.0,
    tilt: float = 0.0,
) -> Frame:
    """Paste ``card`` (grayscale) into a copy of ``scene`` (BGR) at ``center``, ``size`` px wide.

    ``rotation_deg`` turns the card in the image plane; ``tilt`` (0 … 0.4) foreshortens one side,
    as when a card is held at an angle to the lens.
    """
    h, w = card.shape[:2]
    half = size / 2
    corners = np.array([[-half, -half], [half, -half], [half, half], [-half, half]], np.float32)
    corners[1:3, 1] *= 1 - tilt  # the right edge looks shorter: it is further away
    angle = np.deg2rad(rotation_deg)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
    dst = corners @ rot.T + np.array(center, np.float32)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    out_size = (scene.shape[1], scene.shape[0])
    card_bgr = cv2.cvtColor(card, cv2.COLOR_GRAY2BGR)
    warped = cv2.warpPerspective(card_bgr, matrix, out_size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, out_size)
    out = scene.copy()
    out[mask > 127] = warped[mask > 127]
    return out


def motion_blur(frame: Frame, length: int, angle_deg: float = 0.0) -> Frame:
    """Blur along a line of ``length`` pixels, as a card moving during the exposure."""
    if length <= 1:
        return frame
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0
    turn = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2), angle_deg, 1.0)
    kernel = cv2.warpAffine(kernel, turn, (length, length))
    kernel /= max(float(kernel.sum()), 1e-6)
    return cv2.filter2D(frame, -1, kernel)


def low_light(frame: Frame, gain: float, noise: float, rng: np.random.Generator) -> Frame:
    """Darken by ``gain`` and add sensor noise of standard deviation ``noise``."""
    dark = frame.astype(np.float32) * gain + rng.normal(0, noise, frame.shape)
    return np.clip(dark, 0, 255).astype(np.uint8)


def uneven_light(frame: Frame, strength: float, rng: np.random.Generator) -> Frame:
    """Multiply by a linear light gradient in a random direction (window on one side)."""
    h, w = frame.shape[:2]
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h) - 0.5
    factor = 1.0 + strength * ramp
    lit = frame.astype(np.float32) * factor[:, :, None]
    return np.clip(lit, 0, 255).astype(np.uint8)


def glare(frame: Frame, center: tuple[int, int], radius: int, strength: float = 0.95) -> Frame:
    """A bright elliptical reflection, as a ceiling lamp on a phone screen or laminate."""
    h, w = frame.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dist = ((xx - center[0]) / radius) ** 2 + ((yy - center[1]) / (radius * 0.6)) ** 2
    spot = strength * np.exp(-dist * 1.5)
    out = frame.astype(np.float32) + (255 - frame.astype(np.float32)) * spot[:, :, None]
    return np.clip(out, 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class SyntheticFrame:
    """A rendered frame and the text it holds."""

    condition: str
    frame: Frame
    text: str


def make_frame(
    text: str, width: int, height: int, condition: str, rng: np.random.Generator
) -> SyntheticFrame:
    """Render one frame of ``condition`` (see :data:`CONDITIONS`) holding ``text``."""
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; choose from {', '.join(CONDITIONS)}")
    scene = background(width, height, rng)
    card = render_code(text, module_px=8)
    short = min(width, height)
    size = short * rng.uniform(0.35, 0.55)
    rotation = rng.uniform(-12, 12)
    tilt = 0.0
    if condition == "distance":
        # About 2.5 px a module: a card held at arm's length from a wide-angle webcam.
        modules = card.shape[0] / 8
        size = modules * rng.uniform(2.3, 2.8)
    elif condition == "tilt":
        tilt = rng.uniform(0.2, 0.35)
        rotation = rng.uniform(-35, 35)
    margin = size * 0.75
    center = (rng.uniform(margin, width - margin), rng.uniform(margin, height - margin))
    frame = place(scene, card, center, size, rotation, tilt)
    if condition == "motion_blur":
        frame = motion_blur(frame, int(rng.integers(5, 9)), rng.uniform(0, 180))
    elif condition == "low_light":
        frame = low_light(uneven_light(frame, 0.6, rng), rng.uniform(0.18, 0.3), 6.0, rng)
    elif condition == "glare":
        spot = (int(center[0] + rng.uniform(-0.2, 0.2) * size), int(center[1]))
        frame = glare(frame, spot, int(size * 0.4))
    return SyntheticFrame(condition, frame, text)


def frame_set(width: int, height: int, per_condition: int, seed: int = 7) -> list[SyntheticFrame]:
    """``per_condition`` frames of every condition at ``width`` x ``height``, reproducibly."""
    rng = np.random.default_rng(seed)
    frames = []
    for condition in CONDITIONS:
        for index in range(per_condition):
            token = f"TK-{condition}-{index:03d}-{int(rng.integers(10**9)):09d}"
            frames.append(make_frame(token, width, height, condition, rng))
    return frames


def camera_noise(frame: Frame, rng: np.random.Generator, sigma: float = 2.5) -> Frame:
    """Fresh sensor grain, different in every frame of a real camera."""
    # OpenCV's generator is several times faster than numpy's here; seeding it from ``rng``
    # keeps clips reproducible.
    cv2.setRNGSeed(int(rng.integers(2**31)))
    grain = np.empty(frame.shape, np.float32)
    cv2.randn(grain.reshape(frame.shape[0], -1), 0.0, sigma)
    return cv2.add(frame, grain, dtype=cv2.CV_8U)


@dataclass(frozen=True)
class Clip:
    """A scene seen by the door camera: an empty doorway, then a card slides in and is held.

    ``enters`` is the index of the first frame showing any of the card: it slides in from the
    left edge, blurred by the motion, and is wholly in view from ``whole`` on. Frames before
    ``enters`` show the empty scene.
    """

    condition: str
    text: str
    frames: list[Frame]
    enters: int
    whole: int


def clip(
    text: str,
    width: int,
    height: int,
    condition: str,
    rng: np.random.Generator,
    lead: int = 90,
    slide: int = 4,
    hold: int = 30,
    empty_variants: int = 6,
) -> Clip:
    """Render a clip of ``condition`` (see :data:`CONDITIONS`): ``lead`` empty frames, the card
    sliding in over ``slide`` frames, then held for ``hold`` frames with a little hand tremor.

    The empty frames cycle through ``empty_variants`` noisy copies of one scene, and the held
    card through as many poses, so a long clip costs little to render.
    """
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; choose from {', '.join(CONDITIONS)}")
    scene = background(width, height, rng)
    card = render_code(text, module_px=8)
    size = min(width, height) * rng.uniform(0.35, 0.55)
    rotation, tilt = rng.uniform(-12, 12), 0.0
    if condition == "distance":
        size = card.shape[0] / 8 * rng.uniform(2.3, 2.8)
    elif condition == "tilt":
        tilt, rotation = rng.uniform(0.2, 0.35), rng.uniform(-35, 35)
    margin = size * 0.75
    rest = (rng.uniform(margin, width - margin), rng.uniform(margin, height - margin))
    lit = rng.uniform(0.18, 0.3)
    spot_dx = rng.uniform(-0.2, 0.2) * size

    def degrade(frame: Frame, center: tuple[float, float]) -> Frame:
        if condition == "low_light":
            return low_light(frame, lit, 6.0, rng)
        if condition == "glare":
            return glare(frame, (int(center[0] + spot_dx), int(center[1])), int(size * 0.4))
        return frame

    empty_scene = degrade(scene, rest)
    frames = [camera_noise(empty_scene, rng) for _ in range(max(1, empty_variants))]
    frames = [frames[n % len(frames)] for n in range(lead)]
    start_x = -size / 2  # the card's edge on the image's: the first slide frame shows a part
    for n in range(slide):
        x = start_x + (rest[0] - start_x) * (n + 1) / (slide + 1)
        moving = place(scene, card, (x, rest[1]), size, rotation, tilt)
        blurred = motion_blur(moving, 9 if condition != "motion_blur" else 15, 0.0)
        frames.append(camera_noise(degrade(blurred, (x, rest[1])), rng))
    poses = []
    for n in range(min(hold, empty_variants)):  # the tremor repeats: a few poses suffice
        wobble = 2.0 * np.sin(n * np.pi / 3)
        center = (rest[0] + wobble, rest[1])
        held = place(scene, card, center, size, rotation + wobble, tilt)
        if condition == "motion_blur":
            held = motion_blur(held, int(rng.integers(5, 9)), rng.uniform(0, 180))
        poses.append(camera_noise(degrade(held, center), rng))
    frames += [poses[n % len(poses)] for n in range(hold)]
    return Clip(condition, text, frames, lead, lead + slide)


def clip_set(
    width: int, height: int, per_condition: int, seed: int = 11, lead: tuple[int, int] = (78, 96)
) -> list[Clip]:
    """``per_condition`` clips of every condition, each with a lead drawn from ``lead`` frames."""
    rng = np.random.default_rng(seed)
    clips = []
    for condition in CONDITIONS:
        for index in range(per_condition):
            token = f"TK-{condition}-{index:03d}-{int(rng.integers(10**9)):09d}"
            frames = int(rng.integers(lead[0], lead[1] + 1))
            clips.append(clip(token, width, height, condition, rng, lead=frames))
    return clips
