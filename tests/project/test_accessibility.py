"""Readable for everyone: text colours pass WCAG 2.1 AA; every page switches language."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "site.css").read_text()


def luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    light, dark = sorted([luminance(a), luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def variable(name):
    return re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", CSS).group(1)


@pytest.mark.parametrize(
    "foreground,background",
    [
        ("ink", "#ffffff"),
        ("muted", "#ffffff"),
        ("accent", "#ffffff"),
        ("#ffffff", "accent"),
        ("muted", "#f6f7f7"),
    ],
)
def test_text_colours_pass_wcag_aa_contrast(foreground, background):
    def colour(value):
        return value if value.startswith("#") else variable(value)

    assert contrast(colour(foreground), colour(background)) >= 4.5


@pytest.mark.parametrize("path", ["/", "/staf/", reverse("admin:dikecualikan_record_changelist")])
def test_every_page_offers_the_language_switch(client, ppid, path):
    client.force_login(ppid)
    page = client.get(path, follow=True).content.decode()
    assert reverse("dikecualikan:language", args=["en"]) in page
