from django.core.wsgi import get_wsgi_application

from streetbrain.startup import use_settings

use_settings()  # production's, unless DJANGO_SETTINGS_MODULE says otherwise (see startup.py)

application = get_wsgi_application()
