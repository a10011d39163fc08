"""The client report: one self-contained HTML file of a tenant's period (``criterio report``)."""

from criterio.reports.content import Period, Report
from criterio.reports.render import render_html
from criterio.reports.service import build_report

__all__ = ["Period", "Report", "build_report", "render_html"]
