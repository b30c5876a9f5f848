"""« Mot de passe oublié ? »: a temporary password, e-mailed, to be changed at the next login."""
from flask import flash, redirect
from flask_appbuilder import BaseView, expose
from flask_appbuilder.utils.limit import Limit
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from console.extensions import db
from console.mail import queue_mail
from console.tenants import api as tenants_api


class ForgotPasswordForm(FlaskForm):
    login = StringField(_l("User name or e-mail"), validators=[DataRequired(), Length(max=320)])


class ForgotPasswordView(BaseView):
    """Public page: it never says whether an account exists (no account enumeration)."""

    route_base = "/forgot-password"
    default_view = "form"
    limits = [Limit("5 per minute", key_func=get_remote_address, methods=["POST"])]

    @expose("/", methods=["GET", "POST"])
    def form(self):
        form = ForgotPasswordForm()
        if form.validate_on_submit():
            found = tenants_api.find_active_user(db.session, form.login.data)
            if found is not None:
                password = tenants_api.send_forgotten_password(db.session, found)
                queue_mail(db.session, found.email, "forgotten_password", collectivite_id=found.collectivite_id,
                           user=found, password=password)
                db.session.commit()
            flash(gettext("If an account matches, a temporary password was e-mailed to its address."), "info")
            return redirect(self.appbuilder.get_url_for_login)
        return self.render_template("console/forgot_password.html", form=form, appbuilder=self.appbuilder)
