"""Verifying the user pool's ID tokens with a locally generated RSA key: a current ID token of this pool
and client passes with its claims; an expired one, another issuer's, another client's, an access token,
a forged signature, an unknown key, another algorithm or no JWT at all are refused. The signing keys
are fetched once and again only for an unknown key, at most every few minutes.

The helpers (`Issuer`, `CLIENT_ID`, `ISSUER`) are shared with the authorizer and sign-in tests."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from plexlabor.webapp.auth import AuthorizerSettings, InvalidTokenError, SigningKeys, TokenVerifier, build_verifier

REGION = "us-east-2"
POOL_ID = "us-east-2_AbCdEf123"
CLIENT_ID = "4client0web0app0id00000000"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
SUPERVISOR = {
    "sub": "5f0c6e1a-0000-4000-8000-000000000001",
    "cognito:username": "cokafor2",
    "custom:employee_id": "E0001",
    "cognito:groups": ["supervisor"],
    "custom:departments": "Molding,Assembly",
    "email": "c.okafor@plant.example.com",
}


class Issuer:
    """Plays the user pool: an RSA key pair, its JWKS, and tokens signed with it."""

    def __init__(self, kid: str = "key-1") -> None:
        self.kid = kid
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict[str, Any]:
        public: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def token(
        self,
        claims: Mapping[str, Any] = SUPERVISOR,
        *,
        token_use: str = "id",
        issuer: str = ISSUER,
        audience: str = CLIENT_ID,
        expires_in: int = 3600,
        kid: str | None = None,
        **extra: Any,
    ) -> str:
        now = int(time.time())
        payload = {
            **claims,
            "iss": issuer,
            "token_use": token_use,
            "iat": now - 5,
            "auth_time": now - 5,
            "exp": now + expires_in,
            **({"aud": audience} if token_use == "id" else {"client_id": audience}),
            **extra,
        }
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": kid or self.kid})


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return Issuer()


class CountingJwks:
    """The JWKS endpoint: counts fetches; what it serves can change (a key rotation)."""

    def __init__(self, *issuers: Issuer) -> None:
        self.issuers = list(issuers)
        self.fetches = 0

    def __call__(self) -> dict[str, Any]:
        self.fetches += 1
        return {"keys": [key for issuer in self.issuers for key in issuer.jwks()["keys"]]}


def verifier_for(*issuers: Issuer, clock: Any = time.monotonic) -> tuple[TokenVerifier, CountingJwks]:
    jwks = CountingJwks(*issuers)
    return TokenVerifier(issuer=ISSUER, client_id=CLIENT_ID, keys=SigningKeys(jwks, clock=clock)), jwks


def test_a_current_id_token_of_this_pool_and_client_gives_its_claims(issuer: Issuer) -> None:
    verifier, _ = verifier_for(issuer)

    claims = verifier.verify(issuer.token())

    assert claims["cognito:username"] == "cokafor2" and claims["cognito:groups"] == ["supervisor"]
    assert claims["custom:departments"] == "Molding,Assembly"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda issuer: issuer.token(expires_in=-60), "ExpiredSignatureError"),
        (lambda issuer: issuer.token(issuer="https://cognito-idp.us-east-2.amazonaws.com/us-east-2_Other"), "Issuer"),
        (lambda issuer: issuer.token(audience="another-client"), "InvalidAudienceError"),
        (lambda issuer: issuer.token(token_use="access"), "MissingRequiredClaimError"),  # no aud at all
        (lambda issuer: issuer.token(token_use="access", aud=CLIENT_ID), "not an ID token"),
        (lambda issuer: issuer.token(iat=int(time.time()) + 600), "ImmatureSignatureError"),
    ],
    ids=["expired", "wrong-issuer", "wrong-audience", "access-token", "access-token-with-aud", "issued-later"],
)
def test_a_token_that_is_not_a_current_id_token_for_this_client_is_refused(
    issuer: Issuer, make: Any, reason: str
) -> None:
    verifier, _ = verifier_for(issuer)

    with pytest.raises(InvalidTokenError, match=reason):
        verifier.verify(make(issuer))


def test_a_forged_signature_is_refused(issuer: Issuer) -> None:
    forger = Issuer(kid=issuer.kid)  # claims to be the pool's key, signs with its own
    verifier, _ = verifier_for(issuer)

    with pytest.raises(InvalidTokenError, match="InvalidSignatureError"):
        verifier.verify(forger.token())


def test_a_token_with_its_signature_cut_off_is_refused(issuer: Issuer) -> None:
    verifier, _ = verifier_for(issuer)
    header, payload, _signature = issuer.token().split(".")

    with pytest.raises(InvalidTokenError):
        verifier.verify(f"{header}.{payload}.")


def test_a_token_signed_with_an_unknown_key_is_refused(issuer: Issuer) -> None:
    verifier, _ = verifier_for(issuer)

    with pytest.raises(InvalidTokenError, match="unknown key"):
        verifier.verify(Issuer(kid="key-2").token())


@pytest.mark.parametrize("algorithm", ["HS256", "none"])
def test_only_rs256_is_accepted(issuer: Issuer, algorithm: str) -> None:
    """No algorithm confusion: the public key is never used as an HMAC secret, nor is no signature enough."""
    verifier, _ = verifier_for(issuer)
    payload = {**SUPERVISOR, "iss": ISSUER, "aud": CLIENT_ID, "token_use": "id", "iat": 1, "exp": 2**31}
    secret = "a-secret-of-thirty-two-bytes-long!" if algorithm == "HS256" else None
    # PyJWT's annotation of `key` leaves out the None that its algorithm "none" requires
    token = jwt.encode(payload, secret, algorithm=algorithm, headers={"kid": "key-1"})  # type: ignore[arg-type]

    with pytest.raises(InvalidTokenError, match="is not RS256"):
        verifier.verify(token)


@pytest.mark.parametrize("garbage", ["", "not-a-token", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30"])
def test_something_that_is_not_a_jwt_is_refused(issuer: Issuer, garbage: str) -> None:
    verifier, _ = verifier_for(issuer)

    with pytest.raises(InvalidTokenError):
        verifier.verify(garbage)


def test_the_keys_are_fetched_once_for_many_tokens(issuer: Issuer) -> None:
    verifier, jwks = verifier_for(issuer)

    for _ in range(5):
        verifier.verify(issuer.token())

    assert jwks.fetches == 1


def test_an_unknown_key_fetches_the_keys_again_at_most_every_five_minutes(issuer: Issuer) -> None:
    now = [1000.0]
    verifier, jwks = verifier_for(issuer, clock=lambda: now[0])
    rotated = Issuer(kid="key-2")
    verifier.verify(issuer.token())

    with pytest.raises(InvalidTokenError, match="unknown key"):  # not published yet, and too soon to ask again
        verifier.verify(rotated.token())
    jwks.issuers.append(rotated)  # the pool publishes its new key
    with pytest.raises(InvalidTokenError, match="unknown key"):
        verifier.verify(rotated.token())
    now[0] += 300
    claims = verifier.verify(rotated.token())

    assert claims["sub"] == SUPERVISOR["sub"]
    assert jwks.fetches == 2


def test_the_settings_name_the_issuer_and_where_its_keys_are() -> None:
    on_aws = AuthorizerSettings.from_env(
        {"COGNITO_USER_POOL_ID": POOL_ID, "COGNITO_CLIENT_ID": CLIENT_ID, "COGNITO_REGION": REGION}
    )
    local = AuthorizerSettings.from_env(
        {
            "COGNITO_USER_POOL_ID": POOL_ID,
            "COGNITO_CLIENT_ID": CLIENT_ID,
            "COGNITO_REGION": REGION,
            "AWS_ENDPOINT_URL": "http://127.0.0.1:5000/",
        }
    )

    assert on_aws.issuer == local.issuer == ISSUER
    assert on_aws.jwks_url == f"{ISSUER}/.well-known/jwks.json"
    assert local.jwks_url == f"http://127.0.0.1:5000/{POOL_ID}/.well-known/jwks.json"  # moto serves them there


def test_the_built_verifier_fetches_the_settings_keys_url(issuer: Issuer) -> None:
    fetched: list[str] = []
    settings = AuthorizerSettings.from_env(
        {"COGNITO_USER_POOL_ID": POOL_ID, "COGNITO_CLIENT_ID": CLIENT_ID, "COGNITO_REGION": REGION}
    )

    def fetch(url: str) -> dict[str, Any]:
        fetched.append(url)
        return issuer.jwks()

    verifier = build_verifier(settings, fetch)

    assert verifier.verify(issuer.token())["custom:employee_id"] == "E0001"
    assert fetched == [settings.jwks_url]
