"""Second factor pages: enrol an authenticator app (QR code, recovery codes), give a code after the password."""
from __future__ import annotations

import qrcode
import qrcode.image.svg
from flask import abort, flash, redirect, session
from flask_appbuilder import BaseView, expose
from flask_appbuilder.utils.limit import Limit
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from console.accounts import sessions, totp, web
from console.errors import DomainError
from console.extensions import db
from console.tenants.models import ConsoleUser

PENDING_SECRET = "totp_pending"
FAILURES = "totp_failures"
#: Wrong codes a half-open session may try before it is ended.
MAX_FAILURES = 5


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])


def _user() -> ConsoleUser:
    """The signed-in user (pages below are for them only, whatever their second factor state)."""
    if not getattr(current_user, "is_authenticated", False):
        abort(401)
    return db.session.get(ConsoleUser, current_user.id)


def qr_svg(uri: str) -> Markup:
    """The QR code of ``uri`` as inline SVG (no image file, no script)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return Markup(image.to_string(encoding="unicode"))


class TwoFactorView(BaseView):
    route_base = "/two-factor"
    limits = [Limit("10 per minute", key_func=get_remote_address, methods=["POST"])]

    @expose("/verify", methods=["GET", "POST"])
    def verify(self):
        user = _user()
        form = CodeForm()
        if form.validate_on_submit():
            if totp.verify(db.session, user, form.code.data):
                db.session.commit()
                session[web.SECOND_FACTOR_KEY] = True
                session.pop(FAILURES, None)
                return redirect(self.appbuilder.get_url_for_index)
            db.session.rollback()
            session[FAILURES] = session.get(FAILURES, 0) + 1
            if session[FAILURES] >= MAX_FAILURES:
                sessions.end_session(db.session, session.get(web.SESSION_KEY))
                db.session.commit()
                logout_user()
                session.clear()
                flash(gettext("Too many wrong codes: sign in again."), "danger")
                return redirect(self.appbuilder.get_url_for_login)
            form.code.errors = [gettext("This code is not valid (or was already used).")]
        return self.render_template("console/two_factor_verify.html", form=form, appbuilder=self.appbuilder)

    @expose("/enrol", methods=["GET", "POST"])
    def enrol(self):
        user = _user()
        if totp.enabled(user) and not session.get(web.SECOND_FACTOR_KEY):
            return redirect(self.appbuilder.get_url_for_index)  # enrolled already: give a code first
        secret = session.setdefault(PENDING_SECRET, totp.new_secret())
        form = CodeForm()
        if form.validate_on_submit():
            try:
                codes = totp.enrol(db.session, user, secret, form.code.data)
            except DomainError as error:
                db.session.rollback()
                form.code.errors = [str(error)]
            else:
                db.session.commit()
                session.pop(PENDING_SECRET, None)
                session[web.SECOND_FACTOR_KEY] = True
                return self.render_template("console/two_factor_codes.html", codes=codes,
                                            appbuilder=self.appbuilder)
        return self.render_template("console/two_factor_enrol.html", form=form, secret=secret,
                                    qr=qr_svg(totp.provisioning_uri(secret, user.username)),
                                    appbuilder=self.appbuilder)
