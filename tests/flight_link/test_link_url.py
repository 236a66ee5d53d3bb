"""Connection URLs: the accepted forms parse, anything else is a LinkUrlError that names the URL."""

from __future__ import annotations

import pytest

from dronecine.flight.errors import LinkUrlError
from dronecine.flight.link_url import LinkScheme, LinkUrl, parse_link_url


@pytest.mark.parametrize(
    ("url", "expected", "pymavlink"),
    [
        ("udpin://0.0.0.0:14540", LinkUrl(LinkScheme.UDP_IN, "0.0.0.0", 14540), "udpin:0.0.0.0:14540"),
        ("udp://0.0.0.0:14540", LinkUrl(LinkScheme.UDP_IN, "0.0.0.0", 14540), None),
        ("udpout://127.0.0.1:14580", LinkUrl(LinkScheme.UDP_OUT, "127.0.0.1", 14580), "udpout:127.0.0.1:14580"),
        ("udpin://127.0.0.1:0", LinkUrl(LinkScheme.UDP_IN, "127.0.0.1", 0), None),
        (
            "serial:///dev/ttyUSB0:921600",
            LinkUrl(LinkScheme.SERIAL, device="/dev/ttyUSB0", baud=921600),
            "/dev/ttyUSB0",
        ),
        ("serial:///dev/ttyACM0", LinkUrl(LinkScheme.SERIAL, device="/dev/ttyACM0", baud=57600), None),
    ],
)
def test_accepted_forms(url: str, expected: LinkUrl, pymavlink: str | None) -> None:
    parsed = parse_link_url(url)
    assert parsed == expected
    assert parse_link_url(str(parsed)) == parsed
    if pymavlink is not None:
        assert parsed.pymavlink_device() == pymavlink


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("127.0.0.1:14540", "not a URL"),
        ("tcp://127.0.0.1:5760", "unsupported scheme 'tcp'"),
        ("udpin://127.0.0.1", "HOST:PORT"),
        ("udpin://:14540", "HOST:PORT"),
        ("udpin://127.0.0.1:99999", "port '99999'"),
        ("udpin://127.0.0.1:abc", "port 'abc'"),
        ("udpout://127.0.0.1:0", "not 0"),
        ("serial://", "no serial device"),
        ("serial:///dev/ttyUSB0:0", "baud rate '0'"),
    ],
)
def test_bad_urls_are_clear_errors(url: str, says: str) -> None:
    with pytest.raises(LinkUrlError) as caught:
        parse_link_url(url)
    assert says in str(caught.value)
    assert caught.value.url == url
    assert isinstance(caught.value, ValueError)
