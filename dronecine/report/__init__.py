"""The shoot report: ``write_report(recording, mission)`` writes ``report.html`` and its pictures."""

from dronecine.report.report import REPORT_FILE, write_report

__all__ = ["REPORT_FILE", "write_report"]
