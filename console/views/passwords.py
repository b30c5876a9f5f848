"""« Mot de passe oublié ? » and the page a password link opens."""
import time

from flask import current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.utils.limit import Limit
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from console import jobs
from console.accounts import jobs as account_jobs
from console.accounts import links
from console.errors import DomainError
from console.extensions import db


def public_base_url() -> str:
    """The console's address for e-mailed links: CONSOLE_BASE_URL, never a Host header an attacker chose."""
    return current_app.config.get("CONSOLE_BASE_URL") or request.url_root


class ForgotPasswordForm(FlaskForm):
    login = StringField(_l("User name or e-mail"), validators=[DataRequired(), Length(max=320)])


class ChoosePasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    conf_password = PasswordField(_l("Confirm the new password"),
                                  validators=[EqualTo("password", message=_l("The two passwords differ."))])


class ForgotPasswordView(BaseView):
    """Public page: the same answer, after the same work, whether the account exists or not."""

    route_base = "/forgot-password"
    default_view = "form"
    limits = [Limit("5 per minute", key_func=get_remote_address, methods=["POST"]),
              Limit("20 per hour", key_func=get_remote_address, methods=["POST"])]

    @expose("/", methods=["GET", "POST"])
    def form(self):
        started = time.monotonic()
        form = ForgotPasswordForm()
        if form.validate_on_submit():
            # The look-up, the link and the e-mail happen in a job, and every answer takes the same floor
            # time (the in-process job finishes inside it): no timing tells known logins apart.
            jobs.enqueue(account_jobs.send_reset_link, form.login.data, public_base_url())
            time.sleep(max(0.0, current_app.config["CONSOLE_RESET_ANSWER_SECONDS"] - (time.monotonic() - started)))
            flash(gettext("If an account matches, a link to choose a new password was e-mailed to its address. "
                          "It is valid one hour."), "info")
            return redirect(self.appbuilder.get_url_for_login)
        return self.render_template("console/forgot_password.html", form=form, appbuilder=self.appbuilder)


class PasswordLinkView(BaseView):
    """The page an e-mailed link opens: choose a password, once."""

    route_base = links.LINK_PATH.rstrip("/")
    default_view = "form"
    limits = [Limit("10 per minute", key_func=get_remote_address, methods=["POST"])]

    @expose("/<token>", methods=["GET", "POST"])
    def form(self, token: str):
        try:
            links.check_link(db.session, token)
        except DomainError as error:
            flash(str(error), "danger")
            return redirect(url_for("ForgotPasswordView.form"))
        form = ChoosePasswordForm()
        if form.validate_on_submit():
            try:
                links.use_link(db.session, token, form.password.data,
                               method=current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"))
            except DomainError as error:
                db.session.rollback()
                form.password.errors = [str(error)]
            else:
                db.session.commit()
                flash(gettext("Your password was changed: sign in with it."), "success")
                return redirect(self.appbuilder.get_url_for_login)
        return self.render_template("console/password_link.html", form=form, appbuilder=self.appbuilder)
