"""The argued selection report: report data first (pure), then ReportLab drawing."""
