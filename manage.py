#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

from django.core.management import execute_from_command_line

from config.runtime import prepare_runtime_dirs


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    prepare_runtime_dirs()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
