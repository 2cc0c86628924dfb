import os

from django.core.wsgi import get_wsgi_application

from config.runtime import prepare_runtime_dirs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
prepare_runtime_dirs()
