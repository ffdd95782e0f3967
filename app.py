"""Entry point of the browser app (`python app.py`). The Gradio UI arrives with the app issue;
until then this points users to the CLI."""

import sys

if __name__ == "__main__":
    sys.exit("浏览器界面尚未提供；请使用命令行：govqa --help")
