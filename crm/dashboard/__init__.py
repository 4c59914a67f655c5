"""Dashboard for reports: figures over the whole network as SVG bar charts, tables and downloads."""
