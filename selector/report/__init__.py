"""The argued selection report: report data first (pure), then ReportLab drawing.

- `data.build_report_data(doc, ranking, selection, process=..., language=...)`: every
  fact and sentence of the report (`ReportData`), pure and tested on its own;
- `figures.report_figures(report)`: its charts as `selector.charts` models;
- `pdf.render_pdf(report)`: the PDF bytes;
- `i18n`: the report's own gettext domain "report" and locale-aware numbers;
- `text.markup`: the one escape for user text entering ReportLab markup;
- `command.run_report`: `selector report`.
"""
