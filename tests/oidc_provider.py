"""A small OpenID Connect provider for the tests, on 127.0.0.1 in a thread.

ID tokens are signed with joserfc (RS256); the HTTP side is a plain werkzeug app. It
serves the discovery document, its public keys, an authorization endpoint that signs in
``provider.user`` at once (no login form: the test user is "already signed in"), and a
token endpoint that checks the client's secret, that the code is its own, unused and
unexpired, the redirect_uri and the PKCE verifier (S256 only).

A test can make it misbehave the way a hostile or broken provider would: ``id_token_claims``
overrides claims of the next ID tokens (another audience, issuer or nonce), and
``sign_with_other_key`` signs them with a key that is not published (a forgery under the
published key's id).
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

KID = "test-key-1"


class OIDCProvider:
    def __init__(self, *, client_id: str = "second-opinion", client_secret: str = "test-client-secret",
                 redirect_uris: tuple[str, ...] = ()):
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = list(redirect_uris)
        self.key = RSAKey.generate_key(2048, parameters={"kid": KID})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": KID})
        self._server = None
        self._thread = None
        self.issuer = ""
        self.reset()

    def reset(self) -> None:
        self.user = {"sub": "user-1", "email": "anna@konsult.example", "email_verified": True,
                     "name": "Anna Andersson", "groups": []}
        self.id_token_claims: dict = {}
        self.sign_with_other_key = False
        self.omit_id_token = False  #: answer like a plain OAuth 2 server
        self.deny = False  #: the user says no (or the provider refuses): error=access_denied
        self.codes: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        self.authorize_requests: list[dict] = []

    # --- server -------------------------------------------------------------------
    def start(self) -> "OIDCProvider":
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        routes = {"/.well-known/openid-configuration": self.discovery, "/jwks": self.jwks,
                  "/authorize": self.authorize, "/token": self.token}
        handler = routes.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    # --- endpoints ------------------------------------------------------------------
    def discovery(self, _request) -> Response:
        return _json({
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "jwks_uri": self.issuer + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        })

    def jwks(self, _request) -> Response:
        return _json({"keys": [self.key.as_dict(private=False)]})

    def authorize(self, request: Request) -> Response:
        args = request.args
        self.authorize_requests.append(dict(args))
        if args.get("client_id") != self.client_id or args.get("redirect_uri") not in self.redirect_uris:
            return Response("unknown client or redirect_uri", status=400)  # never redirect to an unknown place
        redirect_uri = args["redirect_uri"]
        error = None
        if args.get("response_type") != "code":
            error = "unsupported_response_type"
        elif "openid" not in (args.get("scope") or "").split():
            error = "invalid_scope"
        elif args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            error = "invalid_request"
        elif self.deny:
            error = "access_denied"
        if error:
            return _redirect(redirect_uri, {"error": error, "state": args.get("state", "")})
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"redirect_uri": redirect_uri, "challenge": args["code_challenge"],
                            "nonce": args.get("nonce"), "user": dict(self.user), "expires": time.time() + 60}
        return _redirect(redirect_uri, {"code": code, "state": args.get("state", "")})

    def token(self, request: Request) -> Response:
        form = request.form
        self.token_requests.append(dict(form))
        client_id, secret = _client_credentials(request)
        if client_id != self.client_id or secret != self.client_secret:
            return _json({"error": "invalid_client"}, 401)
        if form.get("grant_type") != "authorization_code":
            return _json({"error": "unsupported_grant_type"}, 400)
        grant = self.codes.pop(form.get("code", ""), None)  # single use
        if grant is None or grant["expires"] < time.time():
            return _json({"error": "invalid_grant"}, 400)
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return _json({"error": "invalid_grant", "error_description": "redirect_uri"}, 400)
        verifier = form.get("code_verifier") or ""
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or challenge != grant["challenge"]:
            return _json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300,
                  "auth_time": now, **grant["user"]}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        claims.update(self.id_token_claims)
        claims = {k: v for k, v in claims.items() if v is not None}
        key = self.other_key if self.sign_with_other_key else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": KID}, claims, key)
        answer = {"access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 300,
                  "id_token": id_token}
        if self.omit_id_token:
            del answer["id_token"]
        return _json(answer)


def _client_credentials(request: Request) -> tuple[str | None, str | None]:
    if request.authorization and request.authorization.type == "basic":
        return request.authorization.username, request.authorization.password
    return request.form.get("client_id"), request.form.get("client_secret")


def _json(data: dict, status: int = 200) -> Response:
    import json

    return Response(json.dumps(data), status=status, mimetype="application/json",
                    headers={"Cache-Control": "no-store"})


def _redirect(uri: str, params: dict) -> Response:
    return Response(status=302, headers={"Location": uri + ("&" if "?" in uri else "?") + urlencode(params)})
