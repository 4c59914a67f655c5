"""/api/openapi.json (the description that flask-smorest builds from the code) and
/api/docs (Swagger UI, served from static/vendor like every front-end file). Both are
public: they describe the API, they give nothing of the directory away."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import render_template
from werkzeug.wrappers import Response

from crm.accounts.session import public

bp = Blueprint("api_docs", __name__, url_prefix="/api")


@bp.get("/openapi.json")
@public
def openapi_json() -> Response:
    """The OpenAPI 3 description of /api/v1/."""
    return jsonify(current_app.extensions["crm_api"].spec.to_dict())


@bp.get("/docs")
@public
def docs() -> str:
    """The description, browsable."""
    return render_template("api/docs.html")
