import sys

import click
from flask.cli import AppGroup

from ..extensions import db
from .services import StaffError, create_user, find_user, issue_token

users_cli = AppGroup("users", help="Manage staff accounts and API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["organiser", "door"]), required=True)
@click.option("--name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_command(email, role, name, password_stdin):
    """Create a staff account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, role, password, name)
    except StaffError as e:
        raise click.ClickException(str(e)) from e
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="CLI token", help="A label for the token.")
def token_command(email, name):
    """Print a new API token for a staff account (shown once)."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no staff account for {email}")
    _token, secret = issue_token(user, name)
    db.session.commit()
    click.echo(f"New {user.role} token for {user.email} (store it now, it is shown once):")
    click.echo(secret)
