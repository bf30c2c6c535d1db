"""The report's chapters, one module each; every module gathers its chapter's facts and
sentences from the `ReportContext` (`selector.report.context`)."""
