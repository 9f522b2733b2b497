import re

import pytest
from django_countries.data import COUNTRIES

from catalog.document import parse_catalog
from catalog.importer import import_document
from catalog.worldmap import (
    DOT_RADIUS,
    MIN_SPAN,
    WIDTH,
    Fill,
    _rings,
    draw,
    shapes,
    view_for,
    world_box,
)
from tests.catalog.documents import catalog_doc, coverage_entry, operator_doc, plan_doc


def _fills(*codes: str, classes: str = "p0") -> tuple[Fill, ...]:
    return tuple(Fill(code=c, classes=classes, title=c) for c in codes)


def test_it_has_a_shape_for_every_iso_country_and_kosovo():
    assert set(COUNTRIES) | {"XK"} <= set(shapes())
    # Kosovo is its own shape, between Serbia and Albania
    xk, rs, al = shapes()["XK"], shapes()["RS"], shapes()["AL"]
    assert xk.rings
    assert rs.box.left < xk.box.left and xk.box.right < rs.box.right
    assert al.box.top < xk.box.bottom


def test_it_reads_relative_absolute_and_implicit_path_commands():
    # "m" then bare pairs are lines; h, v and c move by their end point; z closes
    assert _rings("m 10,10 20,0 0,20 z m 5,5 l 10,0 v 10 h -10 z") == [
        [(10.0, 10.0), (30.0, 10.0), (30.0, 30.0)],
        [(15.0, 15.0), (25.0, 15.0), (25.0, 25.0), (15.0, 25.0)],
    ]
    assert _rings("M 0,0 C 1,1 2,2 3,0 L 3,3 L0 3") == [
        [(0.0, 0.0), (3.0, 0.0), (3.0, 3.0), (0.0, 3.0)]
    ]


def test_it_frames_the_countries_shown_with_room_around_them():
    ch = shapes()["CH"]
    view = view_for(["CH"])
    assert view.width >= MIN_SPAN
    assert view.left < ch.box.left and ch.box.right < view.right
    assert view.top < ch.box.top and ch.box.bottom < view.bottom
    # no taller than wide: it has to fit a phone
    assert view_for(["NO", "IT"]).height <= view_for(["NO", "IT"]).width
    assert view_for([]) == world_box()


def test_it_centres_a_country_on_its_main_land_not_its_far_islands():
    us = shapes()["US"]
    assert us.main.width < us.box.width  # Hawaii and the Aleutians left out of the frame
    assert view_for(["FR", "CH"]).width < 400


def test_it_draws_a_tiny_country_as_a_dot_and_a_large_one_as_its_shape():
    svg = draw(_fills("FR", "MC", "XK"), label="Trip", prefix="t")
    assert re.search(r'<path class="country p0" d="M\d+ \d+l[-\d ]+z', svg)
    assert re.search(
        rf'<circle class="country p0" cx="\d+" cy="\d+" r="{DOT_RADIUS}"><title>MC</title>', svg
    )
    assert "<title>XK</title></path>" in svg
    assert f'viewBox="0 0 {WIDTH} ' in svg


def test_it_escapes_what_it_writes_and_points_nowhere_outside():
    svg = draw(
        (Fill(code="FR", classes="p0", title='<script>alert("x")</script>'),),
        label='Trip "A" & <B>',
        prefix="t",
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert 'aria-label="Trip &quot;A&quot; &amp; &lt;B&gt;"' in svg
    assert "href" not in svg and "http" not in svg and "style=" not in svg


def test_it_stripes_several_colours_and_hatches_a_cap():
    svg = draw(
        (
            Fill(code="FR", classes="", title="FR", stripes=("p0", "p1")),
            Fill(code="CH", classes="net-4G", title="CH", hatched=True),
        ),
        label="x",
        prefix="m",
    )
    assert '<pattern id="m-FR"' in svg
    assert '<rect class="p0" x="0"' in svg and '<rect class="p1" x="6"' in svg
    assert 'class="country striped" fill="url(#m-FR)"' in svg
    assert '<path class="hatch" fill="url(#m-hatch)"' in svg


def test_it_keeps_a_regional_map_small_and_draws_it_once():
    fills = _fills("FR", "CH", "GB")
    draw.cache_clear()
    svg = draw(fills, label="x", prefix="t")
    assert len(svg) < 60_000
    assert draw(fills, label="x", prefix="t") is svg
    assert draw.cache_info().hits == 1


@pytest.mark.django_db
def test_it_maps_a_plan_by_network_and_marks_its_capped_countries(client):
    plan = plan_doc(
        slug="europe",
        coverage=[
            coverage_entry(countries=["FR", "DE"], network="5G"),
            coverage_entry(countries=["@NORDIC"], network="4G", cap_gb="eu-fair-use"),
            coverage_entry(countries=["CH"], network="3G", cap_gb="2"),
        ],
    )
    import_document(parse_catalog(catalog_doc(operators=[operator_doc(plans=[plan])])))
    html = client.get("/plans/europe/").content.decode()
    svg = re.search(r'<svg class="map-svg".*?</svg>', html, re.S).group(0)
    assert 'aria-label="Map of where this plan works, by network"' in svg
    assert "<title>France: 5G</title>" in svg
    assert "<title>Sweden: 4G, capped</title>" in svg
    assert "<title>Switzerland: 3G, capped</title>" in svg
    assert len(re.findall(r'<path class="hatch"', svg)) == 4  # DK, SE, NO, CH
    legend = re.search(r'<ul class="map-legend">.*?</ul>', html, re.S).group(0)
    assert re.findall(r"swatch (net-\dG|capped)", legend) == [
        "net-5G",
        "net-4G",
        "net-3G",
        "capped",
    ]
    # the lists stay beside the map as its text alternative
    assert re.search(r'</figure>\s*<div class="map-text">', html)
