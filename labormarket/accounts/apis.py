from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .policies import grants_of, region_scope, roles_of


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    memberships = serializers.ListField(child=serializers.DictField())
    national = serializers.BooleanField()


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The signed-in user, their roles and organisations", responses=MeSerializer
    )
    def get(self, request: Request) -> Response:
        user: Any = request.user
        roles = sorted(roles_of(user))
        memberships = [
            {"role": g.role, "organisation": g.organisation_id, "region": g.region_id}
            for g in grants_of(user)
        ]
        return Response(
            {
                "id": user.pk,
                "username": user.username,
                "full_name": user.get_full_name(),
                "roles": roles,
                "memberships": memberships,
                "national": region_scope(user, roles).all_regions,
            }
        )


class TokenApi(ObtainAuthToken):
    """Exchange a username (or IIN) and password for an API token; the lockout applies."""

    permission_classes = []
