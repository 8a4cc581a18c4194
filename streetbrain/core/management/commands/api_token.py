"""``streetbrain api_token create|list|revoke``: API tokens from the command line (for the
operators of a deployment: a user's own are on their page 我的API令牌 and under
``/api/core/tokens/``). Audited as "command line", like every command.

    streetbrain api_token create leader --name "月度税收导入"   # prints the key, this once
    streetbrain api_token list leader
    streetbrain api_token revoke 12
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from streetbrain.core import actions
from streetbrain.core.models import ApiToken, User


class Command(BaseCommand):
    help = "Make, list and revoke users' API tokens."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        create = commands.add_parser("create", help="make a token for a user; prints its key")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="what will use the token")
        listing = commands.add_parser("list", help="a user's tokens (never their keys)")
        listing.add_argument("username")
        revoke = commands.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("id", type=int)

    def handle(self, *args, command, **options):
        if command == "create":
            user = self._user(options["username"])
            try:
                token, key = actions.create_api_token(user, options["name"])
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stderr.write(
                f"token #{token.pk} “{token.name}” for {user.username}, expires "
                f"{token.expires:%Y-%m-%d %H:%M}; the key is shown this once:"
            )
            self.stdout.write(key)
        elif command == "list":
            user = self._user(options["username"])
            for t in ApiToken.objects.filter(user=user):
                state = "expired" if t.expired else f"expires {t.expires:%Y-%m-%d %H:%M}"
                used = f"{t.last_used:%Y-%m-%d %H:%M}" if t.last_used else "never"
                self.stdout.write(f"{t.pk}\t{t.prefix}…\t{t.name}\t{state}\tlast used {used}")
        else:
            token = ApiToken.objects.filter(pk=options["id"]).first()
            if token is None:
                raise CommandError(f"no API token #{options['id']}")
            actions.revoke_api_token(token, None)
            self.stdout.write(f"revoked token #{options['id']} “{token.name}”")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        return user
