import os

from django.core.asgi import get_asgi_application

from config.runtime import prepare_runtime_dirs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
prepare_runtime_dirs()
