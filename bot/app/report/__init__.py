"""The service review drawn: one self-contained HTML page with its charts inline, and a PDF
printed from that same page by headless Chromium."""
