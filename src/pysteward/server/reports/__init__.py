"""SLA reports per client and period in HTML and PDF, archived immutably; the evidence pack."""
