"""Over UDP a MAVLink frame never spans datagrams: a datagram of garbage that starts like a frame
must not swallow the real frames of the datagrams after it (pymavlink parses a byte stream)."""

from pymavlink.dialects.v20 import common as mavlink

from dronecine.flight.mavlink_common import drop_partial_frame


def _heartbeat(sender: mavlink.MAVLink) -> bytes:
    return mavlink.MAVLink_heartbeat_message(2, 12, 0, 0, 4, 3).pack(sender)


def _parser() -> mavlink.MAVLink:
    parser = mavlink.MAVLink(None)
    parser.robust_parsing = True
    return parser


GARBAGE = bytes([mavlink.PROTOCOL_MARKER_V2, 200, 0, 0, 0]) + b"looks like the start of a long frame"


def test_without_framing_garbage_swallows_the_next_datagrams():
    parser, sender = _parser(), mavlink.MAVLink(None, srcSystem=1)
    parser.parse_buffer(GARBAGE)
    assert not [m for m in parser.parse_buffer(_heartbeat(sender)) or [] if m.get_type() == "HEARTBEAT"]


def test_dropping_the_unfinished_frame_at_the_boundary_keeps_the_next_datagram():
    parser, sender = _parser(), mavlink.MAVLink(None, srcSystem=1)
    parser.parse_buffer(GARBAGE)
    assert drop_partial_frame(parser)
    messages = parser.parse_buffer(_heartbeat(sender)) or []
    assert [m.get_type() for m in messages] == ["HEARTBEAT"]


def test_whole_frames_still_waiting_in_a_datagram_are_kept():
    parser, sender = _parser(), mavlink.MAVLink(None, srcSystem=1)
    first = parser.parse_char(_heartbeat(sender) + _heartbeat(sender))  # one datagram, two frames
    assert first is not None and first.get_type() == "HEARTBEAT"
    assert not drop_partial_frame(parser)
    assert parser.parse_char(b"").get_type() == "HEARTBEAT"


def test_nothing_pending_drops_nothing():
    parser, sender = _parser(), mavlink.MAVLink(None, srcSystem=1)
    parser.parse_buffer(_heartbeat(sender))
    assert not drop_partial_frame(parser)
