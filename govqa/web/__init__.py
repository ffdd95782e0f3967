"""The browser app's tabs, one module each (``build(shell)``), and what they share (shell.py, client.py)."""
