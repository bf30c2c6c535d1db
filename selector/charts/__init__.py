"""Charts shared by the web pages and the PDF report.

`models` builds what a chart shows (pure data, in the selection's language),
`layout` turns it into shapes, `svg` draws them as accessible SVG for the pages and
`pdf` as ReportLab Drawings for the report: same colours, same order.
"""
