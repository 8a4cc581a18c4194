"""The generic API viewset: every object type's API is a declaration on top of this."""

from django.db import transaction
from rest_framework import exceptions, viewsets

from ..scoping import ensure_in_scope

# The scope action each HTTP method needs. Any other method (TRACE, PROPFIND …) is not one
# the API takes: 405, before a queryset is built for it.
SCOPE_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class ScopedModelViewSet(viewsets.ModelViewSet):
    """Lists and details are restricted to the caller's scope; writes are saved in a
    transaction and re-read through the scope, so a write that leaves it rolls back."""

    queryset = None  # subclasses set ``model`` and optionally ``select_related``
    model = None
    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        action = SCOPE_ACTIONS.get(self.request.method)
        if action is None:
            raise exceptions.MethodNotAllowed(self.request.method)
        qs = self.model.objects.restrict(self.request.user, action)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs

    def perform_create(self, serializer):
        with transaction.atomic():
            obj = serializer.save()
            ensure_in_scope(obj, self.request.user, "add")

    def perform_update(self, serializer):
        with transaction.atomic():
            obj = serializer.save()
            ensure_in_scope(obj, self.request.user, "change")

    def perform_destroy(self, instance):
        with transaction.atomic():
            ensure_in_scope(instance, self.request.user, "delete")
            instance.delete()


class ScopedReadOnlyViewSet(ScopedModelViewSet):
    http_method_names = ["get", "head", "options"]
