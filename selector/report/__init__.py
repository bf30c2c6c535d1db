"""The argued selection report: report data first (pure), then ReportLab drawing.

- `build.build_report_data(doc, ranked, process=..., language=...)`: every
  fact and sentence of the report (`contents.ReportData`), pure and tested on its own;
  one builder per chapter in `chapters/` reads the shared `context.ReportContext`;
  `process_record` holds the input only the database knows (`ProcessInfo`) and
  `labels` the report's words for stored values;
- `figures.report_figures(report)`: its charts as `selector.charts` models;
- `pdf.render_pdf(report)`: the PDF bytes;
- `i18n`: the report's own gettext domain "report" and locale-aware numbers;
- `text.markup`: the one escape for user text entering ReportLab markup.

`selector report` is a command of the command line (`selector.cli.commands`).
"""
